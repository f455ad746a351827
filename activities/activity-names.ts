import type { FleetRow, FleetSummary } from '../core/status/fleet-status';
import type { DiagnoseOutcome } from '../core/status/diagnose-outcome';
import type { PendingSite } from '../core/status/pending-site';
import type { SiteStatus } from '../core/status/site-status';
import type { IkeEvent } from '../core/ike/ike-event';
import type { JobEnvelope } from '../orchestrations/job-envelope';

/**
 * Activity names and their input/output types: the only thing orchestrations import from activities/, so
 * workflows stay deterministic and never see an adapter.
 */
export const ACTIVITIES = {
  inspectSite: 'inspectSite',
  listFleet: 'listFleet',
  inspectFleetChunk: 'inspectFleetChunk',
  readFleetCertificates: 'readFleetCertificates',
  diagnoseSite: 'diagnoseSite',
  enableDiagnostics: 'enableDiagnostics',
  showJobCard: 'showJobCard',
  recordAudit: 'recordAudit',
} as const;

export type ActivityName = (typeof ACTIVITIES)[keyof typeof ACTIVITIES];

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

export type InspectSiteInput = { readonly site: string };
export type InspectSiteOutput = { readonly kind: 'found'; readonly status: SiteStatus } | SiteNotFound;

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

/** The fleet job's output: what the paging buttons render from. */
export interface FleetResult {
  readonly rows: readonly FleetRow[];
  readonly summary: FleetSummary;
  readonly gaps: readonly string[];
  readonly checkedAt: string;
}

export interface DiagnoseSiteInput {
  readonly site: string;
  readonly hours: number;
  readonly deviceEvents?: readonly IkeEvent[];
  readonly deviceLines?: number;
}
export type DiagnoseSiteOutput = DiagnoseOutcome | SiteNotFound;

export type EnableDiagnosticsInput = { readonly site: string };
export type EnableDiagnosticsOutput =
  | { readonly kind: 'enabled'; readonly site: string; readonly gatewayName: string; readonly workspaceName: string; readonly alreadyEnabled: boolean }
  | SiteNotFound;

/** What a job's card should show now; rendered by the showJobCard activity (cards are built from these models). */
export type JobCardView =
  | { readonly kind: 'progress'; readonly step: string }
  | { readonly kind: 'site-status'; readonly status: SiteStatus }
  | SiteNotFound
  | { readonly kind: 'fleet'; readonly rows: readonly FleetRow[]; readonly page: number; readonly pageCount: number; readonly summary: FleetSummary; readonly progress?: { readonly inspected: number; readonly total: number }; readonly gaps: readonly string[]; readonly checkedAt: string }
  | { readonly kind: 'diagnosis'; readonly outcome: DiagnoseOutcome }
  | { readonly kind: 'diagnostics-enabled'; readonly site: string; readonly gatewayName: string; readonly workspaceName: string; readonly alreadyEnabled: boolean }
  | { readonly kind: 'failed'; readonly title: string; readonly problem: string; readonly fix?: string; readonly code: string };

export type ShowJobCardInput = { readonly envelope: JobEnvelope<unknown>; readonly view: JobCardView };

export type RecordAuditInput = {
  readonly envelope: JobEnvelope<unknown>;
  readonly action: string;
  readonly target: string;
  readonly outcome: 'succeeded' | 'failed';
  readonly detail?: string;
};
