import { performance } from 'node:perf_hooks';
import { createKeyVaultAdapter, parseKeyVaultCertificateId } from '../../adapters/azure/key-vault';
import { rotateOutboundChange } from '../../activities/changes/rotate-outbound-change';
import type { RotateOutboundRequest } from '../../core/change/change-kind';
import type { ChangePlan } from '../../core/change/change-plan';
import { sandboxNames } from '../estate/sandbox-estate';
import { azureOnlyPorts } from '../sandbox/azure-only-ports';
import { signCsr } from '../pki/csr';
import { issueCertificate, toPemBundle } from '../pki/cert-factory';
import { startAzureSimulator, type AzureSimulator } from '../simulator/azure-simulator';
import { instantOperationDurations } from '../simulator/sim-lro';
import { azureSide, readAzureConnection } from './azure-side';
import { changeConnection } from './change-connection';
import { deviceSideFromEstate } from './device-side';
import { buildPeerEstate, PEERS_CA_CERTIFICATE, type PeerEstate } from './peer-estate';
import { startPeers, type Peers } from './peers';

export interface RotationRun {
  /** From Azure's side starting to load the new certificate to the new CHILD_SA installed on both sides. */
  readonly downtimeMs: number;
  /** The Key Vault version Azure's charon switched to (read by the gateway's identity). */
  readonly version: string;
}

export interface RotationMeasurement {
  readonly runs: readonly RotationRun[];
  /** After the last rotation the device, configuration unchanged, initiated again: how long IKE took. */
  readonly deviceReconnectMs: number;
  readonly deviceReconnected: boolean;
}

/**
 * What an outbound rotation costs in tunnel time, between two real charons: the site `case-good` of the peer estate
 * is up; each run issues a new outbound certificate from the same root, imports it into Key Vault as a new version
 * and points the connection at it through the product's adapters (what `rotate` will do), then switches Azure's
 * charon to the certificate the gateway's identity now reads: load it, reset the tunnel (Azure resets tunnels when a
 * connection changes) and bring it up again from Azure's side (connection mode Default initiates). The device's
 * configuration never changes; at the end it initiates once more on its own.
 */
export async function measureOutboundRotation(options: { runs?: number } = {}): Promise<RotationMeasurement> {
  const peerEstate = await buildPeerEstate(new Date());
  const sim = await startAzureSimulator({ estate: peerEstate.estate, tunnelSettleMs: 0, lro: { durations: instantOperationDurations, retryAfterSeconds: 0 } });
  let peers: Peers | undefined;
  try {
    const site = sim.estateInfo.sites.find((s) => s.name === 'case-good');
    if (!site?.connectionId) throw new Error('The peer estate has no case-good connection.');
    const settings = await readAzureConnection(sim, site.connectionId);
    const device = deviceSideFromEstate(peerEstate.estate.sites.find((s) => s.name === 'case-good')!.device, { gatewayAddress: settings.gatewayAddress, azurePrefixes: settings.vnetPrefixes });
    peers = await startPeers(await azureSide(sim, settings), device);
    const first = await peers.initiate('device');
    if (!first.established) throw new Error(`case-good did not establish before the rotation: ${first.initiateOutput}`);

    const runs: RotationRun[] = [];
    for (let i = 0; i < (options.runs ?? 3); i++) {
      const rotated = await rotateOutbound(sim, peerEstate, site.connectionId, i);
      const started = performance.now();
      await peers.reconfigure('azure', await azureSide(sim, rotated));
      await peers.terminate('azure');
      const up = await peers.initiate('azure');
      const downtimeMs = performance.now() - started;
      if (!up.established) throw new Error(`The tunnel did not come back after rotation ${i + 1}: ${up.initiateOutput}`);
      runs.push({ downtimeMs, version: rotated.outboundCertificateUrl.split('/').pop() ?? '' });
    }
    await peers.terminate('device');
    const again = await peers.initiate('device');
    return { runs, deviceReconnectMs: again.ms, deviceReconnected: again.established };
  } finally {
    await peers?.stop();
    await sim.close();
  }
}

/**
 * A new version of the outbound certificate (same subject, same root, new key), imported into Key Vault and applied
 * to the connection through the product's Key Vault and network adapters, as the bot. Resolves with the settings
 * the gateway now applies.
 */
async function rotateOutbound(sim: AzureSimulator, peerEstate: PeerEstate, connectionId: string, round: number) {
  const bot = sim.settingsFor('bot', { longRunningPollIntervalMs: 10 });
  const keyVault = createKeyVaultAdapter(bot);
  const vaultUrl = sim.estateInfo.vaults[0]!.url;
  const now = Date.now();
  const next = await issueCertificate(peerEstate.azureRoot, {
    subject: 'CN=azure-peers.vpn.contoso.example, O=Contoso',
    serialNumber: `5017${String(round).padStart(4, '0')}${now.toString(16)}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 365 * 86_400_000),
  });
  const version = await keyVault.importCertificate(vaultUrl, 'outbound-peers', { pem: toPemBundle(next, [peerEstate.azureRoot]) });
  await changeConnection(sim, connectionId, { certificate: { outboundCertificateUrl: version.id } });
  const applied = await readAzureConnection(sim, connectionId);
  if (applied.outboundCertificateUrl !== version.id) throw new Error('The connection does not reference the new certificate version.');
  return applied;
}

/** One rotation the product made (its own change handler, as the pipeline runs it) and what the real charons did. */
export interface ProductRotationRun {
  readonly source: 'ca' | 'external';
  /** The certificate Azure's charon presented after the switch. */
  readonly subject: string;
  readonly issuer: string;
  readonly thumbprint: string;
  /** IKE and CHILD SAs up on both sides with it. */
  readonly established: boolean;
  readonly initiateOutput: string;
}

/**
 * `rotate case-good outbound` as the product runs it, between two real charons: the rotate handler plans and applies
 * (issuance from the CA in Key Vault, whose key only signs there; or an external CSR signed by the peers' root and
 * merged with `--merge`), through the real adapters as the bot; then Azure's charon loads what the gateway's identity
 * now reads from Key Vault, resets the tunnel and initiates. Runs `ca` twice (the certificate the first rotation made,
 * then the next rotation's new version) and `external` once.
 */
export async function runProductRotations(): Promise<ProductRotationRun[]> {
  const peerEstate = await buildPeerEstate(new Date());
  const sim = await startAzureSimulator({ estate: peerEstate.estate, tunnelSettleMs: 0, logIngestionDelayMs: 0, lro: { durations: instantOperationDurations, retryAfterSeconds: 0 } });
  let peers: Peers | undefined;
  try {
    const site = sim.estateInfo.sites.find((s) => s.name === 'case-good');
    if (!site?.connectionId) throw new Error('The peer estate has no case-good connection.');
    const settings = await readAzureConnection(sim, site.connectionId);
    const device = deviceSideFromEstate(peerEstate.estate.sites.find((s) => s.name === 'case-good')!.device, { gatewayAddress: settings.gatewayAddress, azurePrefixes: settings.vnetPrefixes });
    peers = await startPeers(await azureSide(sim, settings), device);
    const first = await peers.initiate('device');
    if (!first.established) throw new Error(`case-good did not establish before the rotation: ${first.initiateOutput}`);
    const caVault = sim.estateInfo.vaults.find((v) => v.name === sandboxNames.caVault)!;
    // The ports the rotate handler needs, as the bot's, with the peers' CA configured.
    const ports = azureOnlyPorts(sim, 'a rotation between real peers', { caCertificateId: `${caVault.url}/certificates/${PEERS_CA_CERTIFICATE}`, defaultDays: 200, graceHours: 168, verifyMinutes: 15 });
    const handler = rotateOutboundChange;
    const runs: ProductRotationRun[] = [];
    const switchAzure = async (source: ProductRotationRun['source']) => {
      const applied = await readAzureConnection(sim, site.connectionId!);
      await peers!.reconfigure('azure', await azureSide(sim, applied));
      await peers!.terminate('azure');
      const up = await peers!.initiate('azure');
      const ref = parseKeyVaultCertificateId(applied.outboundCertificateUrl);
      const presented = (await ports.keyVault.getCertificate(ref)).certificate;
      runs.push({ source, subject: presented.subject, issuer: presented.issuer, thumbprint: presented.thumbprint, established: up.established, initiateOutput: up.initiateOutput });
    };
    const planned = async (request: Omit<RotateOutboundRequest, 'kind' | 'side' | 'site'>): Promise<ChangePlan> => {
      const plan = await handler.plan({ kind: 'rotate-certificate', side: 'outbound', site: 'case-good', ...request }, ports);
      if (plan.kind !== 'rotate-certificate') throw new Error(`rotate case-good outbound planned nothing: ${JSON.stringify(plan)}`);
      return plan;
    };
    for (let i = 0; i < 2; i++) {
      await handler.apply(await planned({ source: 'ca' }), ports);
      await switchAzure('ca');
    }
    const request = await planned({ source: 'external' });
    const handed = await handler.apply(request, ports);
    const csr = /-----BEGIN CERTIFICATE REQUEST-----[\s\S]+?-----END CERTIFICATE REQUEST-----/.exec(handed)?.[0];
    if (!csr) throw new Error('The external request handed out no CSR.');
    const signed = signCsr(peerEstate.azureRoot, csr, { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 200 * 86_400_000) });
    await handler.apply(await planned({ merge: `${signed.pem}${peerEstate.azureRoot.pem}` }), ports);
    await switchAzure('external');
    return runs;
  } finally {
    await peers?.stop();
    await sim.close();
  }
}
