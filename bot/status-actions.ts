import { renderJobCard } from '../cards/job-card-view';
import { expiryReportCard } from '../cards/expiry-report-card';
import { MAX_EXPIRY_DAYS, narrowReport } from '../core/expiry/expiry-report';
import { completedOutput } from '../core/jobs/job-catalog';
import { fleetPage } from '../core/status/fleet-status';
import { UserError } from '../core/errors/user-error';
import { ORCHESTRATIONS } from '../core/jobs/job-catalog';
import type { BotDeps } from './bot-deps';
import type { ActionOutcome, CardAction } from '../core/ports/chat';
import { numberField, stringField } from './card-data';
import { requestChange } from './change-actions';
import { requireOwnJob } from './own-job';

const SITE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/;

/** "Enable diagnostics" on a diagnose card: a change request, exactly as typed `enable-diagnostics <site>`. */
export async function enableDiagnosticsAction(action: CardAction, deps: BotDeps): Promise<ActionOutcome> {
  const site = stringField(action.data, 'site', 80);
  if (!SITE.test(site)) throw new UserError('InvalidCardData', 'That button named an invalid site.');
  const { started } = await requestChange(action, { kind: 'enable-diagnostics', site }, `enable-diagnostics ${site}`, deps);
  if (started === 'failed') return { kind: 'message', text: 'Could not start; see the card below.' };
  if (started === 'conflict') return { kind: 'message', text: 'That change is already being planned.' };
  if (started === 'duplicate') return { kind: 'message', text: 'Already asked.' };
  return { kind: 'message', text: `Planning: enable diagnostics for ${site}.` };
}

/** Rotate (status, fleet rows, diagnosis notes, expiry reports): a change request, exactly as typed `rotate <site> outbound`. */
export async function rotateOutboundAction(action: CardAction, deps: BotDeps): Promise<ActionOutcome> {
  const site = stringField(action.data, 'site', 80);
  if (!SITE.test(site)) throw new UserError('InvalidCardData', 'That button named an invalid site.');
  const source = (action.data as { source?: unknown } | undefined)?.source;
  if (source !== undefined && source !== 'vault') throw new UserError('InvalidCardData', 'That button named an invalid certificate source.');
  const commandLine = `rotate ${site} outbound${source ? ` --source ${source}` : ''}`;
  const { started } = await requestChange(action, { kind: 'rotate-certificate', site, side: 'outbound', ...(source ? { source } : {}) }, commandLine, deps);
  if (started === 'failed') return { kind: 'message', text: 'Could not start; see the card below.' };
  if (started === 'conflict') return { kind: 'message', text: 'That change is already being planned.' };
  if (started === 'duplicate') return { kind: 'message', text: 'Already asked.' };
  return { kind: 'message', text: `Planning: ${commandLine}.` };
}

/** Next/Previous on the fleet card: re-renders another page from the finished job's output, in place. */
export async function fleetPageAction(action: CardAction, deps: BotDeps): Promise<ActionOutcome> {
  const jobId = stringField(action.data, 'jobId', 160);
  const page = numberField(action.data, 'page', 0, 10_000);
  const job = await deps.jobs.get(jobId);
  const result = completedOutput(job, ORCHESTRATIONS.fleetStatus);
  if (!job?.envelope || !result || !Array.isArray(result.rows)) {
    throw new UserError('FleetResultGone', 'That fleet report is no longer available.', 'Run status again for a fresh one.');
  }
  // A finished job's output is read by id: only its requester pages through it, as only they may cancel it.
  await requireOwnJob({ jobId, envelope: job.envelope }, action.caller, { action: 'fleetPage', problem: (owner) => `That fleet report was run by ${owner}; only they can page through it.`, fix: () => 'Type status for a fleet report of your own.' }, deps);
  const card = renderJobCard(job.envelope, { kind: 'fleet', ...fleetPage(result.rows, page), summary: result.summary, gaps: result.gaps, checkedAt: result.checkedAt }, deps.now());
  return { kind: 'card', card };
}

/** Next/Previous on an expiry report: another page from the finished job's output (or the day's report run), in place. */
export async function expiryPageAction(action: CardAction, deps: BotDeps): Promise<ActionOutcome> {
  const jobId = stringField(action.data, 'jobId', 200);
  const page = numberField(action.data, 'page', 0, 10_000);
  const daysField = (action.data as { days?: unknown } | undefined)?.days;
  const days = daysField === undefined ? undefined : numberField(action.data, 'days', 1, MAX_EXPIRY_DAYS);
  const job = await deps.jobs.get(jobId);
  const groupField = (action.data as { group?: unknown } | undefined)?.group;
  const group = groupField === undefined ? 0 : numberField(action.data, 'group', 0, 100);
  const own = completedOutput(job, ORCHESTRATIONS.expiryReport);
  const scheduled = completedOutput(job, ORCHESTRATIONS.expiryDelivery);
  const report = own?.kind === 'report' ? own.report : scheduled?.groups[group]?.report;
  if (!job || !report || !Array.isArray(report.rows)) {
    throw new UserError('ExpiryReportGone', 'That expiry report is no longer available.', 'Type expiry for a fresh one.');
  }
  const shown = days !== undefined ? narrowReport(report, days) : report;
  // A report posted to a channel is everyone's there; an on-demand one pages like the fleet card (anyone with reader may page).
  const paging = { jobId, ...(days !== undefined ? { days } : {}), ...(groupField !== undefined ? { group } : {}) };
  return { kind: 'card', card: expiryReportCard({ report: shown, page, paging, ...(scheduled ? { title: 'Daily certificate expiry report' } : {}) }) };
}
