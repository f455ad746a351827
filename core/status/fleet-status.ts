import type { ConnectionState } from './site-status';
import { EXPIRY_WARNING_DAYS } from './site-status';

/** One row of the fleet card; JSON-safe and small (the whole fleet travels as the job's output for paging). */
export interface FleetRow {
  readonly site: string;
  readonly connectionName: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly status: ConnectionState;
  readonly tunnelsUp: number;
  readonly tunnelsTotal: number;
  /** Days until the outbound certificate expires (negative: expired); absent when unknown. */
  readonly outboundDays?: number;
  /** Fewest days until any certificate of the inbound chain expires. */
  readonly inboundDays?: number;
  readonly authenticationType: string;
  /** Key Vault id of the outbound certificate, so its expiry can be joined in once read. */
  readonly outboundCertificateId?: string;
  /** A problem that kept us from judging the row (unreadable certificate, failed read). */
  readonly problem?: string;
}

export type FleetSeverity = 'critical' | 'warning' | 'ok';

export interface FleetSummary {
  readonly total: number;
  readonly connected: number;
  readonly down: number;
  /** Connections with a certificate expiring within 30 days or already expired. */
  readonly expiring: number;
  readonly degraded: number;
}

export function severityOf(row: FleetRow): FleetSeverity {
  const days = minDays(row);
  if (row.status !== 'Connected' || (days !== undefined && days < 0) || row.problem) return 'critical';
  if ((days !== undefined && days < EXPIRY_WARNING_DAYS) || row.tunnelsUp < row.tunnelsTotal || row.authenticationType !== 'Certificate') return 'warning';
  return 'ok';
}

/** The short reason shown on the row, worst first. */
export function headlineOf(row: FleetRow): string {
  const parts: string[] = [];
  if (row.problem) parts.push(row.problem);
  if (row.status !== 'Connected') parts.push(row.status === 'Unknown' ? 'state unknown' : row.status === 'Connecting' ? 'connecting' : 'no tunnel up');
  else if (row.tunnelsUp < row.tunnelsTotal) parts.push(`${row.tunnelsUp}/${row.tunnelsTotal} tunnels up`);
  if (row.outboundDays !== undefined && row.outboundDays < 0) parts.push('outbound certificate expired');
  else if (row.outboundDays !== undefined && row.outboundDays < EXPIRY_WARNING_DAYS) parts.push(`outbound certificate expires in ${row.outboundDays} d`);
  if (row.inboundDays !== undefined && row.inboundDays < 0) parts.push('inbound chain expired');
  else if (row.inboundDays !== undefined && row.inboundDays < EXPIRY_WARNING_DAYS) parts.push(`inbound chain expires in ${row.inboundDays} d`);
  if (row.authenticationType !== 'Certificate') parts.push('pre-shared key');
  return parts.length > 0 ? parts.join(', ') : 'healthy';
}

const SEVERITY_ORDER: Record<FleetSeverity, number> = { critical: 0, warning: 1, ok: 2 };
const STATUS_ORDER: Record<ConnectionState, number> = { NotConnected: 0, Unknown: 1, Connecting: 2, Connected: 3 };

/** Worst first: critical before warning before ok; then down before up; then soonest expiry; then name. */
export function rankFleet(rows: readonly FleetRow[]): FleetRow[] {
  return [...rows].sort(
    (a, b) =>
      SEVERITY_ORDER[severityOf(a)] - SEVERITY_ORDER[severityOf(b)] ||
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
      (minDays(a) ?? Number.MAX_SAFE_INTEGER) - (minDays(b) ?? Number.MAX_SAFE_INTEGER) ||
      a.site.localeCompare(b.site),
  );
}

export function summarizeFleet(rows: readonly FleetRow[]): FleetSummary {
  let connected = 0;
  let down = 0;
  let expiring = 0;
  let degraded = 0;
  for (const row of rows) {
    if (row.status === 'Connected') connected++;
    else down++;
    const days = minDays(row);
    if (days !== undefined && days < EXPIRY_WARNING_DAYS) expiring++;
    if (row.status === 'Connected' && row.tunnelsUp < row.tunnelsTotal) degraded++;
  }
  return { total: rows.length, connected, down, expiring, degraded };
}

function minDays(row: FleetRow): number | undefined {
  const values = [row.outboundDays, row.inboundDays].filter((d): d is number => d !== undefined);
  return values.length > 0 ? Math.min(...values) : undefined;
}

/** Joins the separately read outbound certificates into the rows (days to expiry, or the read problem). */
export function withCertificates(rows: readonly FleetRow[], certificates: Readonly<Record<string, { readonly days?: number; readonly problem?: string }>>): FleetRow[] {
  return rows.map((row) => {
    const cert = row.outboundCertificateId ? certificates[row.outboundCertificateId] : undefined;
    if (!cert) return row;
    return {
      ...row,
      ...(cert.days !== undefined ? { outboundDays: cert.days } : {}),
      ...(cert.problem && !row.problem ? { problem: cert.problem } : {}),
    };
  });
}

/** Rows per page of the fleet card: with two actions per row this keeps the card well under 28 KB (measured in the card tests). */
export const FLEET_PAGE_SIZE = 12;

/** One page of a ranked fleet: the one place pages are cut, for the job's own card and for the paging buttons. */
export function fleetPage<Row>(rows: readonly Row[], page: number): { readonly rows: readonly Row[]; readonly page: number; readonly pageCount: number } {
  const pageCount = Math.max(1, Math.ceil(rows.length / FLEET_PAGE_SIZE));
  const shown = Math.min(Math.max(0, Math.floor(page)), pageCount - 1);
  return { rows: rows.slice(shown * FLEET_PAGE_SIZE, (shown + 1) * FLEET_PAGE_SIZE), page: shown, pageCount };
}
