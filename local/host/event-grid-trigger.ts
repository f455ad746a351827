import type { RpcParameterBinding } from './functions-core-types';

/**
 * Event Grid triggers as the Functions runtime serves them: Event Grid delivers to
 * `POST /runtime/webhooks/eventgrid?functionName=<name>` (the system key in `code` or `x-functions-key` in Azure; the
 * local host, like Core Tools, does not check it). The runtime answers the subscription's validation handshake itself
 * (Event Grid schema: `aeg-event-type: SubscriptionValidation` with a `Microsoft.EventGrid.SubscriptionValidationEvent`,
 * answered with its `validationCode`; CloudEvents: the `OPTIONS` abuse-protection request, answered with
 * `WebHook-Allowed-Origin`), then invokes the function once per event of a delivered batch. Any failed invocation
 * answers 500, so Event Grid delivers the batch again later (its retry policy).
 */
export interface EventGridRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly query: URLSearchParams;
  readonly body: Buffer;
}

export interface EventGridResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

export const EVENT_GRID_WEBHOOK_PATH = '/runtime/webhooks/eventgrid';

const header = (request: EventGridRequest, name: string): string | undefined => {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

export async function handleEventGridWebhook(
  request: EventGridRequest,
  functions: ReadonlyMap<string, { readonly triggerName: string }>,
  invoke: (functionName: string, inputData: RpcParameterBinding[]) => Promise<void>,
): Promise<EventGridResponse> {
  const name = request.query.get('functionName') ?? '';
  const fn = [...functions].find(([n]) => n.toLowerCase() === name.toLowerCase());
  if (!fn) return { status: 404, body: { error: `No Event Grid triggered function named '${name.slice(0, 80)}'.` } };
  const [functionName, { triggerName }] = fn;

  // CloudEvents 1.0 webhook validation (abuse protection).
  if (request.method === 'OPTIONS') {
    const origin = header(request, 'webhook-request-origin');
    return { status: 200, headers: origin ? { 'WebHook-Allowed-Origin': origin } : {} };
  }
  if (request.method !== 'POST') return { status: 405 };

  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body.toString('utf8'));
  } catch {
    return { status: 400, body: { error: 'The body is not JSON.' } };
  }
  const events = (Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[];

  if (header(request, 'aeg-event-type') === 'SubscriptionValidation') {
    const validation = events.find((e) => e.eventType === 'Microsoft.EventGrid.SubscriptionValidationEvent');
    const code = (validation?.data as { validationCode?: unknown } | undefined)?.validationCode;
    if (typeof code !== 'string') return { status: 400, body: { error: 'No validation code in the validation event.' } };
    return { status: 200, body: { validationResponse: code } };
  }

  for (const event of events) {
    try {
      await invoke(functionName, [{ name: triggerName, data: { json: JSON.stringify(event) } }]);
    } catch {
      // Logged by the invoker; Event Grid retries the delivery.
      return { status: 500 };
    }
  }
  return { status: 200 };
}
