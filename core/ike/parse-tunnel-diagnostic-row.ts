import type { TunnelEvent } from './ike-event';
import { sanitizeLogText } from './sanitize-log-text';

/** One AzureDiagnostics row of category TunnelDiagnosticLog (column names as Log Analytics returns them). */
export interface TunnelDiagnosticRow {
  timeGenerated: Date | string;
  status_s?: string;
  stateChangeReason_s?: string;
  remoteIP_s?: string;
  instance_s?: string;
  /** `TunnelConnected` / `TunnelDisconnected`: used when status_s is empty. */
  operationName?: string;
}

/**
 * A TunnelDiagnosticLog row as a TunnelEvent, or undefined when the row says neither Connected nor Disconnected or
 * has no usable time (such a row cannot be placed in the tunnel's history, so it is not guessed at).
 */
export function parseTunnelDiagnosticRow(row: TunnelDiagnosticRow): TunnelEvent | undefined {
  const raw = row?.timeGenerated;
  const date = raw instanceof Date ? raw : new Date(String(raw ?? ''));
  if (!Number.isFinite(date.getTime())) return undefined;
  const statusText = `${typeof row.status_s === 'string' ? row.status_s : ''} ${typeof row.operationName === 'string' ? row.operationName : ''}`.toLowerCase();
  const status = /disconnected/.test(statusText) ? 'Disconnected' : /connected/.test(statusText) ? 'Connected' : undefined;
  if (!status) return undefined;
  const event: TunnelEvent = { at: date.toISOString(), status };
  if (typeof row.stateChangeReason_s === 'string' && row.stateChangeReason_s.trim()) event.reason = sanitizeLogText(row.stateChangeReason_s, 300);
  if (typeof row.remoteIP_s === 'string' && /^[0-9A-Fa-f.:]{2,45}$/.test(row.remoteIP_s)) event.remoteIp = row.remoteIP_s;
  if (typeof row.instance_s === 'string' && row.instance_s.trim()) event.instance = sanitizeLogText(row.instance_s, 80);
  return event;
}
