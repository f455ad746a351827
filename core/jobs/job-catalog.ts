import type { IkeEvent } from '../ike/ike-event';
import type { JobRecord } from '../ports/jobs';
import type { DiagnoseOutcome } from '../status/diagnose-outcome';
import type { FleetRow, FleetSummary } from '../status/fleet-status';
import type { SiteStatus } from '../status/site-status';

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
  enableDiagnostics: 'enableDiagnosticsJob',
} as const;

export type OrchestrationName = (typeof ORCHESTRATIONS)[keyof typeof ORCHESTRATIONS];

export interface SiteNotFound {
  readonly kind: 'site-not-found';
  readonly typed: string;
  readonly suggestions: readonly string[];
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

export interface EnableDiagnosticsPayload {
  readonly site: string;
}
export type EnableDiagnosticsOutput =
  | { readonly kind: 'enabled'; readonly site: string; readonly gatewayName: string; readonly workspaceName: string; readonly alreadyEnabled: boolean }
  | SiteNotFound;

export interface JobCatalog {
  readonly siteStatusJob: { readonly payload: SiteStatusPayload; readonly output: SiteStatusOutput };
  readonly fleetStatusJob: { readonly payload: FleetStatusPayload; readonly output: FleetResult };
  readonly diagnoseSiteJob: { readonly payload: DiagnoseSitePayload; readonly output: DiagnoseSiteOutput };
  readonly enableDiagnosticsJob: { readonly payload: EnableDiagnosticsPayload; readonly output: EnableDiagnosticsOutput };
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
