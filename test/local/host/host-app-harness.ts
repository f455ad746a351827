import { fileURLToPath } from 'node:url';
import { startLocalHost, type LocalHost, type LocalHostOptions } from '../../../local/host';

/** Folder of the fixture app's host.json. */
export const hostAppRoot = fileURLToPath(new URL('../../fixtures/host-app', import.meta.url));

/** Starts the local host on the fixture app (quiet, any free port). */
export function startHostApp(options: Partial<LocalHostOptions> = {}): Promise<LocalHost> {
  process.env.HOST_APP_TASK_HUB ??= 'HostAppHub';
  process.env.HOST_APP_NIGHTLY_SCHEDULE ??= '0 30 2 * * *';
  return startLocalHost({
    loadApp: () => import('../../fixtures/host-app/index'),
    appRoot: hostAppRoot,
    log: 'quiet',
    ...options,
  });
}

/** Calls the fixture's ClientOps function, which runs one real DurableClient method. */
export async function clientOp<T = Record<string, unknown>>(host: LocalHost, op: string, args: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${host.baseUrl}/api/client/${op}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(args),
  });
  if (response.status !== 200) throw new Error(`ClientOps ${op} answered HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** Starts an orchestration through the fixture's durable-client HTTP function; returns the instance id. */
export async function startOrchestration(host: LocalHost, name: string, instanceId: string, input?: unknown): Promise<string> {
  const response = await fetch(`${host.baseUrl}/api/start/${name}/${encodeURIComponent(instanceId)}`, {
    method: 'POST',
    body: input === undefined ? '' : JSON.stringify(input),
  });
  if (response.status !== 202) throw new Error(`start ${name} answered HTTP ${response.status}`);
  const payload = (await response.json()) as { id: string };
  return payload.id;
}
