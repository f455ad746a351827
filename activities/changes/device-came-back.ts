import type { ConnectionDetails } from '../../adapters/azure/network';
import { parseAzureIkeMessage } from '../../core/ike/parse-azure-ike-message';
import type { VerifyChangeOutput } from '../activity-names';
import type { ActivityPorts } from '../activity-ports';

/**
 * Whether the device came back after a change to a tunnel's authentication or proposals: every tunnel of the
 * connection Connected, and the gateway's IKE or tunnel logs show a successful negotiation with the device since the
 * change (Log Analytics receives rows a few minutes late: "no rows yet" is not success). Without diagnostic logs on
 * the gateway only the tunnel status can be checked, and the answer says so.
 */
export interface ComeBackTarget {
  readonly connectionId: string;
  readonly connectionName: string;
  readonly gatewayId: string;
  readonly deviceIp: string;
  readonly ikeWorkspace: string;
  readonly tunnelWorkspace: string;
}

export function comeBackTargetOf(details: Readonly<Record<string, string>>, connectionName: string): ComeBackTarget {
  return {
    connectionId: details.connectionId ?? '',
    connectionName,
    gatewayId: details.gatewayId ?? '',
    deviceIp: details.deviceIp ?? '',
    ikeWorkspace: details.ikeWorkspace ?? '',
    tunnelWorkspace: details.tunnelWorkspace ?? '',
  };
}

/** The tunnels of a connection as one line, and whether all are Connected. */
export function tunnelsLine(connection: Pick<ConnectionDetails, 'tunnels' | 'status'>): { readonly up: boolean; readonly text: string } {
  if (connection.tunnels.length === 0) return { up: connection.status === 'Connected', text: `the connection is ${connection.status}` };
  const up = connection.tunnels.every((t) => t.status === 'Connected');
  return { up, text: up ? `${connection.tunnels.length === 2 ? 'both tunnels are' : 'every tunnel is'} Connected` : connection.tunnels.map((t) => `${t.name} is ${t.status}`).join(', ') };
}

/** Successful negotiations with the device logged since `since`; undefined when the gateway sends no logs. */
export async function negotiationsSince(ports: ActivityPorts, target: ComeBackTarget, since: Date): Promise<number | undefined> {
  if (!target.ikeWorkspace && !target.tunnelWorkspace) return undefined;
  // Up to a quarter of an hour past our clock: Azure stamps its rows with its own.
  const query = { gatewayResourceId: target.gatewayId, from: since, to: new Date(ports.now().getTime() + 15 * 60_000), limit: 200, ...(target.deviceIp ? { remoteIp: target.deviceIp } : {}) };
  const [ike, tunnel] = await Promise.all([
    target.ikeWorkspace ? ports.logs.queryIkeDiagnostics(target.ikeWorkspace, query) : Promise.resolve([]),
    target.tunnelWorkspace ? ports.logs.queryTunnelDiagnostics(target.tunnelWorkspace, query) : Promise.resolve([]),
  ]);
  const established = ike
    .filter((row) => row.at.getTime() >= since.getTime())
    .map((row) => parseAzureIkeMessage({ timeGenerated: row.at, message: row.message, instance: row.instance, level: row.level }))
    .filter((e) => e.kind === 'sa-established').length;
  const connected = tunnel.filter((row) => row.at.getTime() >= since.getTime() && /^(tunnel)?connected$/i.test(row.status || row.operationName || '')).length;
  return established + connected;
}

/**
 * Tunnels up and a negotiation logged since `since` (the start of the step that changed Azure). Tunnels still down or
 * no rows yet are "not yet": the pipeline asks again until the plan's verifyWithinMs.
 */
export async function deviceCameBack(ports: ActivityPorts, target: ComeBackTarget, since: Date, what: string): Promise<VerifyChangeOutput> {
  const connection = await ports.network.getConnection(target.connectionId);
  if (connection.provisioningState !== 'Succeeded') return { ok: false, notYet: connection.provisioningState === 'Updating', detail: `${target.connectionName} is ${connection.provisioningState}` };
  const tunnels = tunnelsLine(connection);
  if (!tunnels.up) return { ok: false, notYet: true, detail: `${tunnels.text} with ${what}` };
  const negotiated = await negotiationsSince(ports, target, since);
  const device = target.deviceIp || 'the device';
  if (negotiated === undefined) return { ok: true, detail: `${tunnels.text} with ${what} (the gateway sends no IKE logs to Log Analytics, so only the tunnel status was checked)` };
  if (negotiated === 0) return { ok: false, notYet: true, detail: `${tunnels.text}, but the gateway's logs show no successful negotiation with ${device} since ${since.toISOString().slice(11, 19)} UTC yet (Log Analytics receives them a few minutes late)` };
  return { ok: true, detail: `${tunnels.text} with ${what}; the gateway logged ${negotiated} successful negotiation${negotiated === 1 ? '' : 's'} with ${device} since the change` };
}

/**
 * After a rollback (or an apply that failed): the configuration is as before, and a device that was connected before
 * the change is connected again ("not yet" while its tunnels come back). One that was down before stays as it was.
 */
export function backAsBefore(connection: Pick<ConnectionDetails, 'tunnels' | 'status'>, upBefore: boolean, what: string): VerifyChangeOutput {
  const tunnels = tunnelsLine(connection);
  if (upBefore && !tunnels.up) return { ok: false, notYet: true, detail: `${what}, but ${tunnels.text} (they were Connected before the change)` };
  return { ok: true, detail: `${what}; ${tunnels.text}` };
}
