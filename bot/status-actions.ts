import type { FleetResult } from '../activities/activity-names';
import { renderJobCard } from '../activities/show-job-card';
import { errorCard } from '../cards/error-card';
import { FLEET_PAGE_SIZE } from '../cards/fleet-status-card';
import { jobCard } from '../cards/job-card';
import { UserError } from '../core/errors/user-error';
import type { EnableDiagnosticsPayload } from '../orchestrations/enable-diagnostics';
import type { JobEnvelope } from '../orchestrations/job-envelope';
import { ORCHESTRATIONS } from '../orchestrations/orchestration-names';
import type { BotDeps } from './bot-deps';
import type { ActionOutcome, CardAction } from './chat-ports';
import { numberField, stringField } from './handle-card-action';
import { indexJob } from './handle-message';
import { presentError } from './present-error';

const SITE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/;

/** "Enable diagnostics" on a diagnose card: a change, started as its own audited job with its own card. */
export async function enableDiagnosticsAction(action: CardAction, deps: BotDeps): Promise<ActionOutcome> {
  const site = stringField(action.data, 'site', 80);
  if (!SITE.test(site)) throw new UserError('InvalidCardData', 'That button named an invalid site.');
  const jobId = `enable-diagnostics-${site.toLowerCase()}-${deps.newId()}`;
  const requestedBy = { aadObjectId: action.caller.aadObjectId!, name: action.caller.displayName };
  const startedAt = deps.now();
  const commandLine = `enable diagnostics for ${site}`;
  const conversationKey = await action.rememberConversation();
  const cardActivityId = await action.reply(jobCard({ jobId, commandLine, requestedBy: requestedBy.name, startedAt, state: 'started' }));
  const envelope: JobEnvelope<EnableDiagnosticsPayload> = { jobId, commandLine, requestedBy, conversationKey, cardActivityId, requestedAt: startedAt.toISOString(), payload: { site } };
  let started: 'started' | 'conflict';
  try {
    started = await deps.jobs.start(ORCHESTRATIONS.enableDiagnostics, envelope);
  } catch (error) {
    await action.update(cardActivityId, presentError(error, { log: deps.log, reference: jobId, where: 'start enableDiagnostics', title: 'Could not start' }));
    return { kind: 'message', text: 'Could not start; see the card below.' };
  }
  if (started === 'conflict') {
    // No job will update the acknowledgement card, so it must not keep promising a result.
    await action.update(cardActivityId, errorCard({ title: 'Already running', problem: 'Diagnostics are already being enabled for that site.', fix: 'Wait for it to finish, or see `jobs`.', code: 'JobAlreadyRunning' }));
    return { kind: 'message', text: 'Diagnostics are already being enabled for that site.' };
  }
  await indexJob(deps, jobId, requestedBy.aadObjectId, startedAt);
  await deps.audit.record({ action: 'enable-diagnostics', actor: requestedBy, target: site, outcome: 'started', jobId });
  return { kind: 'message', text: `Enabling diagnostics for ${site}.` };
}

/** Next/Previous on the fleet card: re-renders another page from the finished job's output, in place. */
export async function fleetPageAction(action: CardAction, deps: BotDeps): Promise<ActionOutcome> {
  const jobId = stringField(action.data, 'jobId', 160);
  const page = numberField(action.data, 'page', 0, 10_000);
  const job = await deps.jobs.get(jobId);
  const result = job?.output as FleetResult | undefined;
  if (!job || !job.envelope || job.status !== 'Completed' || !result || !Array.isArray(result.rows)) {
    throw new UserError('FleetResultGone', 'That fleet report is no longer available.', 'Run status again for a fresh one.');
  }
  const pageCount = Math.max(1, Math.ceil(result.rows.length / FLEET_PAGE_SIZE));
  const shown = Math.min(page, pageCount - 1);
  const card = renderJobCard(
    {
      envelope: job.envelope,
      view: { kind: 'fleet', rows: result.rows.slice(shown * FLEET_PAGE_SIZE, (shown + 1) * FLEET_PAGE_SIZE), page: shown, pageCount, summary: result.summary, gaps: result.gaps, checkedAt: result.checkedAt },
    },
    deps.now(),
  );
  return { kind: 'card', card };
}
