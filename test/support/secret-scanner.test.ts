import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalTokenCredential } from '../../adapters/azure/local-token-credential';
import { createRootCa, issueCertificate, toPkcs12 } from '../../local/pki/cert-factory';
import type { IssuedCertificate } from '../../local/pki/cert-factory';
import type { Artifact, SecretKind } from './secret-scanner';
import { scanForSecrets } from './secret-scanner';

/** The scanner itself: it finds each kind of secret, wherever and however it is written, and nothing else. */
let leaf: IssuedCertificate;
let root: IssuedCertificate;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

beforeAll(async () => {
  root = await createRootCa({ subject: 'CN=Scan Root' });
  leaf = await issueCertificate(root, { subject: 'CN=scan.contoso.example' });
});

const kindsIn = (text: string, where = 'test'): SecretKind[] => [...new Set(scanForSecrets([{ where, text }]).map((f) => f.kind))];
const der = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');

describe('secret scanner: catches each kind', () => {
  it('PEM private key blocks of every label, also inside JSON (escaped line breaks)', () => {
    expect(kindsIn(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)).toContain('pem-private-key');
    expect(kindsIn(rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string)).toContain('pem-private-key');
    expect(kindsIn(ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string)).toContain('pem-private-key');
    expect(kindsIn(rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }) as string)).toContain('pem-private-key');
    expect(kindsIn(JSON.stringify({ detail: leaf.privateKeyPem }))).toContain('pem-private-key');
  });

  it('PKCS#1, PKCS#8 (plain and encrypted) and PKCS#12 as base64 DER without armour, one line or wrapped, base64url too', () => {
    expect(kindsIn(`key=${der(rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string).toString('base64')}`)).toEqual(['pkcs1-private-key']);
    expect(kindsIn(der(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string).toString('base64'))).toEqual(['pkcs8-private-key']);
    expect(kindsIn(der(ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string).toString('base64url'))).toEqual(['pkcs8-private-key']);
    expect(kindsIn(der(rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }) as string).toString('base64'))).toEqual(['pkcs8-private-key']);
    const pfx = Buffer.from(toPkcs12(leaf, [root], 'secret')).toString('base64');
    expect(kindsIn(JSON.stringify({ value: pfx }))).toEqual(['pkcs12']);
    expect(kindsIn(pfx.replace(/(.{64})/g, '$1\n'))).toEqual(['pkcs12']);
  });

  it('bearer tokens and bare JWTs (the local credential mints Entra-shaped tokens)', async () => {
    const token = (await new LocalTokenCredential({ objectId: '6a1c3e5f-7b9d-4f2a-8c4e-1d3f5a7b9c2e', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', appId: 'x', displayName: 'bot' }).getToken('https://management.azure.com/.default'))!.token;
    expect(kindsIn(`authorization: Bearer ${token}`)).toEqual(expect.arrayContaining(['bearer-token', 'jwt']));
    expect(kindsIn(JSON.stringify({ token }))).toEqual(['jwt']);
    expect(kindsIn('Authorization: Bearer 0123456789abcdefABCDEF0123456789')).toEqual(['bearer-token']);
  });

  it('SAS tokens and connection strings', () => {
    expect(kindsIn('https://st.blob.core.windows.net/c/b?sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-06-01T00:00:00Z&sig=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789%2B%2F%3D')).toEqual(['sas-token']);
    expect(kindsIn('BlobEndpoint=https://st.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&sig=AbCdEfGhIjKlMnOpQrSt')).toContain('sas-token');
    expect(kindsIn('DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;')).toEqual(['connection-string']);
    expect(kindsIn('Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/=')).toEqual(['connection-string']);
  });

  it('known Key Vault secret values, as written or re-wrapped', () => {
    const known = [{ where: 'kv-vpn-certs/secrets/psk-lisbon', value: 'Zs9!kq2#LmP0-tunnel-preshared-key' }, { where: 'kv-vpn-certs/certificates/out/1 private key', value: leaf.privateKeyPem }];
    const scan = (text: string) => scanForSecrets([{ where: 'card', text }], known).filter((f) => f.kind === 'key-vault-secret').map((f) => f.excerpt.split(':')[0]);
    expect(scan('the key is Zs9!kq2#LmP0-tunnel-preshared-key.')).toEqual(['kv-vpn-certs/secrets/psk-lisbon']);
    // The key's base64 body without its armour, with JSON line breaks: still found.
    const body = leaf.privateKeyPem.replace(/-----[^-]+-----/g, '').trim();
    expect(scan(JSON.stringify({ x: body }))).toEqual(['kv-vpn-certs/certificates/out/1 private key']);
    expect(scan('nothing here')).toEqual([]);
    // Another key of the same kind is a private key, but not this known one (keys of a kind share their first bytes).
    expect(scan(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)).toEqual([]);
  });

  it('says where it found each one, without repeating the secret', () => {
    const artifacts: Artifact[] = [
      { where: 'card 1 (update 2)', text: 'fine' },
      { where: 'log', text: `oops ${rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string}` },
    ];
    const [finding] = scanForSecrets(artifacts);
    expect(finding).toMatchObject({ kind: 'pem-private-key', where: 'log' });
    expect(finding!.excerpt.length).toBeLessThan(60);
  });
});

describe('secret scanner: leaves the rest alone', () => {
  it('public certificates (PEM and base64 DER), thumbprints, ids, redacted fields and ordinary cards are not secrets', () => {
    const text = [
      leaf.pem,
      root.pem,
      Buffer.from(leaf.der).toString('base64'),
      JSON.stringify({ inboundAuthCertificateChain: [Buffer.from(root.der).toString('base64')] }),
      '3F2A9C1B7D4E5F60718293A4B5C6D7E8F9012345',
      '/subscriptions/5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d/resourceGroups/rg-hub-network/providers/Microsoft.Network/connections/cn-site-paris',
      '{"level":"info","message":"x","authorization":"[redacted]","password":"[redacted]"}',
      'https://kv-vpn-certs.vault.azure.net/certificates/outbound-site-paris/4c7e0f0b2a6d4e1f8a9b0c1d2e3f4a5b',
      'change~subscriptions~5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d~resourcegroups~rg-hub-network',
    ].join('\n');
    expect(scanForSecrets([{ where: 'mixed', text }])).toEqual([]);
  });
});
