import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AzureSimulator } from '../../local/simulator/azure-simulator';

/**
 * The Azure calls the app made during one vitest run, collected from the simulator's call log of every end-to-end
 * sandbox (test/e2e/sandbox-fixture.ts records them when a sandbox closes). test/infra/least-privilege.test.ts runs
 * after every other test file (vitest.config.mts: its own project, groupOrder 1) and turns them into RBAC actions.
 *
 * The folder is keyed by the vitest process that runs the workers (every test file's parent), so two runs never mix.
 */
export interface RecordedAzureCall {
  readonly service: 'arm' | 'logs' | 'keyvault';
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** The test file whose sandbox made the call. */
  readonly source: string;
}

export function azureCallLogDir(runId = String(process.ppid)): string {
  return join(tmpdir(), 'vpncert-azure-calls', runId);
}

/** Writes the calls the app's principal (the sandbox's "bot") made to the run's folder, one file per sandbox. */
export function recordAppAzureCalls(simulator: AzureSimulator, source: string): void {
  const app = simulator.estateInfo.principals.bot?.objectId;
  if (!app) return;
  const calls: RecordedAzureCall[] = simulator.stats
    .calls()
    .filter((c) => c.principalId === app && c.path !== undefined)
    .map((c) => ({ service: c.service as RecordedAzureCall['service'], method: c.method, path: c.path!, status: c.status, source }));
  const dir = azureCallLogDir();
  mkdirSync(dir, { recursive: true });
  const log: RecordedCallLog = { source, calls };
  writeFileSync(join(dir, `${process.pid}-${Date.now()}.json`), JSON.stringify(log));
}

export interface RecordedCallLog {
  readonly source: string;
  readonly calls: readonly RecordedAzureCall[];
}

/** Every sandbox's log of this vitest run (none when no end-to-end test ran in it). */
export function readRecordedAzureCalls(runId?: string): RecordedCallLog[] {
  const dir = azureCallLogDir(runId);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith('.json')).map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as RecordedCallLog);
}

/** vitest globalSetup (vitest.config.mts): a run starts with no call log, even where a process id was used before. */
export default function clearCallLogOfThisRun(): void {
  rmSync(azureCallLogDir(String(process.pid)), { recursive: true, force: true });
}
