import type { RunningChange, SiteNotFound } from '../core/jobs/job-catalog';
import type { JobRef } from '../core/jobs/job-envelope';
import { findCommandSpec } from '../core/commands/command-specs';
import type { DiagnoseOutcome } from '../core/status/diagnose-outcome';
import type { FleetRow, FleetSummary } from '../core/status/fleet-status';
import type { SiteStatus } from '../core/status/site-status';
import type { AdaptiveCard } from './adaptive-card';
import { card, heading, literal, literalHeading, paragraph } from './adaptive-card';
import type { ChangeCardModel } from './change-card';
import { changeCard } from './change-card';
import { diagnosisCard } from './diagnosis-card';
import { errorCard } from './error-card';
import { fleetStatusCard } from './fleet-status-card';
import { expiryReportCard } from './expiry-report-card';
import type { ExpiryReport } from '../core/expiry/expiry-report';
import { jobCard } from './job-card';
import { siteStatusCard } from './site-status-card';
import { executeAction, VERBS } from './verbs';

/**
 * What a job's card should show now: small, JSON-safe view models that orchestrations produce and that travel through
 * durable history; `renderJobCard` turns one into the card (the show-card activity only sends what it renders).
 */
export type JobCardView =
  | { readonly kind: 'progress'; readonly step: string }
  | { readonly kind: 'site-status'; readonly status: SiteStatus }
  | SiteNotFound
  | { readonly kind: 'fleet'; readonly rows: readonly FleetRow[]; readonly page: number; readonly pageCount: number; readonly summary: FleetSummary; readonly progress?: { readonly inspected: number; readonly total: number }; readonly gaps: readonly string[]; readonly checkedAt: string }
  | { readonly kind: 'diagnosis'; readonly outcome: DiagnoseOutcome }
  /** One page of an expiry report (`rows` holds the page only), with the number of pages. */
  | { readonly kind: 'expiry'; readonly report: ExpiryReport; readonly page: number; readonly pageCount: number }
  | { readonly kind: 'change'; readonly model: ChangeCardModel }
  | { readonly kind: 'change-refused'; readonly title: string; readonly running: RunningChange }
  | { readonly kind: 'nothing-to-change'; readonly title: string; readonly site: string; readonly why: string }
  | { readonly kind: 'failed'; readonly title: string; readonly problem: string; readonly fix?: string; readonly code: string; readonly findings?: string };

export function renderJobCard(envelope: JobRef, view: JobCardView, now: Date): AdaptiveCard {
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
    case 'expiry':
      return expiryReportCard({ report: view.report, page: view.page, pageCount: view.pageCount, paging: { jobId: envelope.jobId } });
    case 'change':
      return changeCard(view.model, 'requester');
    case 'change-refused':
      return card([
        heading('Another change is in progress', 'warning'),
        literal(`${view.title} was not started: job ${view.running.jobId} (${view.running.commandLine}) by ${view.running.requestedBy} is ${view.running.state}. One change per connection at a time.`, { max: 600 }),
        paragraph('Wait for it to finish, or ask its requester to withdraw it. Type `jobs` or `approvals` to follow it.', { subtle: true }),
      ]);
    case 'nothing-to-change':
      return card([literalHeading(`${view.title}: nothing to change`, 'good'), literal(view.why, { max: 500 })], [
        executeAction(`diagnose ${view.site}`, VERBS.runCommand, { command: `diagnose ${view.site}` }),
      ]);
    case 'failed':
      return errorCard({ title: view.title, problem: view.problem, ...(view.fix ? { fix: view.fix } : {}), ...(view.findings ? { findings: view.findings } : {}), code: view.code, reference: envelope.jobId });
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
  if (view.pending?.provisioning?.awaiting === 'signed-certificate') {
    const p = view.pending;
    return errorCard({
      title: `${p.site} waits for its signed certificate`,
      problem: `Provisioning ${p.provisioning!.id} of ${p.site} made its local network gateway, and Key Vault ${p.vaultName} holds the key and CSR of its outbound certificate ${p.certificateName}; the connection is created once the certificate your CA signs is merged.`,
      fix: `Have your CA sign the CSR (it is on the provisioning's card; az keyvault certificate pending show --vault-name ${p.vaultName} --name ${p.certificateName} prints it too), then send provision ${p.site} --merge with the signed certificate and its chain up to the root pasted below it.`,
      code: 'SiteAwaitingSignedCertificate',
    });
  }
  if (view.pending?.provisioning) {
    const p = view.pending;
    return errorCard({
      title: `${p.site} is partly provisioned`,
      problem: `Provisioning ${p.provisioning!.id} of ${p.site} made its local network gateway but no connection yet: it stopped part-way.`,
      fix: `Send the same provision command again: it continues from what exists under the same provisioning. Press Provision for the form with the site filled in.`,
      code: 'SiteProvisioningIncomplete',
      actions: [executeAction('Provision', VERBS.provisionForm, { site: p.site }, { style: 'positive' })],
    });
  }
  if (view.pending) {
    const p = view.pending;
    return errorCard({
      title: `${p.site} is not in Azure yet`,
      problem: `${p.site} is a device waiting to be provisioned: Key Vault ${p.vaultName} already holds its outbound certificate ${p.certificateName}, but the configured scope has no connection for it yet.`,
      fix: `Provision it: press Provision for the form, or type provision ${p.site} --ip <device address> --prefixes <CIDR> --subject <device certificate subject> with its CA chain below; ${command} can read it once the connection exists.`,
      code: 'SiteNotProvisioned',
      actions: [executeAction('Provision', VERBS.provisionForm, { site: p.site }, { style: 'positive' })],
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
