import Module from 'node:module';
import type {
  FunctionCallback,
  FunctionMetadata,
  HookCallback,
  HookData,
  ProgrammingModel,
  RpcFunctionMetadata,
  RpcLogCategory,
  RpcLogLevel,
} from './functions-core-types';

/**
 * Answers `require('@azure/functions-core')` the way the Azure Functions Node.js worker does, so the REAL
 * `@azure/functions` (and `durable-functions` on top of it) register their functions with this process.
 *
 * Registrations are process-global, exactly as in the worker: one app per process. The registry lives on
 * `globalThis` so that a second copy of this module (vitest can load a file through two module graphs) shares it.
 */

export interface RegisteredFunction {
  metadata: RpcFunctionMetadata & { name: string; functionId: string; bindings: FunctionMetadata['bindings'] };
  callback: FunctionCallback;
}

export type HookName = 'preInvocation' | 'postInvocation' | 'appStart' | 'appTerminate' | 'log';

export type CoreLogSink = (level: RpcLogLevel, category: RpcLogCategory, message: string) => void;

export interface FunctionsCoreRegistry {
  readonly functions: Map<string, RegisteredFunction>;
  readonly hooks: Record<HookName, HookCallback[]>;
  programmingModel: ProgrammingModel | undefined;
  readonly appHookData: HookData;
  /** Set once the first host has loaded the app: later registrations fail, as they do in the worker. */
  locked: boolean;
  /** Where `coreApi.log` (logs outside an invocation) goes; the running host replaces it. */
  logSink: CoreLogSink;
}

const registryKey = Symbol.for('vpn-cert-chatops.local-host.functions-core-registry');
const installedKey = Symbol.for('vpn-cert-chatops.local-host.functions-core-installed');

type GlobalWithRegistry = typeof globalThis & { [registryKey]?: FunctionsCoreRegistry; [installedKey]?: boolean };

export function getFunctionsCoreRegistry(): FunctionsCoreRegistry {
  const g = globalThis as GlobalWithRegistry;
  let registry = g[registryKey];
  if (!registry) {
    registry = {
      functions: new Map(),
      hooks: { preInvocation: [], postInvocation: [], appStart: [], appTerminate: [], log: [] },
      programmingModel: undefined,
      appHookData: {},
      locked: false,
      logSink: defaultLogSink,
    };
    g[registryKey] = registry;
  }
  return registry;
}

function defaultLogSink(level: RpcLogLevel, _category: RpcLogCategory, message: string): void {
  // Before a host is running only problems are worth printing.
  if (level === 'warning') console.warn(message);
  else if (level === 'error' || level === 'critical') console.error(message);
}

/** Same contract as the worker's (and VS Code's) Disposable. */
export class Disposable {
  static from(...disposables: { dispose(): unknown }[]): Disposable {
    let pending: { dispose(): unknown }[] | undefined = disposables;
    return new Disposable(() => {
      if (pending) {
        for (const d of pending) {
          if (d && typeof d.dispose === 'function') d.dispose();
        }
        pending = undefined;
      }
    });
  }

  #callOnDispose: (() => unknown) | undefined;

  constructor(callOnDispose: () => unknown) {
    this.#callOnDispose = callOnDispose;
  }

  dispose(): unknown {
    const fn = this.#callOnDispose;
    this.#callOnDispose = undefined;
    return typeof fn === 'function' ? fn() : undefined;
  }
}

/** Errors the library recognises as coming from the worker (it checks `isAzureFunctionsSystemError`). */
class AzFuncSystemError extends Error {
  readonly isAzureFunctionsSystemError = true;
}

class AzFuncRangeError extends RangeError {
  readonly isAzureFunctionsSystemError = true;
}

function registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
  const registry = getFunctionsCoreRegistry();
  if (registry.locked) {
    throw new AzFuncSystemError('A function can only be registered during app startup.');
  }
  const functionId = metadata.functionId || metadata.name;
  if (registry.functions.has(functionId)) {
    throw new AzFuncSystemError(`A function with id "${functionId}" has already been registered.`);
  }
  registry.functions.set(functionId, {
    metadata: {
      ...metadata,
      functionId,
      // What the host itself reads; kept for fidelity with what the worker sends.
      rawBindings: Object.entries(metadata.bindings).map(([name, binding]) => JSON.stringify({ ...binding, name })),
      scriptFile: 'unknown',
    },
    callback,
  });
  return new Disposable(() => {
    if (registry.locked) throw new AzFuncSystemError('A function can only be disposed during app startup.');
    registry.functions.delete(functionId);
  });
}

function registerHook(hookName: string, callback: HookCallback): Disposable {
  const registry = getFunctionsCoreRegistry();
  if (!isHookName(hookName)) {
    throw new AzFuncRangeError(`Unrecognized hook "${hookName}"`);
  }
  const hooks = registry.hooks[hookName];
  hooks.push(callback);
  return new Disposable(() => {
    const index = hooks.indexOf(callback);
    if (index > -1) hooks.splice(index, 1);
  });
}

function isHookName(name: string): name is HookName {
  return ['preInvocation', 'postInvocation', 'appStart', 'appTerminate', 'log'].includes(name);
}

function createCoreApi(): Record<string, unknown> {
  return {
    version: '3.10.1',
    hostVersion: '4.0.0-local-host',
    registerFunction,
    registerHook,
    setProgrammingModel(model: ProgrammingModel): void {
      getFunctionsCoreRegistry().programmingModel = model;
    },
    getProgrammingModel(): ProgrammingModel | undefined {
      return getFunctionsCoreRegistry().programmingModel;
    },
    log(level: RpcLogLevel, category: RpcLogCategory, message: string): void {
      getFunctionsCoreRegistry().logSink(level, category, message);
    },
    Disposable,
  };
}

/**
 * Installs the `@azure/functions-core` answer on `Module.prototype.require`. Idempotent. Must run before
 * `@azure/functions` first resolves the core API (it caches the answer, failure included): call it at the top of a
 * plain `node` entry point, before requiring the app; `startLocalHost` also calls it before `loadApp`.
 */
export function installFunctionsCoreApi(): void {
  const g = globalThis as GlobalWithRegistry;
  if (g[installedKey]) return;
  const coreApi = createCoreApi();
  const proto = Module.prototype as unknown as { require: (id: string) => unknown };
  proto.require = new Proxy(proto.require, {
    apply(target, thisArg, argArray: unknown[]) {
      if (argArray[0] === '@azure/functions-core') return coreApi;
      return Reflect.apply(target, thisArg, argArray);
    },
  });
  g[installedKey] = true;
  getFunctionsCoreRegistry();
}

export function isFunctionsCoreApiInstalled(): boolean {
  return (globalThis as GlobalWithRegistry)[installedKey] === true;
}
