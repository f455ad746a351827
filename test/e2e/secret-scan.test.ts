import { TableServiceClient } from '@azure/data-tables';
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostLogEntry } from '../../local/host';
import type { Artifact } from '../support/secret-scanner';
import { scanForSecrets } from '../support/secret-scanner';
import type { ChatFixture } from './sandbox-fixture';
import { startChat } from './sandbox-fixture';
import { SECRET_SCAN_FLOWS } from './secret-scan-flows';

/**
 * The secret scan: runs each flow of SECRET_SCAN_FLOWS through the Agents Playground and scans everything the product
 * wrote meanwhile for private keys, tokens, SAS and connection strings, and the simulated Key Vault's own private keys
 * and secret values. Each flow is scanned on its own, so a finding names the flow that wrote it.
 */
let chat: ChatFixture;
let pending: Artifact[] = [];
const hostLogs: HostLogEntry[] = [];
const console_ = { log: console.log, warn: console.warn, error: console.error };

beforeAll(async () => {
  // Gateway logs arrive in 2 s (not Azure's minutes), so a rotation's verification finds its negotiation quickly.
  chat = await startChat({ onLog: (entry) => hostLogs.push(entry), simulator: { logIngestionDelayMs: 2_000 } });
  // Every version of every card, as Teams would show it.
  chat.client.onEvent((event) => pending.push({ where: `card ${event.message.id} (${event.action}, update ${event.message.updates})`, text: JSON.stringify(event.message) }));
  // The app's own log lines (one JSON object per line on stdout/stderr, as the Functions host forwards them).
  for (const level of ['log', 'warn', 'error'] as const) {
    console[level] = (...args: unknown[]) => {
      pending.push({ where: `console.${level}`, text: args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ') });
      console_[level](...args);
    };
  }
});
afterAll(async () => {
  Object.assign(console, console_);
  await chat?.close();
});

/** Durable history, input, output and custom status of every instance; every row of every table. */
async function storedArtifacts(): Promise<Artifact[]> {
  const artifacts: Artifact[] = chat.sandbox.host.durable.list().map((instance) => ({ where: `durable ${instance.name} ${instance.instanceId}`, text: JSON.stringify(instance) }));
  const connectionString = chat.sandbox.azurite.connectionString;
  const service = TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true });
  for await (const table of service.listTables()) {
    const client = TableClient.fromConnectionString(connectionString, table.name!, { allowInsecureConnection: true });
    const rows: unknown[] = [];
    for await (const entity of client.listEntities()) rows.push(entity);
    artifacts.push({ where: `table ${table.name}`, text: JSON.stringify(rows) });
  }
  return artifacts;
}

describe('secret scan of everything the product wrote', () => {
  for (const flow of SECRET_SCAN_FLOWS) {
    it(`${flow.name}: no private key, token, SAS, connection string or Key Vault secret in logs, cards, durable state or tables`, async () => {
      pending = [];
      const logsBefore = hostLogs.length;
      await flow.run(chat, { invokeAnswer: (where, body) => pending.push({ where: `invoke answer: ${where}`, text: JSON.stringify(body) }) });
      const artifacts = [...pending, ...hostLogs.slice(logsBefore).map((e) => ({ where: `host log ${e.functionName ?? ''}`, text: JSON.stringify(e) })), ...(await storedArtifacts())];
      // The scan must have had something to read: cards, history and rows of this flow.
      expect(artifacts.filter((a) => a.where.startsWith('card ')).length).toBeGreaterThan(0);
      expect(artifacts.filter((a) => a.where.startsWith('durable ')).length).toBeGreaterThan(0);
      expect(artifacts.filter((a) => a.where.startsWith('table ')).length).toBeGreaterThan(3);
      expect(scanForSecrets(artifacts, chat.sandbox.simulator.vaults.secretMaterial())).toEqual([]);
    });
  }
});
