export { RealClock, VirtualClock, type Clock } from './clock';
export { installFunctionsCoreApi, isFunctionsCoreApiInstalled } from './functions-core-api';
export { startLocalHost, type LocalHost, type LocalHostFunctionInfo, type LocalHostOptions } from './local-host';
export type { InstanceSnapshot, RuntimeStatus } from './durable/durable-engine';
export { EventType, type HistoryEvent } from './durable/history-event';
export type { HostLogEntry, HostLogOption } from './host-logger';
export { HostConfigError } from './host-config';
