import type { JobCardView } from '../cards/job-card-view';
import type { JobEnvelope } from '../core/jobs/job-envelope';
import type { DiagnoseSiteOutput, EnableDiagnosticsOutput, FleetResult, SiteNotFound, SiteStatusOutput } from '../core/jobs/job-catalog';
import type { IkeEvent } from '../core/ike/ike-event';
import type { FleetRow } from '../core/status/fleet-status';

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
  enableDiagnostics: 'enableDiagnostics',
  showJobCard: 'showJobCard',
  recordAudit: 'recordAudit',
} as const;

export type ActivityName = (typeof ACTIVITIES)[keyof typeof ACTIVITIES];

export type { JobCardView, SiteNotFound, FleetResult };

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

export type EnableDiagnosticsInput = { readonly site: string };
export type { EnableDiagnosticsOutput };

export type ShowJobCardInput = { readonly envelope: JobEnvelope<unknown>; readonly view: JobCardView };

export type RecordAuditInput = {
  readonly envelope: JobEnvelope<unknown>;
  readonly action: string;
  readonly target: string;
  readonly outcome: 'succeeded' | 'failed';
  readonly detail?: string;
};

/** Every activity's input and output, by name. */
export interface ActivityCatalog {
  readonly inspectSite: { readonly input: InspectSiteInput; readonly output: InspectSiteOutput };
  readonly listFleet: { readonly input: Record<string, never>; readonly output: ListFleetOutput };
  readonly inspectFleetChunk: { readonly input: InspectFleetChunkInput; readonly output: InspectFleetChunkOutput };
  readonly readFleetCertificates: { readonly input: ReadFleetCertificatesInput; readonly output: ReadFleetCertificatesOutput };
  readonly diagnoseSite: { readonly input: DiagnoseSiteInput; readonly output: DiagnoseSiteOutput };
  readonly enableDiagnostics: { readonly input: EnableDiagnosticsInput; readonly output: EnableDiagnosticsOutput };
  readonly showJobCard: { readonly input: ShowJobCardInput; readonly output: void };
  readonly recordAudit: { readonly input: RecordAuditInput; readonly output: void };
}

export type ActivityInput<N extends ActivityName> = ActivityCatalog[N]['input'];
export type ActivityOutput<N extends ActivityName> = ActivityCatalog[N]['output'];
