import type { AdaptiveCard } from '../cards/adaptive-card';
import { card, heading, literal, paragraph } from '../cards/adaptive-card';
import { diagnosisCard } from '../cards/diagnosis-card';
import { errorCard } from '../cards/error-card';
import { fleetStatusCard } from '../cards/fleet-status-card';
import { jobCard } from '../cards/job-card';
import { siteStatusCard } from '../cards/site-status-card';
import { executeAction, VERBS } from '../cards/verbs';
import { findCommandSpec } from '../core/commands/command-specs';
import type { JobCardView, ShowJobCardInput, SiteNotFound } from './activity-names';
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
      return siteNotFoundCard(view, rerunCommandOf(envelope.commandLine));
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

/** Buttons that rerun the command for each site the person may have meant. */
const MAX_SITE_BUTTONS = 5;

function siteNotFoundCard(view: SiteNotFound, command: string): AdaptiveCard {
  const rerun = (sites: readonly string[]) => sites.slice(0, MAX_SITE_BUTTONS).map((s) => executeAction(`${command} ${s}`, VERBS.runCommand, { command: `${command} ${s}` }));
  if (view.pending) {
    const p = view.pending;
    return errorCard({
      title: `${p.site} is not in Azure yet`,
      problem: `${p.site} is a device waiting to be provisioned: Key Vault ${p.vaultName} already holds its outbound certificate ${p.certificateName}, but the configured scope has no connection for it yet.`,
      fix: `Provision it (its local network gateway, then the certificate connection); ${command} can read it once the connection exists.`,
      code: 'SiteNotProvisioned',
    });
  }
  if (view.ambiguous) {
    return errorCard({
      title: 'Which site?',
      problem: `${view.typed} could mean ${view.suggestions.length === 2 ? view.suggestions.join(' or ') : view.suggestions.join(', ')}.`,
      fix: 'Choose one, or type its full name.',
      code: 'AmbiguousSite',
      actions: rerun(view.suggestions),
    });
  }
  return errorCard({
    title: 'No such site',
    problem: `There is no certificate-authenticated site called ${view.typed} in the configured scope.`,
    fix: view.suggestions.length > 0 ? `Did you mean ${view.suggestions.join(', ')}?` : 'Type status to list every site.',
    code: 'UnknownSite',
    actions: rerun(view.suggestions.slice(0, 3)),
  });
}

export type { JobCardView };
