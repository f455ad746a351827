import { gatewayLogCategories, productDiagnosticSettingName } from '../../adapters/azure/monitor';
import type { ChangePlan } from '../../core/change/change-plan';
import { UserError } from '../../core/errors/user-error';
import type { ChangeKindHandler } from './change-kind-handler';
import { findSite } from '../site-directory';

const lastSegment = (id: string) => id.split('/').filter(Boolean).pop() ?? id;

/**
 * Enable diagnostics: a diagnostic setting on the site's VPN gateway that sends IKEDiagnosticLog and
 * TunnelDiagnosticLog to the configured Log Analytics workspace. Changes no tunnel; rolled back by removing the
 * setting the bot created (when it did not exist before).
 */
export const enableDiagnosticsChange: ChangeKindHandler<{ readonly kind: 'enable-diagnostics'; readonly site: string }> = {
  async plan(request, ports) {
    const workspaceId = ports.diagnosticsWorkspaceId;
    if (!workspaceId) {
      throw new UserError(
        'DiagnosticsWorkspaceNotConfigured',
        'No Log Analytics workspace is configured for gateway diagnostics.',
        'Set the DIAGNOSTICS_WORKSPACE_ID app setting to the workspace resource id, or add a diagnostic setting on the gateway in the portal.',
      );
    }
    const c = await findSite(ports, request.site);
    if ('kind' in c) return c;
    const [current, workspace] = await Promise.all([ports.monitor.getGatewayDiagnostics(c.gatewayId), ports.monitor.getWorkspace(workspaceId)]);
    const gatewayName = lastSegment(c.gatewayId);
    const title = `Enable diagnostics on ${c.site}`;
    const missing = gatewayLogCategories.filter((category) => current.workspaceFor[category]?.toLowerCase() !== workspaceId.toLowerCase());
    if (missing.length === 0) {
      return { kind: 'nothing-to-change', title, site: c.site, why: `Gateway ${gatewayName} already sends IKEDiagnosticLog and TunnelDiagnosticLog to Log Analytics workspace ${workspace.name}; run diagnose again in a few minutes if logs are missing.` };
    }
    const ours = current.settings.some((s) => s.name === productDiagnosticSettingName);
    const plan: ChangePlan = {
      kind: 'enable-diagnostics',
      title,
      site: c.site,
      target: { connectionId: c.id, connectionName: c.name },
      changes: missing.map((category) => ({
        resource: gatewayName,
        field: category,
        before: current.workspaceFor[category] ? `sent to workspace ${lastSegment(current.workspaceFor[category])}` : 'not sent anywhere',
        after: `sent to workspace ${workspace.name}`,
      })),
      risk: 'No tunnel is touched: only the gateway\'s IKE and tunnel logs start flowing to Log Analytics (ingestion is billed per GB).',
      verify: `Read the gateway's diagnostic settings back: both log categories go to workspace ${workspace.name}.`,
      ...(ours ? {} : { rollback: `Remove the diagnostic setting ${productDiagnosticSettingName} from gateway ${gatewayName}.` }),
      // Where each category went before, so a failed apply or a rollback can be checked against it.
      details: { gatewayId: c.gatewayId, workspaceId, workspaceName: workspace.name, ...Object.fromEntries(gatewayLogCategories.map((category) => [`before:${category}`, current.workspaceFor[category] ?? ''])) },
    };
    return plan;
  },

  async apply(plan, ports) {
    const gatewayId = plan.details.gatewayId!;
    await ports.monitor.enableGatewayDiagnostics(gatewayId, plan.details.workspaceId!);
    return `gateway ${lastSegment(gatewayId)} now sends its IKE and tunnel logs to workspace ${plan.details.workspaceName}; they appear there a few minutes later`;
  },

  async verify(plan, ports) {
    const gatewayId = plan.details.gatewayId!;
    const workspaceId = plan.details.workspaceId!.toLowerCase();
    const after = await ports.monitor.getGatewayDiagnostics(gatewayId);
    const wrong = gatewayLogCategories.filter((category) => after.workspaceFor[category]?.toLowerCase() !== workspaceId);
    return wrong.length === 0
      ? { ok: true, detail: `both log categories go to workspace ${plan.details.workspaceName}` }
      : { ok: false, detail: `${wrong.join(' and ')} ${wrong.length === 1 ? 'does' : 'do'} not go to workspace ${plan.details.workspaceName}` };
  },

  async verifyUnchanged(plan, ports) {
    const after = await ports.monitor.getGatewayDiagnostics(plan.details.gatewayId!);
    const moved = gatewayLogCategories.filter((category) => (after.workspaceFor[category] ?? '').toLowerCase() !== (plan.details[`before:${category}`] ?? '').toLowerCase());
    const ours = plan.rollback !== undefined && after.settings.some((s) => s.name === productDiagnosticSettingName);
    if (moved.length === 0 && !ours) return { ok: true, detail: 'the gateway sends its logs where it did before' };
    return { ok: false, detail: moved.length > 0 ? `${moved.join(' and ')} ${moved.length === 1 ? 'goes' : 'go'} elsewhere than before` : `the diagnostic setting ${productDiagnosticSettingName} is still there` };
  },

  async rollback(plan, ports) {
    const gatewayId = plan.details.gatewayId!;
    await ports.monitor.removeProductDiagnosticSetting(gatewayId);
    return `removed the diagnostic setting ${productDiagnosticSettingName} from gateway ${lastSegment(gatewayId)}`;
  },
};
