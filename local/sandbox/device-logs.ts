import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createKeyVaultAdapter } from '../../adapters/azure/key-vault';
import { createNetworkAdapter } from '../../adapters/azure/network';
import type { AzureSimulator } from '../simulator/azure-simulator';
import type { DeviceTunnel } from './device-log-writer';
import { writeDeviceLog } from './device-log-writer';

/** The device's connection name for each gateway instance (IN_0 first), as its configuration would call them. */
const tunnelName = (index: number) => `azure-in${index}`;

/**
 * Writes each site device's charon log to `dir` (`<site>.log`): what a person copies from the device to paste under
 * `diagnose`. Each tunnel's outcome is the simulator's (what its IKE log explains), the gateway's certificate is read
 * through Azure's own APIs (the connection's outbound certificate in Key Vault), and a device not provisioned yet
 * tries the gateway and gets no answer, as a gateway answers no peer it has no connection for.
 */
export async function writeDeviceLogs(simulator: AzureSimulator, dir: string, options: { retryIntervalMs: number }): Promise<{ site: string; path: string }[]> {
  const info = simulator.estateInfo;
  const settings = simulator.settingsFor('bot');
  const network = createNetworkAdapter(settings);
  const keyVault = createKeyVaultAdapter(settings);
  // A site not in Azure yet tries the first gateway (where the sandbox would provision it).
  const defaultGatewayIps = info.gateways[0]?.publicIps ?? [];
  const publicIpsOf = (gatewayId: string) => info.gateways.find((g) => g.id.toLowerCase() === gatewayId.toLowerCase())?.publicIps ?? defaultGatewayIps;
  const now = simulator.clock.now();
  await mkdir(dir, { recursive: true });
  const written: { site: string; path: string }[] = [];
  for (const site of info.sites) {
    const device = simulator.devices.site(site.name);
    if (!device) continue;
    let tunnels: DeviceTunnel[];
    let gatewayCertificate: { subject: string; issuer: string } | undefined;
    if (site.connectionId) {
      const connection = await network.getConnection(site.connectionId);
      const gatewayIps = publicIpsOf(connection.gatewayId);
      const outbound = connection.certificate?.outboundCertificateUrl;
      if (outbound) {
        const { certificate } = await keyVault.getCertificate(outbound);
        gatewayCertificate = { subject: certificate.subject, issuer: certificate.issuer };
      }
      tunnels = simulator.inspectTunnels(site.connectionId).flatMap((t, index) => {
        const gatewayIp = gatewayIps[Number(/_IN_(\d+)$/.exec(t.instance)?.[1] ?? index)];
        return t.outcome && gatewayIp ? [{ name: tunnelName(index), gatewayIp, outcome: t.outcome, since: t.since }] : [];
      });
    } else {
      tunnels = defaultGatewayIps.map((gatewayIp, index) => ({ name: tunnelName(index), gatewayIp, outcome: { kind: 'peer-unreachable' }, since: new Date(now.getTime() - 3_600_000) }));
    }
    const log = writeDeviceLog(
      {
        deviceIp: device.publicIp,
        deviceId: device.certificate.subject,
        deviceIntermediates: device.chain.filter((c) => c.subject !== c.issuer).map((c) => c.subject),
        trustedRoot: device.trustedRoots[0]?.subject ?? '',
        proposals: device.proposals,
        ...(gatewayCertificate ? { gatewayCertificate } : {}),
        tunnels,
      },
      { now, retryIntervalMs: options.retryIntervalMs },
    );
    const path = join(dir, `${site.name}.log`);
    await writeFile(path, log, 'utf8');
    written.push({ site: site.name, path });
  }
  return written;
}
