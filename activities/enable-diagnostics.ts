import { UserError } from '../core/errors/user-error';
import type { EnableDiagnosticsInput, EnableDiagnosticsOutput } from './activity-names';
import type { ActivityPorts } from './activity-ports';
import { findSite } from './site-directory';

/** Sends the site's gateway IKE and tunnel logs to the configured Log Analytics workspace (adds only what is missing). */
export async function enableDiagnostics(input: EnableDiagnosticsInput, ports: ActivityPorts): Promise<EnableDiagnosticsOutput> {
  if (!ports.diagnosticsWorkspaceId) {
    throw new UserError(
      'DiagnosticsWorkspaceNotConfigured',
      'No Log Analytics workspace is configured for gateway diagnostics.',
      'Set the DIAGNOSTICS_WORKSPACE_ID app setting to the workspace resource id, or add a diagnostic setting on the gateway in the portal.',
    );
  }
  const c = await findSite(ports, input.site);
  if ('kind' in c) return c;
  const before = await ports.monitor.getGatewayDiagnostics(c.gatewayId);
  const alreadyEnabled = before.workspaceFor.IKEDiagnosticLog !== undefined && before.workspaceFor.TunnelDiagnosticLog !== undefined;
  if (!alreadyEnabled) await ports.monitor.enableGatewayDiagnostics(c.gatewayId, ports.diagnosticsWorkspaceId);
  const workspace = await ports.monitor.getWorkspace(ports.diagnosticsWorkspaceId);
  return { kind: 'enabled', site: c.site, gatewayName: c.gatewayId.split('/').pop() ?? c.gatewayId, workspaceName: workspace.name, alreadyEnabled };
}
