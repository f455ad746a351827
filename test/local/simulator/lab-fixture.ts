import { NetworkManagementClient, type VirtualNetworkGatewayConnection } from '@azure/arm-network';
import { sdkClientOptions } from '../../../adapters/azure/azure-settings';
import { createNetworkAdapter, type NetworkAdapter } from '../../../adapters/azure/network';
import { toBase64Der } from '../../../core/pki/certificate-info';
import { sandboxNames } from '../../../local/estate/sandbox-estate';
import { createRootCa, issueCertificate, toPemBundle, type IssuedCertificate } from '../../../local/pki/cert-factory';
import type { AzureSimulator, AzureSimulatorOptions } from '../../../local/simulator/azure-simulator';
import { azureDefaultIkeProposals } from '../../../local/simulator/ike/ike-proposals';
import { startTestSimulator, testNow } from './simulator-fixture';

const day = 24 * 3600_000;
const sub = sandboxNames.subscriptionId;
const rg = sandboxNames.resourceGroup;
const network = (type: string, name: string) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/${type}/${name}`;

/**
 * A lab site on the sandbox gateway for contract tests: its device (own root, leaf `CN=lab-vpn.contoso.example`,
 * trusting the lab's Azure root), a local network gateway, and helpers to build certificate connections to it.
 */
export interface Lab {
  readonly sim: AzureSimulator;
  /** The real @azure/arm-network client, as the bot. */
  readonly sdk: NetworkManagementClient;
  readonly network: NetworkAdapter;
  readonly azureRoot: IssuedCertificate;
  readonly deviceRoot: IssuedCertificate;
  readonly deviceLeaf: IssuedCertificate;
  readonly gatewayId: string;
  readonly siteId: string;
  readonly connectionId: string;
  readonly connectionName: string;
  /** A good outbound certificate (leaf + root), versioned id. */
  readonly goodOutboundId: string;
  /** Imports an outbound certificate into the sandbox vault with the given issuers; returns its versioned id. */
  importOutbound(name: string, cert: IssuedCertificate, issuers?: IssuedCertificate[]): string;
  /** An SDK connection body to the lab site with certificate authentication; `overrides` replace top-level fields. */
  connection(overrides?: Partial<VirtualNetworkGatewayConnection>, certificate?: Partial<NonNullable<VirtualNetworkGatewayConnection['certificateAuthentication']>>): VirtualNetworkGatewayConnection;
  close(): Promise<void>;
}

export async function startLab(options: Partial<AzureSimulatorOptions> = {}, names = { site: 'site-lab', ip: '203.0.113.70', prefix: '10.70.0.0/16' }): Promise<Lab> {
  const sim = await startTestSimulator(options);
  const settings = sim.settingsFor('bot');
  const sdk = new NetworkManagementClient(settings.credential, sub, { ...sdkClientOptions(settings), endpoint: settings.armEndpoint });
  const [azureRoot, deviceRoot] = await Promise.all([
    createRootCa({ subject: 'CN=Lab Azure Root', notBefore: new Date(testNow.getTime() - 100 * day) }),
    createRootCa({ subject: 'CN=Lab Device Root', notBefore: new Date(testNow.getTime() - 100 * day) }),
  ]);
  const deviceLeaf = await issueCertificate(deviceRoot, { subject: 'CN=lab-vpn.contoso.example', notBefore: new Date(testNow.getTime() - day) });
  const importOutbound = (name: string, cert: IssuedCertificate, issuers: IssuedCertificate[] = [azureRoot]) => sim.vaults.importCertificate(sandboxNames.keyVault, name, { pem: toPemBundle(cert, issuers) }).id;
  const goodOutboundId = importOutbound(`outbound-${names.site}`, await issueCertificate(azureRoot, { subject: `CN=azure-${names.site}.vpn.contoso.example`, notBefore: new Date(testNow.getTime() - day) }));
  sim.addDevice({
    site: names.site,
    publicIp: names.ip,
    prefixes: [names.prefix],
    certificate: deviceLeaf.info,
    chain: [deviceRoot.info],
    trustedRoots: [azureRoot.info],
    proposals: azureDefaultIkeProposals.map((p) => ({ ...p })),
    reachable: true,
    authentication: 'certificate',
  });
  const siteId = network('localNetworkGateways', `lng-${names.site}`);
  const adapter = createNetworkAdapter(settings);
  await adapter.upsertLocalNetworkGateway({ id: siteId, location: 'westeurope', gatewayIpAddress: names.ip, addressPrefixes: [names.prefix] });
  const gatewayId = network('virtualNetworkGateways', sandboxNames.gateway);
  return {
    sim,
    sdk,
    network: adapter,
    azureRoot,
    deviceRoot,
    deviceLeaf,
    gatewayId,
    siteId,
    connectionId: network('connections', `cn-${names.site}`),
    connectionName: `cn-${names.site}`,
    goodOutboundId,
    importOutbound,
    connection: (overrides = {}, certificate = {}) => ({
      location: 'westeurope',
      virtualNetworkGateway1: { id: gatewayId },
      localNetworkGateway2: { id: siteId },
      connectionType: 'IPsec',
      connectionProtocol: 'IKEv2',
      authenticationType: 'Certificate',
      certificateAuthentication: { outboundAuthCertificate: goodOutboundId, inboundAuthCertificateSubjectName: 'CN=lab-vpn.contoso.example', inboundAuthCertificateChain: [toBase64Der(deviceRoot)], ...certificate },
      ...overrides,
    }),
    close: () => sim.close(),
  };
}

/** The Azure error code of a failed SDK call: a synchronous RestError's, or the one a failed long-running operation names. */
export async function azureCodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    const e = error as { code?: string; message?: string; details?: { error?: { code?: string } } };
    return e.details?.error?.code ?? e.code ?? /has failed\. (\w+)\./.exec(e.message ?? '')?.[1] ?? String(e.message);
  }
}
