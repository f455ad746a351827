import { checkInboundChain } from '../azure-rules/inbound-chain';
import { badRequest } from '../sim-http-error';
import type { SimConnectionConfig, SimGateway, SimIpsecPolicy } from '../sim-resources';

type CertificateAuthentication = NonNullable<SimConnectionConfig['certificateAuthentication']>;

/**
 * The authentication part of a connection PUT, checked as the Network RP does when the request arrives (a 400 with
 * the codes of Microsoft's troubleshooting page). Where the page gives no code the simulator's choice is listed in
 * its README as unverified. Returns what the connection will carry.
 */
export function validateAuthentication(properties: Record<string, unknown>, ctx: { connectionName: string; connectionType: string; protocol: string; gateway: SimGateway; now: Date }): {
  authenticationType: 'PSK' | 'Certificate';
  sharedKey?: string;
  certificateAuthentication?: CertificateAuthentication;
} {
  const rawType = properties.authenticationType;
  const certAuth = properties.certificateAuthentication;
  const hasCertAuth = certAuth !== undefined && certAuth !== null;
  const sharedKey = nonEmptyString(properties.sharedKey);
  const sharedKeyKeyvaultId = nonEmptyString(properties.sharedKeyKeyvaultId);

  if (ctx.connectionType === 'ExpressRoute' && (rawType !== undefined || hasCertAuth)) {
    throw badRequest('CannotSetConnectionAuthenticationForExpressRouteConnectionType', `Connection ${ctx.connectionName} is an ExpressRoute connection: authenticationType and certificateAuthentication cannot be set on it.`);
  }
  if (sharedKey && sharedKeyKeyvaultId) {
    throw badRequest('ConnectionAuthenticationPSKAmbiguity', `Connection ${ctx.connectionName} sets both sharedKey and sharedKeyKeyvaultId; give the pre-shared key one way only.`);
  }
  const authenticationType = rawType === undefined || rawType === null ? 'PSK' : rawType;
  if (authenticationType !== 'PSK' && authenticationType !== 'Certificate') {
    throw badRequest('InvalidRequestFormat', `Authentication type '${String(authenticationType).slice(0, 40)}' is not valid; use 'PSK' or 'Certificate'.`);
  }
  if (authenticationType === 'PSK') {
    if (hasCertAuth) throw badRequest('InvalidCertificateAuthenticationObject', `Connection ${ctx.connectionName} uses PSK authentication, so certificateAuthentication must not be set.`);
    return { authenticationType, ...(sharedKey ? { sharedKey } : {}) };
  }

  if (!hasCertAuth) throw badRequest('CertificateAuthenticationObjectIsEmpty', `Connection ${ctx.connectionName} uses certificate authentication, so certificateAuthentication must be set.`);
  if (typeof certAuth !== 'object' || Array.isArray(certAuth)) throw badRequest('InvalidRequestFormat', 'Cannot parse the request: properties.certificateAuthentication must be a JSON object.');
  if (sharedKey || sharedKeyKeyvaultId) throw badRequest('InvalidPskExist', `Connection ${ctx.connectionName} uses certificate authentication, so it must not have a shared key.`);
  if (ctx.protocol !== 'IKEv2') throw badRequest('BadRequest', `Connection ${ctx.connectionName}: certificate authentication needs the IKEv2 connection protocol.`);
  const cert = certAuth as Record<string, unknown>;
  const outbound = nonEmptyString(cert.outboundAuthCertificate)?.trim();
  if (!outbound) throw badRequest('OutboundAuthCertificateIsEmpty', 'The outbound authentication certificate (a Key Vault certificate identifier) must be provided.');
  const subject = typeof cert.inboundAuthCertificateSubjectName === 'string' ? cert.inboundAuthCertificateSubjectName : '';
  if (subject.trim() === '') throw badRequest('CertificateSubjectNameIsEmpty', 'The inbound authentication certificate subject name must be provided.');
  const chain = checkInboundChain(cert.inboundAuthCertificateChain, ctx.now);
  if (!chain.ok) throw badRequest(chain.code, chain.message);
  if (!ctx.gateway.identity) {
    throw badRequest('ManagedIdentityMissingAtGatewayLevel', `Connection ${ctx.connectionName} reads its outbound certificate from Key Vault, but virtual network gateway ${ctx.gateway.name} has no user-assigned managed identity. Assign one that may read the certificate, then try again.`);
  }
  return {
    authenticationType,
    certificateAuthentication: { outboundAuthCertificate: outbound, inboundAuthCertificateSubjectName: subject, inboundAuthCertificateChain: cert.inboundAuthCertificateChain as string[] },
  };
}

/** IPsec/IKE policies: at most one, every algorithm field present. */
export function parseIpsecPolicies(value: unknown): SimIpsecPolicy[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest('InvalidRequestFormat', 'Cannot parse the request: ipsecPolicies must be an array.');
  if (value.length > 1) throw badRequest('InvalidRequestFormat', 'Only one IPsec/IKE policy is supported per connection.');
  return value.map((raw) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('InvalidRequestFormat', 'Cannot parse the request: ipsecPolicies[] must be an object.');
    const p = raw as Record<string, unknown>;
    const field = (name: string) => {
      const v = p[name];
      if (typeof v !== 'string' || !v) throw badRequest('InvalidRequestFormat', `IPsec policy field '${name}' is required.`);
      return v;
    };
    return {
      saLifeTimeSeconds: Number(p.saLifeTimeSeconds ?? 27000),
      saDataSizeKilobytes: Number(p.saDataSizeKilobytes ?? 102400000),
      ipsecEncryption: field('ipsecEncryption'),
      ipsecIntegrity: field('ipsecIntegrity'),
      ikeEncryption: field('ikeEncryption'),
      ikeIntegrity: field('ikeIntegrity'),
      dhGroup: field('dhGroup'),
      pfsGroup: field('pfsGroup'),
    };
  });
}

/** What the tunnels depend on changed (anything but tags): both tunnels renegotiate. */
export function tunnelsAffected(before: SimConnectionConfig, after: SimConnectionConfig): boolean {
  return JSON.stringify(before) !== JSON.stringify(after);
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
