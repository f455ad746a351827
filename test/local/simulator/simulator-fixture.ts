import { request } from 'node:https';
import { LocalTokenCredential } from '../../../adapters/azure/local-token-credential';
import { createManualClock, startAzureSimulator, type AzureSimulator, type AzureSimulatorOptions } from '../../../local/simulator/azure-simulator';

/** The sandbox estate's "now" in tests: fixed, so certificate dates and history are reproducible. */
export const testNow = new Date('2026-11-23T12:00:00.000Z');

/** The simulator on a manual clock (instant long-running operations and tunnel changes) with the sandbox estate. */
export async function startTestSimulator(options: Partial<AzureSimulatorOptions> = {}): Promise<AzureSimulator> {
  return startAzureSimulator({ estate: 'sandbox', clock: createManualClock(testNow), ...options });
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
  readonly text: string;
}

/**
 * A plain HTTPS request to the simulator as an estate principal (or without a token), for checks the SDK clients
 * hide: status codes, headers and error bodies.
 */
export async function rawRequest(
  sim: AzureSimulator,
  method: string,
  path: string,
  opts: { principal?: string | null; body?: unknown; audience?: string; baseUrl?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const principalKey = opts.principal === undefined ? 'bot' : opts.principal;
  let authorization: string | undefined;
  if (principalKey !== null) {
    const principal = sim.estateInfo.principals[principalKey];
    if (!principal) throw new Error(`no principal ${principalKey}`);
    const token = await new LocalTokenCredential(principal, { now: () => sim.clock.now() }).getToken(opts.audience ?? 'https://management.azure.com/.default');
    authorization = `Bearer ${token.token}`;
  }
  const url = new URL(path, opts.baseUrl ?? sim.url);
  const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: sim.caPem,
        headers: {
          ...(authorization ? { authorization } : {}),
          ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
          ...(opts.headers ?? {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
        });
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

export function errorCode(body: unknown): string | undefined {
  return (body as { error?: { code?: string } } | undefined)?.error?.code;
}
