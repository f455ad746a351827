import type { AdaptiveCard } from '../cards/adaptive-card';
import { card, heading, literal, paragraph } from '../cards/adaptive-card';
import { diagnosisCard } from '../cards/diagnosis-card';
import { errorCard } from '../cards/error-card';
import { fleetStatusCard } from '../cards/fleet-status-card';
import { jobCard } from '../cards/job-card';
import { siteStatusCard } from '../cards/site-status-card';
import { executeAction, VERBS } from '../cards/verbs';
import { findCommandSpec } from '../core/commands/command-specs';
import type { JobCardView, ShowJobCardInput } from './activity-names';
import type { ActivityPorts } from './activity-ports';

/** Renders the job's current view and updates its card in place (the acknowledgement card the bot sent). */
export async function showJobCard(input: ShowJobCardInput, ports: ActivityPorts): Promise<void> {
  const rendered = renderJobCard(input, ports.now());
  await ports.messenger.update(input.envelope.conversationKey, input.envelope.cardActivityId, rendered);
}

export function renderJobCard({ envelope, view }: ShowJobCardInput, now: Date): AdaptiveCard {
  switch (view.kind) {
    case 'progress':
      return jobCard({ jobId: envelope.jobId, commandLine: envelope.commandLine, requestedBy: envelope.requestedBy.name, startedAt: new Date(envelope.requestedAt), state: 'running', progress: [view.step] });
    case 'site-status':
      return siteStatusCard(view.status, { now });
    case 'site-not-found':
      return siteNotFoundCard(view.typed, view.suggestions, rerunCommandOf(envelope.commandLine));
    case 'fleet':
      return fleetStatusCard({ jobId: envelope.jobId, rows: view.rows, page: view.page, pageCount: view.pageCount, summary: view.summary, gaps: view.gaps, checkedAt: view.checkedAt, ...(view.progress ? { progress: view.progress } : {}) });
    case 'diagnosis':
      return diagnosisCard(view.outcome);
    case 'diagnostics-enabled':
      return card([
        heading(view.alreadyEnabled ? 'Diagnostics already on' : 'Diagnostics enabled', 'good'),
        literal(`Gateway ${view.gatewayName} sends IKEDiagnosticLog and TunnelDiagnosticLog to Log Analytics workspace ${view.workspaceName}.`),
        paragraph(view.alreadyEnabled ? 'Nothing had to change.' : 'Logs appear in the workspace after a few minutes; run diagnose again then.'),
      ], [executeAction(`diagnose ${view.site}`, VERBS.runCommand, { command: `diagnose ${view.site}` })]);
    case 'failed':
      return errorCard({ title: view.title, problem: view.problem, ...(view.fix ? { fix: view.fix } : {}), code: view.code, reference: envelope.jobId });
  }
}

/**
 * The command a suggestion button reruns: the job's own, when it is one people type; jobs started by a button
 * (enable diagnostics) have none, so their suggestions offer diagnose, which shows that button again if needed.
 */
function rerunCommandOf(commandLine: string): string {
  const first = commandLine.split(' ')[0] ?? '';
  return findCommandSpec(first) ? first : 'diagnose';
}

function siteNotFoundCard(typed: string, suggestions: readonly string[], command: string): AdaptiveCard {
  return errorCard({
    title: 'No such site',
    problem: `There is no certificate-authenticated site called ${typed} in the configured scope.`,
    fix: suggestions.length > 0 ? `Did you mean ${suggestions.join(', ')}?` : 'Type status to list every site.',
    code: 'UnknownSite',
    actions: suggestions.slice(0, 3).map((s) => executeAction(`${command} ${s}`, VERBS.runCommand, { command: `${command} ${s}` })),
  });
}

export type { JobCardView };
