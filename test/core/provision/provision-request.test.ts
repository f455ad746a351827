import { beforeAll, describe, expect, it } from 'vitest';
import { createRootCa, issueCertificate, type IssuedCertificate } from '../../../local/pki/cert-factory';
import { parseProvisionFields, provisionCommandLine, type ProvisionFields } from '../../../core/provision/provision-request';
import { notPublicReason, parseIpv4, parsePrefix } from '../../../core/provision/ip-rules';

let root: IssuedCertificate;
let issuing: IssuedCertificate;
let device: IssuedCertificate;
let chainPem: string;

beforeAll(async () => {
  root = await createRootCa({ subject: 'CN=Rome Device Root CA, O=Contoso Rome' });
  issuing = await issueCertificate(root, { subject: 'CN=Rome Device Issuing CA, O=Contoso Rome', isCa: true, pathLength: 0 });
  device = await issueCertificate(issuing, { subject: 'CN=rome-vpn.contoso.example' });
  chainPem = root.pem + issuing.pem;
});

const rome = (over: Partial<ProvisionFields> = {}): ProvisionFields => ({ site: 'site-rome', ip: '203.0.113.50', prefixes: '10.50.0.0/16', subject: 'CN=rome-vpn.contoso.example', chain: chainPem, ...over });
const problems = (fields: ProvisionFields) => {
  const parsed = parseProvisionFields(fields);
  return parsed.ok ? [] : parsed.problems.map((p) => `${p.field}: ${p.code}`);
};

describe('the provision request, inline or from the form', () => {
  it('reads a complete request: defaults ca and the default policy; the chain as base64 DER; the command line without certificates', () => {
    const parsed = parseProvisionFields(rome());
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.request).toMatchObject({ kind: 'provision-site', site: 'site-rome', ip: '203.0.113.50', prefixes: ['10.50.0.0/16'], subject: 'CN=rome-vpn.contoso.example', policy: 'default', outbound: { kind: 'ca' } });
    expect(parsed.request.chain).toHaveLength(2);
    expect(provisionCommandLine(parsed.request)).toBe('provision site-rome --ip 203.0.113.50 --prefixes 10.50.0.0/16 --subject "CN=rome-vpn.contoso.example" (+ 2 CA certificates)');
  });

  it('reads --outbound external (a CSR for the customer\'s CA, completed with --merge) and shows it on the command line', () => {
    const parsed = parseProvisionFields(rome({ outbound: ' External ' }));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.request.outbound).toEqual({ kind: 'external' });
    expect(provisionCommandLine(parsed.request)).toBe('provision site-rome --ip 203.0.113.50 --prefixes 10.50.0.0/16 --subject "CN=rome-vpn.contoso.example" --outbound external (+ 2 CA certificates)');
    const wrong = parseProvisionFields(rome({ outbound: 'extern' }));
    expect(!wrong.ok && wrong.problems[0]!.message).toMatch(/--outbound is ca .*, external \(a CSR for your own CA, completed with provision <site> --merge\) or existing:/);
  });

  it('keeps a pasted device certificate apart from the chain', () => {
    const parsed = parseProvisionFields(rome({ chain: chainPem + device.pem }));
    expect(parsed.ok && parsed.request.device).toBeTruthy();
    expect(parsed.ok && parsed.request.chain).toHaveLength(2);
  });

  it('names each bad field with its own code, all at once', () => {
    expect(problems({})).toEqual(['site: SiteMissing', 'ip: AddressMissing', 'prefixes: PrefixesMissing', 'subject: CertificateSubjectNameIsEmpty', 'chain: InboundAuthCertificateChainIsEmpty']);
    expect(problems(rome({ ip: '10.1.2.3' }))).toEqual(['ip: DeviceIpNotPublic']);
    expect(problems(rome({ ip: '127.0.0.1' }))).toEqual(['ip: DeviceIpNotPublic']);
    expect(problems(rome({ ip: '300.1.1.1' }))).toEqual(['ip: InvalidIpAddress']);
    expect(problems(rome({ fqdn: 'vpn.rome.example' }))).toEqual(['ip: AddressTwice']);
    expect(problems(rome({ ip: undefined, fqdn: 'not a name' }))).toEqual(['fqdn: InvalidFqdn']);
    expect(problems(rome({ prefixes: '10.50.1.0/16' }))).toEqual(['prefixes: InvalidAddressPrefix']);
    expect(problems(rome({ prefixes: '10.50.0.0/16, 10.50.128.0/17' }))).toEqual(['prefixes: PrefixesOverlapEachOther']);
    expect(problems(rome({ policy: 'weak' }))).toEqual(['policy: InvalidPolicy']);
    expect(problems(rome({ outbound: 'existing:' }))).toEqual(['outbound: InvalidCertificateName']);
    expect(problems(rome({ outbound: 'outside' }))).toEqual(['outbound: InvalidOutbound']);
    expect(problems(rome({ site: 'rome site' }))).toEqual(['site: InvalidSiteName']);
    expect(problems(rome({ chain: 'hello' }))).toEqual(['chain: InvalidCertificate']);
  });

  it('refuses a private key in the chain without echoing it (Azure: ...BecausePrivateKey)', () => {
    const parsed = parseProvisionFields(rome({ chain: chainPem + device.privateKeyPem }));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems[0]).toMatchObject({ field: 'chain', code: 'VpnConnectionAuthenticationRootCertificateDataInvalidBecausePrivateKey' });
    expect(JSON.stringify(parsed.problems)).not.toContain('PRIVATE KEY-----');
  });

  it('explains the message of an address prefix with host bits (the prefix it means)', () => {
    const parsed = parseProvisionFields(rome({ prefixes: '10.50.1.0/16' }));
    expect(!parsed.ok && parsed.problems[0]!.message).toMatch(/10\.50\.1\.0\/16 has host bits set; the prefix is 10\.50\.0\.0\/16/);
  });
});

describe('IPv4 rules', () => {
  it('tells public from private, loopback, CGNAT, link-local, multicast and reserved', () => {
    expect(notPublicReason(parseIpv4('203.0.113.50')!)).toBeUndefined();
    expect(notPublicReason(parseIpv4('8.8.8.8')!)).toBeUndefined();
    for (const ip of ['10.0.0.1', '172.16.5.5', '192.168.1.1', '127.0.0.1', '100.64.0.1', '169.254.1.1', '224.0.0.5', '240.0.0.1', '0.1.2.3']) expect(notPublicReason(parseIpv4(ip)!), ip).toBeDefined();
    expect(parseIpv4('01.2.3.4')).toBeUndefined();
    expect(parsePrefix('10.0.0.0/4').ok).toBe(false);
  });
});
