import { randomUUID } from 'node:crypto';
import { getFunctionsCoreRegistry, type RegisteredFunction } from './functions-core-api';
import type {
  CoreInvocationContext,
  FunctionCallback,
  HookData,
  InvocationState,
  RpcInvocationResponse,
  RpcLogCategory,
  RpcLogLevel,
  RpcParameterBinding,
  RpcTypedData,
} from './functions-core-types';
import type { HostLogger } from './host-logger';

/** Raised when an invocation outlives host.json `functionTimeout` (same text as the host's FunctionTimeoutException). */
export class FunctionTimeoutError extends Error {
  override readonly name = 'FunctionTimeoutError';
}

export class FunctionNotFoundError extends Error {
  override readonly name = 'FunctionNotFoundError';
}

export interface InvocationRequest {
  functionName: string;
  inputData: RpcParameterBinding[];
  triggerMetadata?: Record<string, RpcTypedData>;
  /** Shown in the "Executing" log line, like the host's Reason=... */
  reason: string;
}

/**
 * Invokes a registered function exactly as the Node.js worker's InvocationHandler does: core context ->
 * programmingModel.getInvocationModel -> getArguments -> preInvocation hooks -> invokeFunction -> postInvocation
 * hooks -> getResponse. The library builds its own HttpRequest / InvocationContext from the RPC-shaped input.
 */
export class FunctionInvoker {
  constructor(
    private readonly logger: HostLogger,
    private readonly timeout: { ms: number | undefined; text: string },
  ) {}

  find(functionName: string): RegisteredFunction | undefined {
    const registry = getFunctionsCoreRegistry();
    const direct = registry.functions.get(functionName);
    if (direct) return direct;
    // Function names are case-insensitive in the host.
    const lower = functionName.toLowerCase();
    for (const fn of registry.functions.values()) {
      if (fn.metadata.name.toLowerCase() === lower) return fn;
    }
    return undefined;
  }

  async invoke(request: InvocationRequest): Promise<RpcInvocationResponse> {
    const registered = this.find(request.functionName);
    if (!registered) throw new FunctionNotFoundError(`Function '${request.functionName}' is not registered.`);
    const functionName = registered.metadata.name;
    const invocationId = randomUUID();
    const started = Date.now();
    this.logger.log({
      time: new Date(),
      level: 'information',
      category: 'system',
      functionName,
      invocationId,
      message: `Executing 'Functions.${functionName}' (Reason='${request.reason}', Id=${invocationId})`,
    });

    const run = this.run(registered, invocationId, request);
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeoutMs = this.timeout.ms;
      const response =
        timeoutMs === undefined
          ? await run
          : await Promise.race([
              run,
              new Promise<never>((_resolve, reject) => {
                timer = setTimeout(() => {
                  this.logger.log({
                    time: new Date(),
                    level: 'error',
                    category: 'system',
                    functionName,
                    invocationId,
                    message: `Timeout value of ${this.timeout.text} exceeded by function 'Functions.${functionName}' (Id: '${invocationId}'). Initiating cancellation.`,
                  });
                  reject(new FunctionTimeoutError(`Timeout value of ${this.timeout.text} was exceeded by function: Functions.${functionName}`));
                }, timeoutMs);
                timer.unref();
              }),
            ]);
      this.logger.log({
        time: new Date(),
        level: 'information',
        category: 'system',
        functionName,
        invocationId,
        message: `Executed 'Functions.${functionName}' (Succeeded, Id=${invocationId}, Duration=${Date.now() - started}ms)`,
      });
      return response;
    } catch (error) {
      // A timed-out invocation keeps running in the background (JS cannot be cancelled); its late outcome is ignored.
      run.catch(() => undefined);
      this.logger.log({
        time: new Date(),
        level: 'error',
        category: 'system',
        functionName,
        invocationId,
        message: `Executed 'Functions.${functionName}' (Failed, Id=${invocationId}, Duration=${Date.now() - started}ms)\n${describeError(error)}`,
      });
      throw error;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  private async run(registered: RegisteredFunction, invocationId: string, request: InvocationRequest): Promise<RpcInvocationResponse> {
    const registry = getFunctionsCoreRegistry();
    const model = registry.programmingModel;
    if (!model) {
      throw new Error('No programming model was registered: @azure/functions never reached the local host (see README).');
    }
    const functionName = registered.metadata.name;
    // Filled in once getArguments has built the library's InvocationContext (log hooks receive it).
    const current: { invocationContext?: unknown } = {};
    const logger = this.logger;
    const coreCtx: CoreInvocationContext = {
      invocationId,
      request: {
        invocationId,
        functionId: registered.metadata.functionId,
        inputData: request.inputData,
        triggerMetadata: request.triggerMetadata ?? {},
      },
      metadata: registered.metadata,
      state: undefined as InvocationState | undefined,
      log(level: RpcLogLevel, category: RpcLogCategory, message: string): void {
        const hookContext = { level, message, category, invocationContext: current.invocationContext, hookData: {}, appHookData: registry.appHookData };
        for (const hook of registry.hooks.log) {
          try {
            void hook(hookContext);
          } catch (error) {
            logger.log({ time: new Date(), level: 'error', category: 'system', functionName, invocationId, message: `A log hook failed: ${describeError(error)}` });
          }
        }
        logger.log({ time: new Date(), level: hookContext.level, category, functionName, invocationId, message: hookContext.message });
      },
    };

    const invocationModel = await model.getInvocationModel(coreCtx);
    const hookData: HookData = {};
    const args = await invocationModel.getArguments();
    current.invocationContext = args.context;
    let inputs = args.inputs;
    let callback: FunctionCallback = registered.callback;

    const preContext = readOnlyHookContext(hookData, registry.appHookData, args.context, { functionCallback: callback, inputs });
    coreCtx.state = 'preInvocationHooks';
    try {
      for (const hook of registry.hooks.preInvocation) await hook(preContext);
    } finally {
      coreCtx.state = undefined;
    }
    inputs = preContext.inputs as unknown[];
    callback = preContext.functionCallback as FunctionCallback;

    const postContext = readOnlyHookContext(hookData, registry.appHookData, args.context, { inputs, result: null, error: null });
    coreCtx.state = 'invocation';
    try {
      postContext.result = await invocationModel.invokeFunction(args.context, inputs, callback);
    } catch (error) {
      postContext.error = error;
    } finally {
      coreCtx.state = undefined;
    }

    coreCtx.state = 'postInvocationHooks';
    try {
      for (const hook of registry.hooks.postInvocation) await hook(postContext);
    } finally {
      coreCtx.state = undefined;
    }

    if (postContext.error !== null && postContext.error !== undefined) throw postContext.error;
    return invocationModel.getResponse(args.context, postContext.result);
  }
}

/** Hook contexts whose hookData/appHookData/invocationContext cannot be replaced (the worker throws ReadOnlyError). */
function readOnlyHookContext(
  hookData: HookData,
  appHookData: HookData,
  invocationContext: unknown,
  writable: Record<string, unknown>,
): Record<string, unknown> {
  const context: Record<string, unknown> = { ...writable };
  for (const [key, value] of Object.entries({ hookData, appHookData, invocationContext })) {
    Object.defineProperty(context, key, {
      enumerable: true,
      get: () => value,
      set: () => {
        throw new TypeError(`Cannot assign to read only property '${key}'`);
      },
    });
  }
  return context;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  try {
    return typeof error === 'string' ? error : JSON.stringify(error);
  } catch {
    return String(error);
  }
}

/** The message a worker reports for a thrown value (the RpcException "Exception:" part). */
export function errorMessageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  try {
    return typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

export function errorStackOf(error: unknown): string {
  return error instanceof Error && error.stack ? error.stack : '';
}
