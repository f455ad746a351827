import { parseCertificate } from '../core/pki/parse-certificate';
import type { CertificateInfo } from '../core/pki/certificate-info';
import type { ConnectionDetails, GatewayInfo, LocalNetworkGatewayInfo } from '../adapters/azure/network';
import type { SiteFacts } from '../core/status/assess-site';
import { assessSite } from '../core/status/assess-site';
import type { InspectSiteInput, InspectSiteOutput } from './activity-names';
import type { ActivityPorts } from './activity-ports';
import type { OutboundLookup } from './outbound-certificate';
import { lookupOutboundCertificate } from './outbound-certificate';
import type { ListedConnection } from './site-directory';
import { findSite } from './site-directory';

/**
 * `status <site>`: the connection as found (one GET), then its gateway, its site and its outbound certificate in
 * parallel, judged by core/status. With the site index fresh that is 3 ARM reads, whatever the fleet's size.
 */
export async function inspectSite(input: InspectSiteInput, ports: ActivityPorts): Promise<InspectSiteOutput> {
  const c = await findSite(ports, input.site);
  if ('kind' in c) return c;
  const { details } = c;
  const [gateway, lng, outbound] = await Promise.all([
    ports.network.getGateway(c.gatewayId),
    c.localNetworkGatewayId ? ports.network.getLocalNetworkGateway(c.localNetworkGatewayId) : Promise.resolve(undefined),
    c.certificate?.outboundCertificateUrl ? lookupOutboundCertificate(ports, c.certificate.outboundCertificateUrl, { checkLatest: true }) : Promise.resolve(undefined),
  ]);
  return { kind: 'found', status: assessSite(siteFacts({ connection: c, details, gateway, lng, outbound }), ports.now()) };
}

/** What was read about one site, in the shape core/status judges (status and diagnose read the same things). */
export function siteFacts(read: {
  readonly connection: ListedConnection;
  readonly details: ConnectionDetails;
  readonly gateway: GatewayInfo;
  readonly lng: LocalNetworkGatewayInfo | undefined;
  readonly outbound: OutboundLookup | undefined;
}): SiteFacts {
  const { connection: c, details, gateway, lng, outbound } = read;
  const chain: CertificateInfo[] = [];
  let unparseable = 0;
  for (const entry of details.certificate?.inboundChain ?? []) {
    try {
      chain.push(parseCertificate(entry));
    } catch {
      unparseable++;
    }
  }
  return {
    site: c.site,
    connectionName: c.name,
    connectionId: c.id,
    subscriptionId: c.subscriptionId,
    resourceGroup: c.resourceGroup,
    gatewayName: gateway.name,
    activeActive: gateway.activeActive,
    status: details.status,
    authenticationType: details.authenticationType,
    tunnels: details.tunnels.map((t) => ({
      name: t.name,
      ...(t.gatewayPublicIp ? { gatewayIp: t.gatewayPublicIp } : {}),
      status: t.status,
      ingressBytes: t.ingressBytes,
      egressBytes: t.egressBytes,
      ...(t.lastConnectedAt ? { lastConnectedAt: t.lastConnectedAt.toISOString() } : {}),
    })),
    ingressBytes: details.ingressBytes,
    egressBytes: details.egressBytes,
    device: {
      ...(lng?.gatewayIpAddress ? { ip: lng.gatewayIpAddress } : {}),
      ...(lng?.fqdn ? { fqdn: lng.fqdn } : {}),
      prefixes: lng?.addressPrefixes ?? [],
    },
    ...(outbound ? { outbound: { ...outbound } } : {}),
    inbound: { ...(details.certificate?.inboundSubjectName ? { subjectName: details.certificate.inboundSubjectName } : {}), chain, ...(unparseable ? { unparseable } : {}) },
  };
}
