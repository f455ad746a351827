import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ActivityName } from '../../activities/activity-names';
import type { ActivityPorts } from '../../activities/activity-ports';
import { createKeyVaultAdapter } from '../../adapters/azure/key-vault';
import { createKeyVaultCaAdapter } from '../../adapters/azure/key-vault-ca';
import { sandboxNames } from '../../local/estate/sandbox-estate';
import { createLogsAdapter } from '../../adapters/azure/logs';
import { createMonitorAdapter } from '../../adapters/azure/monitor';
import { createNetworkAdapter } from '../../adapters/azure/network';
import { createVaultAccessAdapter } from '../../adapters/azure/vault-access';
import { createDurableJobService } from '../../adapters/durable/durable-job-service';
import type { ChangeEndState } from '../../core/change/change-state';
import { DECISION_EVENT, END_STATE_WORDS } from '../../core/change/change-state';
import type { ChangeOutput, ChangePayload } from '../../core/jobs/job-catalog';
import { ORCHESTRATIONS } from '../../core/jobs/job-catalog';
import type { JobEnvelope } from '../../core/jobs/job-envelope';
import type { InstanceSnapshot, LocalHost } from '../../local/host';
import { startLocalHost, VirtualClock } from '../../local/host';
import type { AzureSimulator } from '../../local/simulator/azure-simulator';
import type { SimFaultHandle } from '../../local/simulator/sim-faults';
import type { SimCallRecord } from '../../local/simulator/sim-stats';
import { FakeSiteIndex, testPorts } from '../activities/fake-adapters';
import type { TestPorts } from '../activities/fake-adapters';
import { PEOPLE } from '../bot/bot-fakes';
import { visibleText } from '../cards/card-inspect';
import { startTestSimulator } from '../local/simulator/simulator-fixture';
import { recordAppAzureCalls } from '../support/azure-call-log';
import type { MatrixChangeKind, MatrixFault, MatrixStep } from './fault-matrix';
import { applies, FAULT_MATRIX, FAULTS, MATRIX_CALL_TIMEOUT_MS, waitedOut } from './fault-matrix';
import { matrixApp } from './matrix-app';

/**
 * The fault matrix (fault-matrix.ts), one test per cell: a change kind asked for as people ask for it, approved, and
 * one fault on one Azure step (or Table Storage or Teams going down at that step). Checked from Azure's side (the
 * simulator's state), the requester's card, the audit and Key Vault.
 */
const clock = new VirtualClock(new Date('2026-11-23T12:00:00.000Z'));
let host: LocalHost;
let sim: AzureSimulator;
type AzurePorts = Pick<ActivityPorts, 'network' | 'keyVault' | 'monitor' | 'logs' | 'vaultCa' | 'vaultAccess'>;
/** The adapters as deployed (a call's deadline well above Azure's Retry-After), and with a short deadline for the timeout column. */
let azure: AzurePorts;
let impatient: AzurePorts;
const alex = { aadObjectId: PEOPLE.alex.aadObjectId!, name: PEOPLE.alex.displayName };
const megan = { aadObjectId: PEOPLE.megan.aadObjectId!, name: PEOPLE.megan.displayName };
const STEP_MS = 30_000;
/** Virtual time a cell may take: audit retries back off for about half an hour. */
const CELL_BUDGET_MS = 90 * 60_000;

interface CellState {
  readonly kind: MatrixChangeKind;
  readonly step?: MatrixStep;
  readonly fault?: MatrixFault;
  readonly ports: TestPorts;
  readonly handles: SimFaultHandle[];
  /** A passing fault's answers still to give at its step. */
  transientLeft: number;
  verificationBroken: boolean;
  tablesDownUntil: number;
  teamsDownUntil: number;
}
let cell: CellState | undefined;
let cells = 0;

beforeAll(async () => {
  // Logs arrive at once here: verification's wait for them is its own test (test/orchestrations/rotate-outbound.test.ts).
  sim = await startTestSimulator({ logIngestionDelayMs: 0 });
  const adapters = (operationTimeoutMs: number): AzurePorts => {
    const settings = sim.settingsFor('bot', { operationTimeoutMs, longRunningPollIntervalMs: 10 });
    return { network: createNetworkAdapter(settings), keyVault: createKeyVaultAdapter(settings, { pollIntervalMs: 10 }), monitor: createMonitorAdapter(settings), logs: createLogsAdapter(settings), vaultCa: createKeyVaultCaAdapter(settings), vaultAccess: createVaultAccessAdapter(settings) };
  };
  azure = adapters(10_000);
  impatient = adapters(MATRIX_CALL_TIMEOUT_MS);
  matrixApp.ports = (durableClient) => ({ ...cell!.ports.ports, jobs: createDurableJobService(durableClient()) });
  matrixApp.enter = enter;
  host = await startLocalHost({ loadApp: () => import('./matrix-app'), appRoot: fileURLToPath(new URL('./host-app', import.meta.url)), clock, log: 'quiet' });
});
afterAll(async () => {
  // The matrix's Azure calls (rollbacks among them) are the app's calls too: least privilege must grant them.
  if (sim) recordAppAzureCalls(sim, expect.getState().testPath ?? 'fault matrix');
  await host?.close();
  await sim?.close();
});

/** An activity starts: the cell's fault becomes active when it is the faulted step's activity. */
function enter(name: ActivityName): () => void {
  const c = cell;
  if (!c) return () => undefined;
  if (c.step?.afterVerificationFails && name === 'verifyChange' && !c.verificationBroken) {
    c.kind.breakVerification(sim);
    c.verificationBroken = true;
  }
  if (!c.step || !c.fault || c.step.activity !== name) return () => undefined;
  const fault = c.fault;
  if (fault.kind === 'tables') {
    if (c.tablesDownUntil === 0) c.tablesDownUntil = clock.now().getTime() + fault.forMs;
    return () => undefined;
  }
  if (fault.kind === 'teams') {
    if (c.teamsDownUntil === 0) c.teamsDownUntil = clock.now().getTime() + fault.forMs;
    return () => undefined;
  }
  const match = { ...c.step.call, principalId: sim.estateInfo.principals.bot!.objectId };
  if (fault.times !== undefined) {
    // A passing fault: its first answers at this step only, however often the step runs.
    if (c.transientLeft <= 0) return () => undefined;
    const handle = sim.faults.add({ match, respond: fault.respond, times: c.transientLeft });
    c.handles.push(handle);
    return () => {
      c.transientLeft -= handle.hits;
      handle.remove();
    };
  }
  // A lasting fault: every call of the step, while the step runs.
  const handle = sim.faults.add({ match, respond: fault.respond });
  c.handles.push(handle);
  return () => handle.remove();
}

/** Ports of a port object that fail (as Table Storage or Teams would) while `down()` says so. */
function unlessDown<T extends object>(target: T, down: () => Error | undefined): T {
  return new Proxy(target, {
    get(t, property, receiver) {
      const value = Reflect.get(t, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const error = down();
        return error ? Promise.reject(error) : (value as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
}

function cellPorts(fault: MatrixFault | undefined): TestPorts {
  const info = sim.estateInfo;
  const base = testPorts({ scopes: info.resourceGroups.map((rg) => ({ subscriptionId: info.subscriptionId, resourceGroups: [rg] })), diagnosticsWorkspaceId: info.workspaces[0]!.id, channelId: 'channel-vpn-alerts' });
  const tablesDown = () => (cell && clock.now().getTime() < cell.tablesDownUntil ? Object.assign(new Error('Table Storage answered 503'), { statusCode: 503 }) : undefined);
  const teamsDown = () => (cell && clock.now().getTime() < cell.teamsDownUntil && cell.fault?.kind === 'teams' ? Object.assign(new Error(`Teams answered ${cell.fault.statusCode}`), { statusCode: cell.fault.statusCode }) : undefined);
  const siteIndex = new FakeSiteIndex(base.calls);
  const ports: ActivityPorts = {
    ...base.ports,
    ...(fault?.kind === 'azure' && 'delayMs' in fault.respond ? impatient : azure),
    audit: unlessDown(base.audit, tablesDown),
    approvals: unlessDown(base.approvals, tablesDown),
    jobIndex: unlessDown(base.jobIndex, tablesDown),
    siteIndex: unlessDown(siteIndex, tablesDown),
    messenger: unlessDown(base.messenger, teamsDown),
    approvalPolicy: { ...base.ports.approvalPolicy, required: { 'enable-diagnostics': true, 'rotate-certificate': true, 'provision-site': true, 'set-ipsec-policy': true, 'remove-site': true } },
    outboundRotation: { ...base.ports.outboundRotation, provisionWaitMinutes: 10, caCertificateId: `${info.vaults.find((v) => v.name === sandboxNames.caVault)!.url}/certificates/${sandboxNames.caCertificate}` },
    now: () => clock.now(),
  };
  return { ...base, ports, siteIndex };
}

async function settled(): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the host did not go idle')), 20_000);
  });
  try {
    await Promise.race([host.durable.idle(), stuck]);
  } finally {
    clearTimeout(timer);
  }
}

const terminal = (s: InstanceSnapshot | undefined) => s !== undefined && s.runtimeStatus !== 'Running' && s.runtimeStatus !== 'Pending';

interface CellResult {
  readonly request: InstanceSnapshot;
  readonly change?: InstanceSnapshot;
  readonly before: unknown;
  readonly after: unknown;
  readonly card: string;
  readonly audit: string[];
  readonly faultHits: number;
  readonly pendingInKeyVault: string[];
  /** Requests pending in Key Vault when the cell started (what the kind continues left there by design). */
  readonly pendingBefore: string[];
  /** The calls Azure answered during the cell. */
  readonly calls: readonly SimCallRecord[];
}

const pendingNow = (): string[] => sim.estateInfo.vaults.flatMap((v) => sim.vaults.listCertificates(v.name, true).filter((r) => r.pending?.status === 'inProgress').map((r) => `${v.name}/${r.name}`));

/** Runs one cell to its end: request, plan, approval by megan, apply, verify, roll back, audit. */
async function run(kind: MatrixChangeKind, step?: MatrixStep, fault?: MatrixFault, options: { readonly again?: true } = {}): Promise<CellResult> {
  if (kind.continues && !options.again) {
    // What the kind continues, run first without a fault (its change record is what the cell continues).
    const first = await run(kind.continues);
    expect((first.change?.output as ChangeOutput | undefined)?.endState).toBe('applied');
  }
  const callsBefore = sim.stats.calls().length;
  if (!options.again) kind.reset(sim);
  sim.faults.clear();
  cell = { kind, ...(step ? { step } : {}), ...(fault ? { fault } : {}), ports: cellPorts(fault), handles: [], transientLeft: fault?.kind === 'azure' ? (fault.times ?? 0) : 0, verificationBroken: false, tablesDownUntil: 0, teamsDownUntil: 0 };
  const ports = cell.ports;
  const before = kind.observe(sim);
  const pendingBefore = pendingNow();
  const n = ++cells;
  const envelope: JobEnvelope<unknown> = {
    jobId: `${kind.kind}-matrix-${n}`,
    commandLine: `${kind.kind} ${kind.request.site}`,
    requestedBy: alex,
    conversationKey: 'c0ffee0000000000000000000000000000000001',
    cardActivityId: `ack-${n}`,
    requestedAt: clock.now().toISOString(),
    payload: kind.request,
  };
  const started = await fetch(`${host.baseUrl}/api/start/${ORCHESTRATIONS.changeRequest}/${envelope.jobId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(envelope) });
  expect(started.status).toBe(202);
  let decided = false;
  let change: InstanceSnapshot | undefined;
  for (let waited = 0; waited <= CELL_BUDGET_MS; waited += STEP_MS) {
    await settled();
    // A call the bot gave up on (its 250 ms deadline, a held request, a slow machine) still lands in Azure, within the
    // pipeline's settle time in production: let it before the virtual clock moves on and the pipeline reads Azure back.
    await vi.waitUntil(() => sim.requestsInFlight() === 0, { timeout: 10_000, interval: 5 });
    const request = host.durable.getInstance(envelope.jobId);
    const handedOver = (request?.output as { kind?: string; jobId?: string } | undefined)?.kind === 'handed-over' ? (request!.output as { jobId: string }).jobId : undefined;
    change = handedOver ? host.durable.getInstance(handedOver) : undefined;
    if (change && !decided && (change.customStatus as { change?: { phase?: string } } | undefined)?.change?.phase === 'awaiting-approval') {
      // megan approves (the bot raises this after its checks of her press; those are tested in test/bot/).
      const payload = (change.input as JobEnvelope<ChangePayload>).payload;
      const response = await fetch(`${host.baseUrl}/runtime/webhooks/durabletask/instances/${encodeURIComponent(change.instanceId)}/raiseEvent/${DECISION_EVENT}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ decision: 'approved', by: megan, at: clock.now().toISOString(), fingerprint: payload.fingerprint }),
      });
      expect(response.status).toBe(202);
      decided = true;
      continue;
    }
    if ((change && terminal(change)) || (terminal(request) && !handedOver)) break;
    await clock.advance(STEP_MS);
    // Azure's clock is never behind the bot's (the simulator's also moves on its own with long-running operations).
    const lag = clock.now().getTime() - sim.clock.now().getTime();
    if (lag > 0) await sim.advance(lag);
  }
  const cards = ports.messenger.updates.filter((u) => u.conversationKey === envelope.conversationKey && u.activityId === envelope.cardActivityId);
  const pendingInKeyVault = pendingNow();
  const result: CellResult = {
    request: host.durable.getInstance(envelope.jobId)!,
    ...(change ? { change: host.durable.getInstance(change.instanceId)! } : {}),
    before,
    after: kind.observe(sim),
    card: cards.length > 0 ? visibleText(cards.at(-1)!.card) : '',
    audit: ports.audit.records.map((r) => `${r.outcome}: ${r.detail ?? ''}`),
    faultHits: cell.handles.reduce((sum, h) => sum + h.hits, 0),
    pendingInKeyVault,
    pendingBefore,
    calls: sim.stats.calls().slice(callsBefore),
  };
  cell = undefined;
  return result;
}

/** What a fault-free run of the row's scenario ends in: applied, or rolled back when the row breaks verification first. */
const cleanEnd = (step: MatrixStep | undefined, kind?: MatrixChangeKind): ChangeEndState => (step?.afterVerificationFails ? (kind?.keepOrRemove ? 'applied-unverified' : 'rolled-back') : 'applied');

/**
 * The end states a cell may have: a fault the product waits out ends as a clean run of the row. A keep-or-remove kind
 * (provisioning) may also end kept for Keep / Remove, or part-way with what exists named.
 */
function allowedEnds(step: MatrixStep, fault: MatrixFault, kind?: MatrixChangeKind): readonly ChangeEndState[] {
  if (waitedOut(fault, step)) return [cleanEnd(step, kind)];
  return kind?.keepOrRemove ? ['unchanged', 'applied', 'applied-unverified', 'needs-attention'] : ['unchanged', 'applied', 'rolled-back'];
}

/**
 * A kind that continues another (`--merge`): sending the same request again, without a fault, continues from what the
 * cell left: it ends applied and verified, or (when the cell made everything but did not verify) says the site is
 * provisioned; Azure holds what a clean run makes, and a write that lands once (the merge) is not made again.
 */
async function sendAgainContinues(kind: MatrixChangeKind): Promise<void> {
  if (!kind.continues) return;
  const landedBefore = kind.landsOnce?.landed(sim);
  const again = await run(kind, undefined, undefined, { again: true });
  const output = again.change?.output as ChangeOutput | undefined;
  if (output) {
    expect(output.endState).toBe('applied');
    expect(again.card).toContain(`${END_STATE_WORDS.applied}.`);
  } else expect(again.card).toMatch(new RegExp(`${kind.request.site} is provisioned: connection \\S+ exists`));
  expect(again.after).toEqual(appliedOf.get(kind));
  expect(again.pendingInKeyVault).toEqual([]);
  if (kind.landsOnce) {
    const { call } = kind.landsOnce;
    if (landedBefore) expect(again.calls.filter((c) => c.principalId === sim.estateInfo.principals.bot!.objectId && c.service === call.service && c.method === call.method && c.path?.toLowerCase().endsWith(call.pathEndsWith!.toLowerCase()))).toEqual([]);
    expect(kind.landsOnce.landed(sim)).toBe(true);
  }
}

/** Each kind's "applied" (its reference cell's end). */
const appliedOf = new Map<MatrixChangeKind, unknown>();

describe('fault matrix: every change kind × every Azure step × every fault ends unchanged, applied and verified, or rolled back and verified', () => {
  for (const kind of FAULT_MATRIX) {
    describe(kind.name ?? kind.kind, () => {
      let applied: unknown;
      it('without a fault: applied and verified (the reference for "applied")', async () => {
        const result = await run(kind);
        expect((result.change?.output as ChangeOutput | undefined)?.endState).toBe('applied');
        expect(result.after).not.toEqual(result.before);
        applied = result.after;
        appliedOf.set(kind, result.after);
      });

      it(kind.keepOrRemove ? 'verification that fails without a fault: kept, not verified, for Keep or Remove' : 'verification that fails without a fault: rolled back and verified', async () => {
        const result = await run(kind, kind.steps.find((s) => s.afterVerificationFails));
        if (kind.keepOrRemove) {
          expect((result.change?.output as ChangeOutput).endState).toBe('applied-unverified');
          expect(result.after).toEqual(applied);
          expect(result.card).toMatch(kind.nothingToDiagnose ? /applied, not verified: kept until someone chooses Keep or Remove\. It did not verify: / : /applied, not verified: kept until someone chooses Keep or Remove\. It did not verify: [\s\S]*Diagnosis: /);
          return;
        }
        expect((result.change?.output as ChangeOutput).endState).toBe('rolled-back');
        expect(result.after).toEqual(result.before);
      });

      for (const step of kind.steps) {
        for (const fault of FAULTS.filter((f) => applies(f, step))) {
          it(`${step.step} × ${fault.name}`, async () => {
            const result = await run(kind, step, fault);
            const output = result.change?.output as ChangeOutput | undefined;
                // It ended, and Azure is either as it was or as planned, never in between.
            expect(terminal(result.request)).toBe(true);
            if (result.change) expect(result.change.runtimeStatus).toBe('Completed');
            const azureState = JSON.stringify(result.after) === JSON.stringify(result.before) ? 'unchanged' : JSON.stringify(result.after) === JSON.stringify(applied) ? 'applied' : 'in between';
            if ((output as ChangeOutput | undefined)?.endState !== 'needs-attention') expect(azureState).not.toBe('in between');
            if (output?.endState === 'needs-attention' && result.pendingInKeyVault.length > 0) {
              // A request Key Vault took after the bot gave up on it (a timeout): part-way, and the card names it.
              for (const p of result.pendingInKeyVault) expect(result.card).toContain(`a pending certificate request for ${p.split('/')[1]}`);
            } else expect(result.pendingInKeyVault.filter((p) => !(azureState === 'applied' && p === kind.pendingWhenApplied) && !(azureState === 'unchanged' && result.pendingBefore.includes(p)))).toEqual([]);
            if (fault.kind === 'azure') expect(result.faultHits).toBeGreaterThan(0);
            if (!output) {
              // Never planned (or refused): nothing was applied, and the card and the audit say so.
              expect(azureState).toBe('unchanged');
              expect(result.card).toMatch(/nothing was changed/i);
              expect(result.audit.at(-1)).toMatch(/end state: nothing was changed/);
              expect(allowedEnds(step, fault, kind)).toContain('unchanged');
              await sendAgainContinues(kind);
              return;
            }
            expect(allowedEnds(step, fault, kind)).toContain(output.endState);
            if (output.endState === 'needs-attention') {
              // Only a keep-or-remove kind, part-way: the card names what exists, and asking again continues from it.
              expect(kind.keepOrRemove).toBe(true);
              expect(result.card).toMatch(/What exists now: .+\. Ask for it again to continue/);
              for (const thing of kind.existing?.(sim) ?? []) expect(result.card).toMatch(new RegExp(`What exists now: [^.]*\\b${thing}\\b`));
            } else expect(azureState).toBe(output.endState === 'applied' || output.endState === 'applied-unverified' ? 'applied' : 'unchanged');
            // The card and the audit say which.
            expect(result.card).toContain(`${END_STATE_WORDS[output.endState]}.`);
            expect(result.audit.at(-1)).toMatch(new RegExp(`end state: ${END_STATE_WORDS[output.endState].replace(/[()]/g, '\\$&')}$`));
            if (output.endState === 'unchanged' || output.endState === 'needs-attention') await sendAgainContinues(kind);
          });
        }
      }
    });
  }
});
