// Replaced by the local host's functions-core hook.
export {};
