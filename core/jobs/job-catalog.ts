import type { ChangeRequest } from '../change/change-kind';
import type { ChangePlan, NothingToChange } from '../change/change-plan';
import type { ChangeEndState, ChangePhase } from '../change/change-state';
import type { IkeEvent } from '../ike/ike-event';
import type { JobRecord } from '../ports/jobs';
import type { DiagnoseOutcome } from '../status/diagnose-outcome';
import type { FleetRow, FleetSummary } from '../status/fleet-status';
import type { PendingSite } from '../status/pending-site';
import type { SiteStatus } from '../status/site-status';
import type { ExpiryReport } from '../expiry/expiry-report';

/**
 * The typed job catalog: every orchestration the bot starts, by name, with the payload its envelope carries and the
 * output it completes with. The bot starts jobs by these names, `functions/` registers the orchestrators under them,
 * and `startJob`, `getInput` (see orchestrations/orchestration-context.ts) and job outputs are typed from here, so no
 * caller casts. Function names share one namespace with activities, hence the `Job` suffix.
 */
export const ORCHESTRATIONS = {
  siteStatus: 'siteStatusJob',
  fleetStatus: 'fleetStatusJob',
  diagnoseSite: 'diagnoseSiteJob',
  /** Plans a change and hands it to its change job (or refuses when another change to the target runs). */
  changeRequest: 'changeRequestJob',
  /** One change, under its business key: approval, apply, verify, roll back, audit. */
  change: 'changeJob',
  /** `expiry [--days N] [site]`: what expires, worst first. */
  expiryReport: 'expiryReportJob',
  /** The daily expiry report to every subscribed conversation (started by the timer, one per day: `expiry-daily-<day>`). */
  expiryDelivery: 'expiryDeliveryJob',
} as const;

export type OrchestrationName = (typeof ORCHESTRATIONS)[keyof typeof ORCHESTRATIONS];

/** No one site answers to the typed name: what the person should type instead, or why the site is not there yet. */
export interface SiteNotFound {
  readonly kind: 'site-not-found';
  readonly typed: string;
  /** The closest site names ("did you mean"); with `ambiguous`, every site the short name could mean. */
  readonly suggestions: readonly string[];
  /** The typed name is the short name of several sites (`paris` for `site-paris` and `dc-paris`): pick one. */
  readonly ambiguous?: true;
  /** Not in Azure yet, but its outbound certificate waits in Key Vault: a site waiting to be provisioned. */
  readonly pending?: PendingSite;
}

export interface SiteStatusPayload {
  readonly site: string;
}
export type SiteStatusOutput = { readonly kind: 'found'; readonly status: SiteStatus } | SiteNotFound;

export interface FleetStatusPayload {
  readonly page: number;
}
/** The fleet job's output: what the paging buttons render from. */
export interface FleetResult {
  readonly rows: readonly FleetRow[];
  readonly summary: FleetSummary;
  readonly gaps: readonly string[];
  readonly checkedAt: string;
}

export interface DiagnoseSitePayload {
  readonly site: string;
  readonly hours: number;
  /** The on-prem device's log, parsed by the bot and reduced to its significant events (bounded). */
  readonly deviceLog?: { readonly lines: number; readonly source: 'pasted' | 'file'; readonly events: readonly IkeEvent[] };
}
export type DiagnoseSiteOutput = DiagnoseOutcome | SiteNotFound;

export type ChangeRequestPayload = ChangeRequest;
/** The running change a second request for the same target is refused with. */
export interface RunningChange {
  readonly jobId: string;
  readonly requestedBy: string;
  readonly state: string;
  readonly commandLine: string;
}
export type ChangeRequestOutput =
  | { readonly kind: 'handed-over'; readonly jobId: string }
  | { readonly kind: 'refused'; readonly running: RunningChange }
  | NothingToChange
  | SiteNotFound;

/** How the change is approved: decided from configuration when the change was planned, fixed for its whole life. */
export interface ApprovalTerms {
  readonly required: boolean;
  /** How long approvers have; a reminder goes out at half-time. */
  readonly timeoutMs: number;
  /** Entra object ids of the approvers (the card's user-specific view and personal cards go to them). */
  readonly approverIds: readonly string[];
  /** The Teams channel the approval request is posted in; personal cards to each approver without one. */
  readonly channelId?: string;
}

export interface ChangePayload {
  /** The request job that planned this change: a decision is recorded once per request. */
  readonly requestId: string;
  readonly plan: ChangePlan;
  readonly fingerprint: string;
  readonly approval: ApprovalTerms;
}
export interface ChangeOutput {
  readonly phase: ChangePhase;
  readonly detail?: string;
  /** Where Azure was left, as read back (a change that was never applied: unchanged). */
  readonly endState: ChangeEndState;
}

export interface ExpiryReportPayload {
  /** Absent: the largest configured tier (30 days by default). */
  readonly days?: number;
  readonly site?: string;
}
export type ExpiryReportOutput = { readonly kind: 'report'; readonly report: ExpiryReport } | SiteNotFound;

export interface ExpiryDeliveryPayload {
  /** `YYYY-MM-DD` (UTC): the day this run reports for. */
  readonly day: string;
}
/** The day's run: each read (one per posting time) with its report, for paging and in-place updates; what was posted. */
export interface ExpiryDeliveryOutput {
  readonly day: string;
  readonly groups: readonly { readonly at: string; readonly days: number; readonly report: ExpiryReport }[];
  readonly posted: number;
  readonly already: number;
  readonly removed: number;
  readonly problems: readonly string[];
}

export interface JobCatalog {
  readonly siteStatusJob: { readonly payload: SiteStatusPayload; readonly output: SiteStatusOutput };
  readonly fleetStatusJob: { readonly payload: FleetStatusPayload; readonly output: FleetResult };
  readonly diagnoseSiteJob: { readonly payload: DiagnoseSitePayload; readonly output: DiagnoseSiteOutput };
  readonly changeRequestJob: { readonly payload: ChangeRequestPayload; readonly output: ChangeRequestOutput };
  readonly changeJob: { readonly payload: ChangePayload; readonly output: ChangeOutput };
  readonly expiryReportJob: { readonly payload: ExpiryReportPayload; readonly output: ExpiryReportOutput };
  readonly expiryDeliveryJob: { readonly payload: ExpiryDeliveryPayload; readonly output: ExpiryDeliveryOutput };
}

export type JobPayload<N extends OrchestrationName> = JobCatalog[N]['payload'];
export type JobOutput<N extends OrchestrationName> = JobCatalog[N]['output'];

/**
 * A finished job's output, typed by the catalog: only when the record is a completed job of that orchestration (the
 * Durable client returns outputs as untyped JSON; this is the one place that trusts the name to tell its type).
 */
export function completedOutput<N extends OrchestrationName>(record: JobRecord | undefined, name: N): JobOutput<N> | undefined {
  if (!record || record.orchestration !== name || record.status !== 'Completed' || record.output === undefined) return undefined;
  return record.output as JobOutput<N>;
}
