import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvocationContext } from '@azure/functions';
import type { HttpRequest } from '@azure/functions';
import { messages } from '../../functions/messages';
import { startLocalHost } from '../../local/host';
import type { HostLogEntry, LocalHost } from '../../local/host';

/**
 * The real function app (functions/index.ts) in the local host, configured as a registered bot (MicrosoftAppId set),
 * so Bot Framework authentication is on. Only requests that fail before a token's signature would be checked are
 * sent: checking a well-formed Bot Framework token means fetching OpenID metadata from the internet.
 */
const APP_ID = '3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

let host: LocalHost;
const logs: HostLogEntry[] = [];

beforeAll(async () => {
  Object.assign(process.env, {
    MicrosoftAppId: APP_ID,
    MicrosoftAppType: 'UserAssignedMSI',
    MicrosoftAppTenantId: TENANT,
    ACCESS_ALLOWED_TENANTS: TENANT,
    ACCESS_READERS: '5a7c0de0-0000-4000-8000-00000000a001',
    // Never contacted by these requests: a refused request touches no storage and no Azure.
    STATE_TABLES_CONNECTION_STRING: 'UseDevelopmentStorage=true',
    VPN_SCOPES: '5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d/rg-hub-network',
    DURABLE_TASK_HUB: 'MessagesTests',
  });
  host = await startLocalHost({
    loadApp: () => import('../../functions/index'),
    appRoot: fileURLToPath(new URL('../..', import.meta.url)),
    log: 'quiet',
    onLog: (entry) => logs.push(entry),
  });
});

afterAll(async () => {
  await host?.close();
});

const activity = {
  type: 'message',
  id: 'm-1',
  channelId: 'msteams',
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  from: { id: '29:1abc', aadObjectId: '5a7c0de0-0000-4000-8000-00000000a001', name: 'Alex Wilber' },
  recipient: { id: `28:${APP_ID}`, name: 'VPN Bot' },
  conversation: { id: 'a:1personal', conversationType: 'personal', tenantId: TENANT },
  text: 'status site-paris',
};

function post(body: string | Uint8Array, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${host.baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

/** An unsigned JWT with the given claims: well-formed, so the SDK reads its issuer. */
function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT', kid: 'not-a-key' })}.${part(claims)}.${Buffer.from('not a signature').toString('base64url')}`;
}

describe('POST /api/messages with an app id configured', () => {
  it('is registered on the route the Bot Service calls, POST only', async () => {
    expect(host.functions().find((f) => f.name === 'messages')).toEqual({ name: 'messages', trigger: 'httpTrigger', route: 'messages', methods: ['POST'] });
    expect((await fetch(`${host.baseUrl}/api/messages`)).status).toBe(404);
  });

  it('answers 401 to an activity without a token, with no body', async () => {
    const response = await post(JSON.stringify(activity));
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('');
  });

  it('answers 401 to a garbage token and to a token of the wrong scheme', async () => {
    for (const authorization of ['Bearer garbage', 'Bearer ', 'Basic YWxleDpodW50ZXIy', 'garbage', `Bearer ${'x'.repeat(5000)}`]) {
      const response = await post(JSON.stringify(activity), { authorization });
      expect({ authorization: authorization.slice(0, 20), status: response.status }).toEqual({ authorization: authorization.slice(0, 20), status: 401 });
      expect(await response.text()).toBe('');
    }
  });

  it('answers 401 to a well-formed token from an issuer Bot Framework does not use', async () => {
    const token = unsignedJwt({ iss: 'https://evil.example/', aud: APP_ID, appid: APP_ID, exp: Math.floor(Date.now() / 1000) + 600, serviceurl: activity.serviceUrl });
    expect((await post(JSON.stringify(activity), { authorization: `Bearer ${token}` })).status).toBe(401);
  });

  it('answers 400 to a body that is not JSON', async () => {
    const response = await post('type=message&text=status');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'The request body is not JSON.' });
    expect((await post(new Uint8Array([0xff, 0xfe, 0x00, 0x7b]))).status).toBe(400);
  });

  it('answers 400 to JSON that is not an activity, before looking at the token', async () => {
    for (const body of ['[]', '"message"', '42', 'null', '{"text":"status"}', '{"type":7}']) {
      const response = await post(body, { authorization: 'Bearer garbage' });
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
      expect(await response.json()).toEqual({ error: 'The request body must be a Bot Framework activity (JSON object with a type).' });
    }
  });

  it('answers 413 to a body over 1 MB without parsing it', async () => {
    const response = await post(`{"type":"message","text":"${'a'.repeat(1024 * 1024)}"}`);
    expect(response.status).toBe(413);
  });

  it('refuses a body that declares more than 1 MB (or a length that is no number) before reading any of it', async () => {
    for (const length of [String(1024 * 1024 + 1), '-1', '1e9', 'lots', '99999999999999999999']) {
      let read = false;
      const request = {
        headers: new Headers({ 'content-length': length, 'content-type': 'application/json' }),
        get body(): ReadableStream<Uint8Array> {
          read = true;
          throw new Error('the body was read');
        },
        arrayBuffer: () => Promise.reject(new Error('the body was read')),
      } as unknown as HttpRequest;
      expect({ length, response: await messages(request, new InvocationContext({ invocationId: 'declared' })) }).toEqual({ length, response: { status: 413 } });
      expect(read).toBe(false);
    }
  });

  it('stops reading a body without a declared length at 1 MB (an endless body is not buffered)', async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 64 * 1024;
        controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
      },
    });
    const request = { headers: new Headers({ 'content-type': 'application/json' }), body: endless } as unknown as HttpRequest;
    expect(await messages(request, new InvocationContext({ invocationId: 'endless' }))).toEqual({ status: 413 });
    expect(pulled).toBeLessThanOrEqual(1024 * 1024 + 3 * 64 * 1024);
  });

  it('logs no error for refused requests, and nothing it logged carries the token', () => {
    expect(logs.filter((e) => e.level === 'error' || e.level === 'critical')).toEqual([]);
    expect(JSON.stringify(logs)).not.toContain('YWxleDpodW50ZXIy');
  });
});
