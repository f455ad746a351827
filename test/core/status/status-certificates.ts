import type { SiteFacts } from '../../../core/status/assess-site';
import { createRootCa, generateKey, issueCertificate, createSelfSignedCertificate, EKU, type IssuedCertificate } from '../../../local/pki/cert-factory';

/** Fixed clock for status tests: every certificate's dates are relative to it. */
export const STATUS_NOW = new Date('2026-06-01T12:00:00.000Z');
const DAY = 86_400_000;
export const days = (n: number): Date => new Date(STATUS_NOW.getTime() + n * DAY);

export interface StatusCertificates {
  /** Azure side: the CA that issues the outbound certificate. */
  readonly azureRoot: IssuedCertificate;
  /** Outbound certificates (what the gateway reads from Key Vault). */
  readonly outbound: {
    readonly good: IssuedCertificate;
    readonly expiring: IssuedCertificate;
    readonly expired: IssuedCertificate;
    readonly serverAuthOnly: IssuedCertificate;
    readonly emptySubject: IssuedCertificate;
  };
  /** Device side: the inbound chain, root first. */
  readonly deviceRoot: IssuedCertificate;
  readonly deviceIssuing: IssuedCertificate;
  readonly expiredDeviceRoot: IssuedCertificate;
  readonly expiringDeviceIssuing: IssuedCertificate;
}

let built: Promise<StatusCertificates> | undefined;

/**
 * Real certificates from local/pki, built once per test file. Two key pairs are shared by all of them (the rules
 * under test read dates, names, EKUs and key size, not key uniqueness), which keeps RSA key generation out of
 * every test.
 */
export function statusCertificates(): Promise<StatusCertificates> {
  built ??= (async () => {
    const caKey = await generateKey();
    const leafKey = await generateKey();
    const azureRoot = await createRootCa({ subject: 'CN=Contoso Azure Root CA, O=Contoso', notBefore: days(-400), notAfter: days(3000) });
    const leaf = (subject: string, notBefore: Date, notAfter: Date, extendedKeyUsages?: string[]) =>
      issueCertificate(azureRoot, { subject, notBefore, notAfter, privateKeyPem: leafKey.privateKeyPem, ...(extendedKeyUsages ? { extendedKeyUsages } : {}) });
    const [good, expiring, expired, serverAuthOnly, emptySubject] = await Promise.all([
      leaf('CN=vpngw-hub.contoso.example, O=Contoso', days(-65), days(300)),
      leaf('CN=vpngw-hub.contoso.example, O=Contoso', days(-355), days(10)),
      leaf('CN=vpngw-hub.contoso.example, O=Contoso', days(-400), days(-5)),
      leaf('CN=vpngw-hub.contoso.example, O=Contoso', days(-10), days(300), [EKU.serverAuth]),
      leaf('', days(-10), days(300)),
    ]);
    const deviceRoot = await createSelfSignedCertificate({ subject: 'CN=Paris Device Root CA, O=Contoso Paris', isCa: true, notBefore: days(-700), notAfter: days(2800), privateKeyPem: caKey.privateKeyPem });
    const expiredDeviceRoot = await createSelfSignedCertificate({ subject: 'CN=Paris Device Root CA, O=Contoso Paris', isCa: true, notBefore: days(-3000), notAfter: days(-2), privateKeyPem: caKey.privateKeyPem });
    const deviceIssuing = await issueCertificate(deviceRoot, { subject: 'CN=Paris Issuing CA, O=Contoso Paris', isCa: true, notBefore: days(-300), notAfter: days(1500), privateKeyPem: leafKey.privateKeyPem });
    const expiringDeviceIssuing = await issueCertificate(deviceRoot, { subject: 'CN=Paris Issuing CA, O=Contoso Paris', isCa: true, notBefore: days(-300), notAfter: days(12), privateKeyPem: leafKey.privateKeyPem });
    return { azureRoot, outbound: { good, expiring, expired, serverAuthOnly, emptySubject }, deviceRoot, deviceIssuing, expiredDeviceRoot, expiringDeviceIssuing };
  })();
  return built;
}

/** The version id the healthy site's connection references. */
export const SITE_OUTBOUND_VERSION = '4c7e0f0b2a6d4e1f8a9b0c1d2e3f4a5b';

/** site-paris as status reads it: a healthy active-active certificate connection; tests change one thing at a time. */
export function healthySiteFacts(pki: StatusCertificates, over: Partial<SiteFacts> = {}): SiteFacts {
  return {
    site: 'site-paris',
    connectionName: 'cn-site-paris',
    connectionId: '/subscriptions/5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d/resourceGroups/rg-hub-network/providers/Microsoft.Network/connections/cn-site-paris',
    subscriptionId: '5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d',
    resourceGroup: 'rg-hub-network',
    gatewayName: 'vpngw-hub',
    activeActive: true,
    status: 'Connected',
    authenticationType: 'Certificate',
    tunnels: [
      { name: 'GatewayTenantWorker_IN_0', status: 'Connected', ingressBytes: 10, egressBytes: 20 },
      { name: 'GatewayTenantWorker_IN_1', status: 'Connected', ingressBytes: 30, egressBytes: 40 },
    ],
    ingressBytes: 40,
    egressBytes: 60,
    device: { ip: '198.51.100.20', prefixes: ['10.20.0.0/16'] },
    outbound: { vaultName: 'kv-vpn-certs', certificateName: 'vpn-out', version: SITE_OUTBOUND_VERSION, latestEnabledVersion: SITE_OUTBOUND_VERSION, certificate: pki.outbound.good.info, hasPrivateKey: true },
    inbound: { subjectName: 'paris-vpn.contoso.example', chain: [pki.deviceRoot.info, pki.deviceIssuing.info] },
    ...over,
  };
}
