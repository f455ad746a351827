import { performance } from 'node:perf_hooks';
import { createKeyVaultAdapter } from '../../adapters/azure/key-vault';
import { issueCertificate, toPemBundle } from '../pki/cert-factory';
import { startAzureSimulator, type AzureSimulator } from '../simulator/azure-simulator';
import { instantOperationDurations } from '../simulator/sim-lro';
import { azureSide, readAzureConnection } from './azure-side';
import { changeConnection } from './change-connection';
import { deviceSideFromEstate } from './device-side';
import { buildPeerEstate, type PeerEstate } from './peer-estate';
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
