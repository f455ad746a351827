import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AzureSimulatorOptions } from '../local/simulator/azure-simulator';
import type { AzureSimulator } from '../local/simulator/azure-simulator';
import type { Sandbox, SandboxSimulator } from '../local/sandbox/sandbox';
import { startSandbox } from '../local/sandbox/sandbox';
import { SANDBOX_BOT, SANDBOX_TENANT_ID, SANDBOX_USERS } from '../local/sandbox/sandbox-identities';
import type { ConnectorEvent, MockConnector } from './mock-connector';
import { startMockConnector } from './mock-connector';

export interface SentMessage {
  /** performance.now() just before the POST to /api/messages. */
  readonly postedAt: number;
  /** HTTP status the bot endpoint answered. */
  readonly status: number;
  /** performance.now() when the bot endpoint answered. */
  readonly answeredAt: number;
  /** The bot's reply in the turn (the acknowledgement card of a job, or the whole answer of an instant command). */
  readonly ack: ConnectorEvent;
}

export interface BenchSandbox<S extends SandboxSimulator = AzureSimulator> {
  readonly sandbox: Sandbox<S>;
  readonly connector: MockConnector;
  /** Posts a personal-chat message from the sandbox's default reader and waits for the bot's reply to arrive. */
  send(text: string, timeoutMs?: number): Promise<SentMessage>;
  close(): Promise<void>;
}

const CONVERSATION_ID = 'bench-personal-chat';

/**
 * The product as production runs it, minus Teams: Azurite, the Azure simulator, and the function app's real
 * registrations in the local Functions + Durable host. Messages are the activities Teams posts to /api/messages, with
 * a serviceUrl pointing at a loopback mock connector, so the time to a card is measured where Teams would receive it
 * (the Agents Playground would add its own WebSocket hop and rendering to every number).
 */
export async function startBenchSandbox(simulator: Partial<AzureSimulatorOptions>): Promise<BenchSandbox>;
/** The same with the simulator started elsewhere (a worker thread), so the app's event loop is the app's alone. */
export async function startBenchSandbox<S extends SandboxSimulator>(simulator: () => Promise<S>): Promise<BenchSandbox<S>>;
export async function startBenchSandbox<S extends SandboxSimulator>(simulator: Partial<AzureSimulatorOptions> | (() => Promise<S>)): Promise<BenchSandbox<S>> {
  const stateDir = await mkdtemp(join(tmpdir(), 'vpn-bench-'));
  const connector = await startMockConnector();
  let sandbox: Sandbox<S>;
  try {
    sandbox = await startSandbox<S>({ withPlayground: false, log: 'quiet', stateDir, ...(typeof simulator === 'function' ? { startSimulator: simulator } : { simulator }) });
  } catch (error) {
    await connector.close();
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
  const user = SANDBOX_USERS[0]!;
  let sequence = 0;
  return {
    sandbox,
    connector,
    async send(text, timeoutMs = 30_000) {
      const id = `bench-message-${++sequence}`;
      const activity = {
        type: 'message',
        id,
        text,
        textFormat: 'plain',
        timestamp: new Date().toISOString(),
        channelId: 'msteams',
        serviceUrl: connector.url,
        from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
        recipient: { id: SANDBOX_BOT.id, name: SANDBOX_BOT.name },
        conversation: { id: CONVERSATION_ID, conversationType: 'personal', tenantId: SANDBOX_TENANT_ID },
        channelData: { tenant: { id: SANDBOX_TENANT_ID } },
      };
      const body = JSON.stringify(activity);
      const ack = connector.waitFor((e) => e.kind === 'reply' && e.replyToId === id, timeoutMs);
      // If the POST fails first, the wait for the reply must not end as an unhandled rejection.
      ack.catch(() => undefined);
      const postedAt = performance.now();
      const response = await fetch(sandbox.messagesUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(timeoutMs) });
      await response.arrayBuffer();
      const answeredAt = performance.now();
      if (response.status >= 300) throw new Error(`The bot endpoint answered HTTP ${response.status} to "${text}".`);
      return { postedAt, status: response.status, answeredAt, ack: await ack };
    },
    async close() {
      await sandbox.close();
      await connector.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
