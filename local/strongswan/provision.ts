import { provisionSiteChange } from '../../activities/changes/provision-site-change';
import type { ProvisionSiteRequest } from '../../core/change/change-kind';
import type { ChangePlan } from '../../core/change/change-plan';
import { planFiles } from '../../core/change/plan-files';
import { toBase64Der, toPem } from '../../core/pki/certificate-info';
import { HANDOVER_FILES, handoverConnectionName } from '../../core/provision/device-handover';
import { buildSandboxEstate, sandboxNames } from '../estate/sandbox-estate';
import { startAzureSimulator } from '../simulator/azure-simulator';
import { instantOperationDurations } from '../simulator/sim-lro';
import { azureOnlyPorts } from '../sandbox/azure-only-ports';
import { azureSideFromSimulator } from './azure-side';
import type { SwanctlPeer } from './peer-config';
import { establish, type EstablishResult } from './peers';

/**
 * Provisioning between two real charons: site-rome is provisioned in the simulator by the product's own change kind
 * (plan with its preflight, then every apply step: local network gateway, a certificate issued by the vault CA,
 * the connection), Azure's side is read back as the gateway would hold it, and the device charon loads the
 * `swanctl.conf` from the plan's hand-over **unchanged**, with only the files it names (the device's certificate and
 * key, and the root the hand-over says to trust).
 */
export interface ProvisionPeersRun extends EstablishResult {
  readonly swanctlConf: string;
  readonly plan: ChangePlan;
}

export async function runProvisionBetweenPeers(): Promise<ProvisionPeersRun> {
  const estate = await buildSandboxEstate({ now: new Date() });
  const sim = await startAzureSimulator({ estate, tunnelSettleMs: 0, logIngestionDelayMs: 0, lro: { durations: instantOperationDurations, retryAfterSeconds: 0 } });
  try {
    const rome = estate.sites.find((s) => s.name === 'site-rome')!.device;
    const caVault = sim.estateInfo.vaults.find((v) => v.name === sandboxNames.caVault)!;
    const ports = azureOnlyPorts(sim, 'provisioning between real peers', { caCertificateId: `${caVault.url}/certificates/${sandboxNames.caCertificate}`, defaultDays: 200, graceHours: 168, verifyMinutes: 15 });
    const request: ProvisionSiteRequest = {
      kind: 'provision-site',
      site: 'site-rome',
      ip: rome.publicIp,
      prefixes: [...rome.prefixes],
      subject: `CN=${sandboxNames.sites['site-rome'].deviceCn}`,
      // The device's CA certificates as its owner pastes them (its issuing CA and root).
      chain: rome.chain.map((c) => toBase64Der(c as { der: Uint8Array })),
      policy: 'default',
      outbound: { kind: 'ca' },
    };
    const plan = await provisionSiteChange.plan(request, ports);
    if (plan.kind !== 'provision-site') throw new Error(`provision site-rome planned nothing: ${JSON.stringify(plan)}`);
    for (let step = 0; step < (plan.steps ?? []).length; step++) await provisionSiteChange.apply(plan, ports, step);
    // The file the device owner gets with Get files (the same text as on the card).
    const swanctlConf = planFiles(plan).find((f) => f.name === `${request.site}.swanctl.conf`)?.text;
    const rootPem = plan.notes?.find((n) => n.label.startsWith('Root to trust'))?.text;
    if (!swanctlConf || !rootPem) throw new Error('The plan hands over no swanctl.conf or no root.');
    const device: SwanctlPeer = {
      kind: 'swanctl',
      role: 'device',
      host: { address: rome.publicIp, insideAddresses: ['10.50.0.1'] },
      swanctlConf,
      files: [
        { path: `x509/${HANDOVER_FILES.deviceCertificate}`, content: toPem(rome.certificate as { der: Uint8Array }) },
        { path: `private/${HANDOVER_FILES.deviceKey}`, content: rome.privateKeyPem! },
        { path: `x509ca/${HANDOVER_FILES.azureRoot}`, content: rootPem },
      ],
      connection: handoverConnectionName('site-rome', 0),
      child: `${handoverConnectionName('site-rome', 0)}-net`,
    };
    const result = await establish(await azureSideFromSimulator(sim, plan.target.connectionId), device);
    return { ...result, swanctlConf, plan };
  } finally {
    await sim.close();
  }
}
