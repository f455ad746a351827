import forge from 'node-forge';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeCertificate } from '../../core/pki/describe-certificate';
import { parseCertificateChain } from '../../core/pki/parse-certificate-chain';
import { parseCertificate } from '../../core/pki/parse-certificate';
import { createRootCa, issueCertificate, toPkcs12 } from '../../local/pki/cert-factory';
import { fuzz, messyText, valueOrUserError } from './fuzz';

/**
 * Certificate and chain input as people paste or attach it: PEM (any label, wrapped or not), base64 DER one per line
 * or as a JSON array, raw DER, PKCS#7 (.p7b) and PKCS#12 bytes, private key blocks, and every one of them damaged
 * (bits flipped, cut, lengths changed, bytes inserted). Starts from real certificates, so mutations reach the DER and
 * X.509 decoders, not only the first check.
 */
let seeds: Uint8Array[] = [];
const NOW = new Date('2026-06-01T12:00:00Z');

beforeAll(async () => {
  const root = await createRootCa({ subject: 'CN=Fuzz Root CA, O=Contoso', notBefore: new Date('2025-01-01'), notAfter: new Date('2035-01-01') });
  const ec = await createRootCa({ subject: 'CN=Fuzz EC Root', keyType: 'EC', notBefore: new Date('2025-01-01'), notAfter: new Date('2035-01-01') });
  const leaf = await issueCertificate(root, { subject: 'CN=vpn.contoso.example, O=Contoso', notBefore: new Date('2026-01-01'), notAfter: new Date('2027-01-01') });
  const p7 = forge.pkcs7.createSignedData();
  for (const der of [root.der, leaf.der]) p7.addCertificate(forge.pki.certificateFromAsn1(forge.asn1.fromDer(Buffer.from(der).toString('binary'))));
  const p7der = new Uint8Array(Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary'));
  const pkcs8 = new Uint8Array(Buffer.from(leaf.privateKeyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
  seeds = [root.der, leaf.der, ec.der, p7der, toPkcs12(leaf, [root], 'fuzz'), pkcs8].map((d) => new Uint8Array(d));
});

type Mutation = { kind: 'flip' | 'set' | 'insert' | 'delete' | 'truncate'; at: number; byte: number };
const mutation: fc.Arbitrary<Mutation> = fc.record({ kind: fc.constantFrom('flip', 'set', 'insert', 'delete', 'truncate'), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) });

function mutate(seed: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  const bytes = [...seed];
  for (const m of mutations) {
    if (bytes.length === 0) break;
    const at = m.at % bytes.length;
    if (m.kind === 'flip') bytes[at] = bytes[at]! ^ (1 << (m.byte % 8));
    else if (m.kind === 'set') bytes[at] = m.byte;
    else if (m.kind === 'insert') bytes.splice(at, 0, m.byte);
    else if (m.kind === 'delete') bytes.splice(at, 1);
    else bytes.length = at;
  }
  return new Uint8Array(bytes);
}

/** DER: a seed (untouched a fifth of the time), damaged; or arbitrary bytes. */
const der = fc.oneof(
  { weight: 6, arbitrary: fc.record({ seed: fc.nat(), mutations: fc.array(mutation, { maxLength: 4 }) }).map(({ seed, mutations }) => mutate(seeds[seed % seeds.length]!, mutations)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  { weight: 1, arbitrary: fc.constantFrom(new Uint8Array([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), new Uint8Array([0x30, 0x80, 0x30, 0x80]), new Uint8Array([0x30]), new Uint8Array(0)) },
);

const base64 = (bytes: Uint8Array, width: number) => {
  const text = Buffer.from(bytes).toString('base64');
  return width > 0 ? (text.match(new RegExp(`.{1,${width}}`, 'g')) ?? []).join('\n') : text;
};

/** One block of text: PEM under any label, bare base64, or junk. */
const block = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(der, fc.constantFrom('CERTIFICATE', 'CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE', 'PKCS7', 'PRIVATE KEY', 'RSA PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'certificate', 'CERT IFICATE', ''), fc.constantFrom(0, 64, 76, 3), fc.constantFrom('', '\r', ' ')).map(([d, label, width, cr]) => `-----BEGIN ${label}-----${cr}\n${base64(d, width)}\n-----END ${label}-----`) },
  { weight: 3, arbitrary: fc.tuple(der, fc.constantFrom(0, 64)).map(([d, width]) => base64(d, width)) },
  { weight: 1, arbitrary: messyText(200, ['-----BEGIN CERTIFICATE-----', '-----END CERTIFICATE-----', '-----BEGIN ', 'MII', '==', '+/']) },
);

/** A pasted chain: blocks joined the ways people join them, sometimes as a JSON array, sometimes cut short. */
const chainText = fc
  .tuple(fc.array(block, { minLength: 1, maxLength: 7 }), fc.constantFrom('\n', '\n\n', '\r\n', ' ', ','), fc.boolean(), fc.option(fc.nat(), { nil: undefined }))
  .map(([blocks, separator, json, cut]) => {
    const text = json ? JSON.stringify(blocks) : blocks.join(separator);
    return cut === undefined ? text : text.slice(0, cut % (text.length + 1));
  });

function safeInfo(info: ReturnType<typeof parseCertificate>): void {
  const summary = describeCertificate(info, NOW);
  expect(typeof summary.subject).toBe('string');
  expect(summary.thumbprint).toMatch(/^[0-9A-F]{40}$/);
}

describe('fuzz: certificate and chain input', () => {
  it('a single certificate (DER bytes, or PEM / base64 text) parses or is refused with a typed error', () => {
    fuzz(fc.oneof(der, block), (input) => {
      const info = valueOrUserError(() => parseCertificate(input));
      if (info) safeInfo(info);
    });
  });

  it('a pasted chain (PEM, base64 lines, JSON arrays, PKCS#7, keys among them) parses or is refused with a typed error', () => {
    fuzz(chainText, (text) => {
      const chain = valueOrUserError(() => parseCertificateChain(text));
      for (const info of chain ?? []) safeInfo(info);
    });
  });
});
