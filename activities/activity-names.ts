import type { ChangeCardModel } from '../cards/change-card';
import type { JobCardView } from '../cards/job-card-view';
import type { ChangeRequest } from '../core/change/change-kind';
import type { ChangePlan, NothingToChange } from '../core/change/change-plan';
import type { ChangeState } from '../core/change/change-state';
import type { JobEnvelope, JobRef } from '../core/jobs/job-envelope';
import type { ChangeRequestPayload, DiagnoseSiteOutput, FleetResult, RunningChange, SiteNotFound, SiteStatusOutput } from '../core/jobs/job-catalog';
import type { AuditOutcome } from '../core/ports/audit';
import type { Destination } from '../core/ports/messaging';
import type { IkeEvent } from '../core/ike/ike-event';
import type { FleetRow } from '../core/status/fleet-status';
import type { ExpiryReport } from '../core/expiry/expiry-report';

/**
 * Activity names and their input/output types (the activity catalog): the only thing orchestrations import from
 * activities/, so workflows stay deterministic and never see an adapter. `ACTIVITY_FUNCTIONS` must implement every
 * entry with exactly these types, and orchestrations call them through `activity()` (orchestration-context.ts), so
 * results need no cast.
 */
export const ACTIVITIES = {
  inspectSite: 'inspectSite',
  listFleet: 'listFleet',
  inspectFleetChunk: 'inspectFleetChunk',
  readFleetCertificates: 'readFleetCertificates',
  diagnoseSite: 'diagnoseSite',
  showJobCard: 'showJobCard',
  recordAudit: 'recordAudit',
  planChange: 'planChange',
  startChange: 'startChange',
  applyChange: 'applyChange',
  verifyChange: 'verifyChange',
  verifyUnchanged: 'verifyUnchanged',
  rollbackChange: 'rollbackChange',
  openApproval: 'openApproval',
  postApprovalCard: 'postApprovalCard',
  remindApprovers: 'remindApprovers',
  closeApproval: 'closeApproval',
  showChange: 'showChange',
  notifyRequester: 'notifyRequester',
  refreshSiteIndex: 'refreshSiteIndex',
  readExpiryReport: 'readExpiryReport',
  listExpirySubscriptions: 'listExpirySubscriptions',
  postExpiryReport: 'postExpiryReport',
  markExpiryRotated: 'markExpiryRotated',
} as const;

export type ActivityName = (typeof ACTIVITIES)[keyof typeof ACTIVITIES];

export type { ChangeCardModel, JobCardView, SiteNotFound, FleetResult };

export type InspectSiteInput = { readonly site: string };
export type InspectSiteOutput = SiteStatusOutput;

/** A connection found by the list calls, with what the list already tells (no per-connection read yet). */
export interface FleetRef {
  readonly site: string;
  readonly connectionName: string;
  readonly connectionId: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly authenticationType: string;
  readonly outboundCertificateId?: string;
  readonly inboundDays?: number;
  readonly inboundProblem?: string;
}

export type ListFleetOutput = { readonly refs: readonly FleetRef[]; readonly gaps: readonly string[] };
export type InspectFleetChunkInput = { readonly refs: readonly FleetRef[] };
export type InspectFleetChunkOutput = { readonly rows: readonly FleetRow[] };
/** Distinct outbound certificate ids of the fleet: each is read once, however many connections share it. */
export type ReadFleetCertificatesInput = { readonly certificateIds: readonly string[] };
/** Days to expiry (or a problem) per certificate id. */
export type ReadFleetCertificatesOutput = { readonly certificates: Readonly<Record<string, { readonly days?: number; readonly problem?: string }>> };

export interface DiagnoseSiteInput {
  readonly site: string;
  readonly hours: number;
  readonly deviceEvents?: readonly IkeEvent[];
  readonly deviceLines?: number;
}
export type { DiagnoseSiteOutput };

export type ShowJobCardInput = { readonly envelope: JobRef; readonly view: JobCardView };

export type RecordAuditInput = {
  readonly envelope: JobRef;
  readonly action: string;
  readonly target: string;
  readonly outcome: AuditOutcome;
  readonly detail?: string;
  /** Who acted, when not the requester (e.g. the approver of a decision); from the verified invoke that decided. */
  readonly actor?: { readonly aadObjectId: string; readonly name: string };
};

export type PlanChangeInput = ChangeRequest;
export type PlanChangeOutput = { readonly kind: 'planned'; readonly plan: ChangePlan; readonly fingerprint: string } | NothingToChange | SiteNotFound;
export type StartChangeInput = { readonly envelope: JobEnvelope<ChangeRequestPayload>; readonly plan: ChangePlan; readonly fingerprint: string };
export type StartChangeOutput = { readonly kind: 'handed-over'; readonly jobId: string } | { readonly kind: 'refused'; readonly running: RunningChange };
/**
 * A step of a change job. The step reads the plan from the job's input (Durable stores it once), so repeated checks
 * do not copy it into history again. `since` (verify and verifyUnchanged): when the step being checked began (the
 * apply, or the rollback), so a check of tunnels and logs counts only what happened after it.
 */
/** `step`: for a plan with `steps`, the one step to apply (index into `plan.steps`). */
export type ChangeStepInput = { readonly jobId: string; readonly since?: string; readonly step?: number };
export type ApplyChangeOutput = { readonly detail: string };
/**
 * A read-back. `notYet`: not there yet but it may still come (a tunnel renegotiating, logs not ingested yet): the
 * pipeline asks again until the plan's `verifyWithinMs` has passed; without it, a "no" is final.
 */
export type VerifyChangeOutput = { readonly ok: boolean; readonly detail: string; readonly notYet?: boolean };
/** An approval card the bot posted (in the approvals channel, or an approver's personal chat). */
export type ApprovalCardRef = { readonly conversationKey: string; readonly activityId: string };
/**
 * What the change's card activities need: the job (without its payload), the state to show, and where approval cards
 * are. The plan is not here: the activity reads it from the change job's input, so it is not copied into history
 * again with every card update.
 */
export type ChangeCardsInput = {
  readonly job: JobRef;
  readonly state: ChangeState;
  readonly cards: readonly ApprovalCardRef[];
};
/** The request, listed for `approvals` (what PendingApproval holds beyond the job). */
export type OpenApprovalInput = { readonly job: JobRef; readonly requestId: string; readonly title: string; readonly site: string; readonly fingerprint: string; readonly expiresAt: string };
/** One approval card: to the approvals channel, or to one approver's personal chat. */
export type PostApprovalCardInput = { readonly job: JobRef; readonly state: ChangeState; readonly to: Destination };
/** Posted; or the approver cannot be reached personally (they never talked to the bot), in words for the requester. */
export type PostApprovalCardOutput = ({ readonly kind: 'posted' } & ApprovalCardRef) | { readonly kind: 'unreachable'; readonly problem: string };

/** A connection a change created, changed or removed: its site index entry is read again. */
export type RefreshSiteIndexInput = { readonly connectionId: string };

/** The expiry report: what expires within `thresholdDays` (one site, or the whole scope). */
export type ReadExpiryReportInput = { readonly thresholdDays?: number; readonly tierBounds?: readonly number[]; readonly site?: string };
/** The report, with how many reads it took (for the benchmark and the logs). */
export type ReadExpiryReportOutput =
  | { readonly kind: 'report'; readonly report: ExpiryReport; readonly reads: { readonly connectionsListed: number; readonly certificateVersionLists: number; readonly vaultCa: number } }
  | SiteNotFound;

/** What the daily run needs of each subscription. */
export type ListExpirySubscriptionsOutput = {
  readonly subscriptions: readonly { readonly conversationKey: string; readonly days: number; readonly at?: string }[];
  /** A conversation with nothing to report gets nothing (else one line). */
  readonly quietWhenFine: boolean;
};
/** One conversation's daily report: the first page of its rows (`report.rows` holds only the page) and the sites it offers Rotate for. */
export type PostExpiryReportInput = {
  readonly jobId: string;
  readonly day: string;
  readonly group: number;
  readonly conversationKey: string;
  readonly days: number;
  readonly view: { readonly report: ExpiryReport; readonly pageCount: number };
  readonly sites: readonly string[];
  readonly quietWhenFine: boolean;
};
export type PostExpiryReportOutput =
  | { readonly kind: 'posted'; readonly activityId: string }
  /** Posted earlier today (a second run, or this step repeated after a restart). */
  | { readonly kind: 'already' }
  | { readonly kind: 'quiet' }
  /** Unsubscribed meanwhile. */
  | { readonly kind: 'unsubscribed' }
  /** The bot was removed from the conversation (403/404): unsubscribed, the subscriber told. */
  | { readonly kind: 'removed' }
  | { readonly kind: 'unreachable'; readonly problem: string };
/** A rotation of the site's outbound certificate completed at `at`. */
export type MarkExpiryRotatedInput = { readonly site: string; readonly at: string };

/** Every activity's input and output, by name. */
export interface ActivityCatalog {
  readonly inspectSite: { readonly input: InspectSiteInput; readonly output: InspectSiteOutput };
  readonly listFleet: { readonly input: Record<string, never>; readonly output: ListFleetOutput };
  readonly inspectFleetChunk: { readonly input: InspectFleetChunkInput; readonly output: InspectFleetChunkOutput };
  readonly readFleetCertificates: { readonly input: ReadFleetCertificatesInput; readonly output: ReadFleetCertificatesOutput };
  readonly diagnoseSite: { readonly input: DiagnoseSiteInput; readonly output: DiagnoseSiteOutput };
  readonly showJobCard: { readonly input: ShowJobCardInput; readonly output: void };
  readonly recordAudit: { readonly input: RecordAuditInput; readonly output: void };
  readonly planChange: { readonly input: PlanChangeInput; readonly output: PlanChangeOutput };
  readonly startChange: { readonly input: StartChangeInput; readonly output: StartChangeOutput };
  readonly applyChange: { readonly input: ChangeStepInput; readonly output: ApplyChangeOutput };
  readonly verifyChange: { readonly input: ChangeStepInput; readonly output: VerifyChangeOutput };
  readonly verifyUnchanged: { readonly input: ChangeStepInput; readonly output: VerifyChangeOutput };
  readonly rollbackChange: { readonly input: ChangeStepInput; readonly output: ApplyChangeOutput };
  readonly openApproval: { readonly input: OpenApprovalInput; readonly output: void };
  readonly postApprovalCard: { readonly input: PostApprovalCardInput; readonly output: PostApprovalCardOutput };
  readonly remindApprovers: { readonly input: ChangeCardsInput; readonly output: void };
  readonly closeApproval: { readonly input: { readonly requestId: string }; readonly output: void };
  readonly showChange: { readonly input: ChangeCardsInput; readonly output: void };
  readonly notifyRequester: { readonly input: ChangeCardsInput; readonly output: void };
  readonly refreshSiteIndex: { readonly input: RefreshSiteIndexInput; readonly output: void };
  readonly readExpiryReport: { readonly input: ReadExpiryReportInput; readonly output: ReadExpiryReportOutput };
  readonly listExpirySubscriptions: { readonly input: Record<string, never>; readonly output: ListExpirySubscriptionsOutput };
  readonly postExpiryReport: { readonly input: PostExpiryReportInput; readonly output: PostExpiryReportOutput };
  readonly markExpiryRotated: { readonly input: MarkExpiryRotatedInput; readonly output: void };
}

export type ActivityInput<N extends ActivityName> = ActivityCatalog[N]['input'];
export type ActivityOutput<N extends ActivityName> = ActivityCatalog[N]['output'];
