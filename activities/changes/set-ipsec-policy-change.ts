import type { IpsecPolicySettings } from '../../adapters/azure/network';
import type { SetIpsecPolicyRequest } from '../../core/change/change-kind';
import type { ChangePlan } from '../../core/change/change-plan';
import { UserError } from '../../core/errors/user-error';
import { formatIkeProposal, normalizeIkeProposal } from '../../core/ike/ike-proposal';
import { customPolicyFor, weaknessSummary } from '../../core/ike/proposal-strength';
import type { ActivityPorts } from '../activity-ports';
import { findSite } from '../site-directory';
import type { ChangeKindHandler } from './change-kind-handler';
import { backAsBefore, comeBackTargetOf, deviceCameBack, tunnelsLine } from './device-came-back';

/**
 * The diagnose card's Apply IPsec/IKE policy (a proposal mismatch): the connection gets a custom IPsec/IKE policy
 * that pins one strong IKE proposal the device offers, so Azure offers exactly that instead of its defaults (which
 * are DH group 2 only when it initiates). Weak algorithms are never pinned (core/ike/proposal-strength.ts). Verify
 * watches for the device to come back; rollback puts back the previous policy (or Azure's defaults).
 */

const policyText = (p: IpsecPolicySettings | undefined): string =>
  p
    ? `IKE ${p.ikeEncryption}/${p.ikeIntegrity}/${p.dhGroup}, IPsec ${p.ipsecEncryption}/${p.ipsecIntegrity}, PFS ${p.pfsGroup}, SA ${p.saLifeTimeSeconds} s / ${p.saDataSizeKilobytes} KB`
    : "none (Azure's default proposals)";

function samePolicy(a: IpsecPolicySettings | undefined, b: IpsecPolicySettings | undefined): boolean {
  if (!a || !b) return !a && !b;
  const keys: (keyof IpsecPolicySettings)[] = ['ikeEncryption', 'ikeIntegrity', 'dhGroup', 'ipsecEncryption', 'ipsecIntegrity', 'pfsGroup', 'saLifeTimeSeconds', 'saDataSizeKilobytes'];
  return keys.every((k) => String(a[k]).toLowerCase() === String(b[k]).toLowerCase());
}

function policyOf(json: string | undefined): IpsecPolicySettings | undefined {
  return json ? (JSON.parse(json) as IpsecPolicySettings) : undefined;
}

async function currentPolicy(ports: ActivityPorts, connectionId: string): Promise<{ readonly policy: IpsecPolicySettings | undefined; readonly connection: Awaited<ReturnType<ActivityPorts['network']['getConnection']>> }> {
  const connection = await ports.network.getConnection(connectionId);
  return { policy: connection.ipsecPolicy, connection };
}

export const setIpsecPolicyChange: ChangeKindHandler<SetIpsecPolicyRequest> = {
  async plan(request, ports) {
    const proposal = normalizeIkeProposal({ encryption: String(request.proposal?.encryption ?? ''), integrity: String(request.proposal?.integrity ?? ''), dhGroup: String(request.proposal?.dhGroup ?? '') });
    const policy = customPolicyFor(proposal);
    if (!policy) {
      const weak = weaknessSummary([proposal], 'ike');
      throw new UserError(
        'ProposalNotPinnable',
        `${formatIkeProposal(proposal)} ${weak ? `uses ${weak}, which ${weak.includes(' and ') ? 'are' : 'is'} weak` : "is not one Azure's custom IPsec/IKE policy can express"}: the bot does not pin it.`,
        'Configure a strong proposal on the device (e.g. GCMAES256 / SHA384 / ECP384) and diagnose again.',
      );
    }
    const c = await findSite(ports, request.site);
    if ('kind' in c) return c;
    // Azure never returns a pre-shared key on GET, so a GET-modify-PUT of a PSK connection could not keep its key.
    if (c.details.authenticationType !== 'Certificate') throw new UserError('NotCertificateConnection', `${c.site} authenticates with a pre-shared key; the bot changes certificate-authenticated connections only.`, 'Set the IPsec/IKE policy in the portal.');
    const before = c.details.ipsecPolicy;
    const title = `Apply an IPsec/IKE policy to ${c.site}`;
    if (samePolicy(before, policy)) return { kind: 'nothing-to-change', title, site: c.site, why: `${c.name} already has the custom policy ${policyText(policy)}.` };
    const [lng, diagnostics] = await Promise.all([
      c.localNetworkGatewayId ? ports.network.getLocalNetworkGateway(c.localNetworkGatewayId) : Promise.resolve(undefined),
      ports.monitor.getGatewayDiagnostics(c.gatewayId),
    ]);
    const minutes = ports.outboundRotation.verifyMinutes;
    const plan: ChangePlan = {
      kind: 'set-ipsec-policy',
      title,
      site: c.site,
      target: { connectionId: c.id, connectionName: c.name },
      changes: [{ resource: c.name, field: 'custom IPsec/IKE policy', before: policyText(before), after: policyText(policy) }],
      risk: `Both tunnels renegotiate with only this proposal: a device that does not offer IKE ${formatIkeProposal(proposal)} and ESP ${policy.ipsecEncryption} with PFS ${policy.pfsGroup} cannot connect until the rollback (today ${tunnelsLine(c.details).text}).`,
      verify: `Both tunnels of ${c.name} Connected again and a successful negotiation with the device in the gateway's logs after the change, within ${minutes} minutes.`,
      rollback: `Put back the previous policy: ${policyText(before)}.`,
      verifyWithinMs: minutes * 60_000,
      details: {
        connectionId: c.id,
        gatewayId: c.gatewayId,
        deviceIp: lng?.gatewayIpAddress ?? '',
        ikeWorkspace: diagnostics.workspaceFor.IKEDiagnosticLog ?? '',
        tunnelWorkspace: diagnostics.workspaceFor.TunnelDiagnosticLog ?? '',
        verifyMinutes: String(minutes),
        upBefore: String(tunnelsLine(c.details).up),
        before: before ? JSON.stringify(before) : '',
        after: JSON.stringify(policy),
      },
    };
    return plan;
  },

  async apply(plan, ports) {
    const after = policyOf(plan.details.after)!;
    const { policy } = await currentPolicy(ports, plan.details.connectionId!);
    if (!samePolicy(policy, after)) await ports.network.setIpsecPolicy(plan.details.connectionId!, after);
    return `custom IPsec/IKE policy set on ${plan.target.connectionName}: ${policyText(after)}`;
  },

  async verify(plan, ports, since) {
    const after = policyOf(plan.details.after);
    const { policy } = await currentPolicy(ports, plan.details.connectionId!);
    if (!samePolicy(policy, after)) return { ok: false, detail: `${plan.target.connectionName} has the policy ${policyText(policy)}, not the new one` };
    return deviceCameBack(ports, comeBackTargetOf(plan.details, plan.target.connectionName), since, 'the new policy');
  },

  async verifyUnchanged(plan, ports) {
    const before = policyOf(plan.details.before);
    const { policy, connection } = await currentPolicy(ports, plan.details.connectionId!);
    if (!samePolicy(policy, before)) return { ok: false, detail: `${plan.target.connectionName} has the policy ${policyText(policy)}, not the previous ${policyText(before)}` };
    return backAsBefore(connection, plan.details.upBefore === 'true', `${plan.target.connectionName} has its previous policy, ${policyText(before)}`);
  },

  async rollback(plan, ports) {
    const before = policyOf(plan.details.before);
    const { policy } = await currentPolicy(ports, plan.details.connectionId!);
    if (samePolicy(policy, before)) return `${plan.target.connectionName} already had its previous policy`;
    await ports.network.setIpsecPolicy(plan.details.connectionId!, before);
    return `put back the previous policy on ${plan.target.connectionName}: ${policyText(before)}`;
  },
};
