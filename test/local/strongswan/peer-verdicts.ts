import { testPorts } from '../../activities/fake-adapters';
import type { ActivityPorts } from '../../../activities/activity-ports';
import { diagnoseSite } from '../../../activities/diagnose-site';
import { AzureError } from '../../../adapters/azure/azure-error';
import { createKeyVaultAdapter } from '../../../adapters/azure/key-vault';
import { createLogsAdapter } from '../../../adapters/azure/logs';
import { createMonitorAdapter } from '../../../adapters/azure/monitor';
import { createNetworkAdapter } from '../../../adapters/azure/network';
import { readDeviceLog } from '../../../bot/device-log';
import { parseCharonLog } from '../../../core/ike/parse-charon-log';
import type { IkeEventKind } from '../../../core/ike/ike-event';
import type { DiagnosisCause } from '../../../core/ike/diagnosis';
import { AZURE_DEFAULT_IKE_PROPOSALS, commonProposals } from '../../../core/ike/ike-proposal';
import { toBase64Der } from '../../../core/pki/certificate-info';
import { checkInboundChain } from '../../../core/pki/check-inbound-chain';
import { checkInboundSubjectName } from '../../../core/pki/check-inbound-subject-name';
import { checkOutboundCertificate } from '../../../core/pki/check-outbound-certificate';
import { parseCertificate } from '../../../core/pki/parse-certificate';
import { subjectMatches } from '../../../core/pki/subject-matches';
import { verifyChain } from '../../../core/pki/verify-chain';
import type { EstateDevice } from '../../../local/estate/estate';
import type { AzureSimulator } from '../../../local/simulator/azure-simulator';
import { azureSide, readAzureConnection, readOutboundCredentials, type AzureConnectionSettings } from '../../../local/strongswan/azure-side';
import { changeConnection } from '../../../local/strongswan/change-connection';
import { deviceSideFromEstate } from '../../../local/strongswan/device-side';
import type { PeerCase } from '../../../local/strongswan/peer-estate';
import { establish, type EstablishResult } from '../../../local/strongswan/peers';

/** The product's, the simulator's and strongSwan's view of one certificate set, as the docs table words them. */
export interface CaseVerdicts {
  /** core/pki (and core/ike's proposal match) on Azure's settings and the device: `accepts`, or the first problem. */
  readonly product: string;
  /** The simulator: Azure refusing the change (`refuses <code>`), else the tunnel's outcome. */
  readonly azure: string;
  /** Two real charons: `established`, `IKE SA only` or `refused`. */
  readonly strongswan: string;
  /** The side whose charon log says why, and the parsed reason (`azure: certificate-untrusted`); `-` when up. */
  readonly reason: string;
  /** The product's diagnose (Azure's logs from the simulator + the device's live charon log pasted). */
  readonly diagnose: DiagnosisCause;
  readonly run: EstablishResult;
  /** Notes diagnose put on the card (a device log from another peer would be one). */
  readonly notes: readonly string[];
  /** Device log events diagnose read from the pasted log. */
  readonly deviceEventsRead: number;
}

/** Parsed events that say why a charon refused its peer (a received AUTHENTICATION_FAILED says nothing of why). */
const REASONS: readonly IkeEventKind[] = ['certificate-untrusted', 'certificate-outside-validity', 'certificate-expired', 'certificate-not-yet-valid', 'no-peer-config', 'identity-mismatch', 'signature-verify-failed', 'key-too-weak', 'policy-mismatch', 'ts-unacceptable', 'credentials-unacceptable'];

export function reasonOf(run: EstablishResult): string {
  if (run.established) return '-';
  for (const [side, log] of [['azure', run.azureLog], ['device', run.deviceLog]] as const) {
    const reason = parseCharonLog(log).find((e) => REASONS.includes(e.kind));
    if (reason) return `${side}: ${reason.kind}`;
  }
  // A refusal core/ike does not name yet: quote strongSwan's own line (the docs table lists it as a gap).
  for (const [side, log] of [['azure', run.azureLog], ['device', run.deviceLog]] as const) {
    const line = /\] <[^>]*> (\S[^\n]* not acceptable)$/m.exec(log);
    if (line) return `${side}: unparsed "${line[1]}"`;
  }
  return 'none logged';
}

function ports(sim: AzureSimulator): ActivityPorts {
  const settings = sim.settingsFor('bot');
  return {
    // Diagnose reads Azure only: the rest (messenger, audit, approvals, jobs) are the activity tests' fakes.
    ...testPorts({ scopes: [{ subscriptionId: sim.subscriptionId, resourceGroups: [...sim.estateInfo.resourceGroups] }] }).ports,
    network: createNetworkAdapter(settings),
    keyVault: createKeyVaultAdapter(settings),
    monitor: createMonitorAdapter(settings),
    logs: createLogsAdapter(settings),
    now: () => sim.clock.now(),
  };
}

/** Applies the case's change the way the product changes Azure: a PUT of the whole connection through the network adapter. */
async function applyChange(sim: AzureSimulator, c: PeerCase, current: AzureConnectionSettings): Promise<{ attempted: AzureConnectionSettings; refused?: string }> {
  if (!c.change) return { attempted: current };
  const bot = sim.settingsFor('bot', { longRunningPollIntervalMs: 10 });
  const vaultUrl = sim.estateInfo.vaults[0]!.url;
  const outboundCertificateUrl = c.change.outboundCertificate ? (await createKeyVaultAdapter(bot).getCertificate({ vaultUrl, name: c.change.outboundCertificate })).id : current.outboundCertificateUrl;
  const attempted: AzureConnectionSettings = {
    ...current,
    outboundCertificateUrl,
    ...(c.change.inboundChain ? { inboundChain: c.change.inboundChain.map(toBase64Der) } : {}),
    ...(c.change.ipsecPolicy ? { ipsecPolicy: c.change.ipsecPolicy } : {}),
    ...(c.change.usePolicyBasedTrafficSelectors !== undefined ? { usePolicyBasedTrafficSelectors: c.change.usePolicyBasedTrafficSelectors } : {}),
  };
  try {
    await changeConnection(sim, current.connectionId, {
      certificate: { outboundCertificateUrl: attempted.outboundCertificateUrl, inboundChain: attempted.inboundChain },
      usePolicyBasedTrafficSelectors: attempted.usePolicyBasedTrafficSelectors,
      ...(attempted.ipsecPolicy ? { ipsecPolicy: attempted.ipsecPolicy } : {}),
    });
    return { attempted };
  } catch (error) {
    if (error instanceof AzureError && error.details.azureCode) return { attempted, refused: error.details.azureCode };
    throw error;
  }
}

/** What core/pki (and core/ike's proposal match) say about the settings and the device, before any tunnel. */
async function productVerdict(sim: AzureSimulator, settings: AzureConnectionSettings, device: EstateDevice): Promise<string> {
  const now = sim.clock.now();
  const outbound = await readOutboundCredentials(sim, settings);
  const chain = settings.inboundChain.map((b64) => parseCertificate(b64));
  const errors = [
    ...checkOutboundCertificate(parseCertificate(outbound.pem), now, { hasPrivateKey: true }),
    ...checkInboundChain(chain, now),
    ...checkInboundSubjectName(settings.inboundSubjectName),
  ].filter((v) => v.severity === 'error');
  if (errors[0]) return `refuses ${errors[0].code}`;
  const deviceCertificate = parseCertificate(device.certificate.der);
  const trust = await verifyChain(deviceCertificate, device.chain.map((c) => parseCertificate(c.der)), chain, now);
  if (!trust.ok) return `device certificate ${trust.reason}`;
  if (!subjectMatches(deviceCertificate, settings.inboundSubjectName)) return 'subject mismatch';
  const offers = settings.ipsecPolicy ? [{ encryption: settings.ipsecPolicy.ikeEncryption, integrity: settings.ipsecPolicy.ikeIntegrity, dhGroup: settings.ipsecPolicy.dhGroup }] : AZURE_DEFAULT_IKE_PROPOSALS;
  if (commonProposals(offers, device.proposals).length === 0) return 'no common IKE proposal';
  return 'accepts';
}

/** Runs one case through the simulator, the product's checks, two real charons and diagnose. */
export async function runCase(sim: AzureSimulator, c: PeerCase, device: EstateDevice): Promise<CaseVerdicts> {
  const connectionId = sim.estateInfo.sites.find((s) => s.name === c.site)!.connectionId!;
  if (c.deviceTrafficSelectors) sim.devices.site(c.site)!.trafficSelectors = { local: [...c.deviceTrafficSelectors.local], remote: [...c.deviceTrafficSelectors.remote] };
  const current = await readAzureConnection(sim, connectionId);
  const { attempted, refused } = await applyChange(sim, c, current);
  await sim.tick();
  const tunnel = sim.inspectTunnels(connectionId)[0]?.outcome?.kind ?? 'unknown';
  const product = await productVerdict(sim, attempted, device);
  const run = await establish(
    await azureSide(sim, attempted),
    deviceSideFromEstate(device, { gatewayAddress: attempted.gatewayAddress, azurePrefixes: attempted.vnetPrefixes, ...(c.deviceTrafficSelectors ? { trafficSelectors: c.deviceTrafficSelectors } : {}), ...(c.deviceRemoteAuth ? { remoteAuth: c.deviceRemoteAuth } : {}) }),
  );
  const strongswan = run.established ? 'established' : run.device.ike || run.azure.ike ? 'IKE SA only' : 'refused';
  const pasted = await readDeviceLog(run.deviceLog, []);
  if (pasted.kind !== 'parsed') throw new Error(`the device's charon log was not read as a device log: ${JSON.stringify(pasted)}`);
  const outcome = await diagnoseSite({ site: c.site, hours: 2, deviceEvents: pasted.summary.events, deviceLines: pasted.summary.lines }, ports(sim));
  if (outcome.kind !== 'diagnosed') throw new Error(`diagnose ${c.site}: ${outcome.kind}`);
  return {
    product,
    azure: refused ? `refuses ${refused}` : tunnel,
    strongswan,
    reason: reasonOf(run),
    diagnose: outcome.diagnosis.cause,
    run,
    notes: (outcome.diagnosis.notes ?? []).map((n) => n.text),
    deviceEventsRead: outcome.counts.device ?? 0,
  };
}
