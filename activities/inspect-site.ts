import { parseCertificate } from '../core/pki/parse-certificate';
import type { CertificateInfo } from '../core/pki/certificate-info';
import { assessSite } from '../core/status/assess-site';
import type { InspectSiteInput, InspectSiteOutput } from './activity-names';
import type { ActivityPorts } from './activity-ports';
import { lookupOutboundCertificate } from './outbound-certificate';
import { findSite } from './site-directory';

/** `status <site>`: every read one site needs, in parallel, judged by core/status. */
export async function inspectSite(input: InspectSiteInput, ports: ActivityPorts): Promise<InspectSiteOutput> {
  const c = await findSite(ports, input.site);
  if ('kind' in c) return c;
  const now = ports.now();
  const [details, gateway, lng, outbound] = await Promise.all([
    ports.network.getConnection(c.id),
    ports.network.getGateway(c.gatewayId),
    c.localNetworkGatewayId ? ports.network.getLocalNetworkGateway(c.localNetworkGatewayId) : Promise.resolve(undefined),
    c.certificate?.outboundCertificateUrl ? lookupOutboundCertificate(ports, c.certificate.outboundCertificateUrl, { checkLatest: true }) : Promise.resolve(undefined),
  ]);
  const chain: CertificateInfo[] = [];
  let unparseable = 0;
  for (const entry of details.certificate?.inboundChain ?? []) {
    try {
      chain.push(parseCertificate(entry));
    } catch {
      unparseable++;
    }
  }
  const status = assessSite(
    {
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
    },
    now,
  );
  return { kind: 'found', status };
}
