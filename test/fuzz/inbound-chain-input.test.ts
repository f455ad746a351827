import forge from 'node-forge';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkInboundCertificates } from '../../bot/commands/rotate-inbound-input';
import { checkNewInboundChain } from '../../core/pki/inbound-rotation';
import { parseDer } from '../../core/pki/parse-certificate';
import { createRootCa, issueCertificate, toPkcs12 } from '../../local/pki/cert-factory';
import { fuzz, messyText, RAW_EXCEPTION } from './fuzz';

/**
 * `rotate <site> inbound` and the diagnose card's Update inbound chain form: whatever is pasted or attached (PEM under
 * any label, base64, raw DER, PKCS#7 bundles, PKCS#12 files, private keys, all of them damaged, in any order and number)
 * ends in either a chain Azure accepts (at most 5, root first, each certificate after its issuer) or an error card
 * with a code, never an exception, and never any of the private keys in it.
 */
let seeds: Uint8Array[] = [];
let keyTexts: string[] = [];
const NOW = new Date('2026-06-01T12:00:00Z');

beforeAll(async () => {
  const root = await createRootCa({ subject: 'CN=Fuzz Device Root CA, O=Contoso', notBefore: new Date('2025-01-01'), notAfter: new Date('2035-01-01') });
  const issuing = await issueCertificate(root, { subject: 'CN=Fuzz Device Issuing CA, O=Contoso', isCa: true, notBefore: new Date('2025-01-01'), notAfter: new Date('2034-01-01') });
  const leaf = await issueCertificate(issuing, { subject: 'CN=vpn.contoso.example', notBefore: new Date('2026-01-01'), notAfter: new Date('2027-01-01') });
  const otherRoot = await createRootCa({ subject: 'CN=Fuzz Other Root', notBefore: new Date('2025-01-01'), notAfter: new Date('2035-01-01') });
  const p7 = forge.pkcs7.createSignedData();
  for (const der of [issuing.der, root.der]) p7.addCertificate(forge.pki.certificateFromAsn1(forge.asn1.fromDer(Buffer.from(der).toString('binary'))));
  const p7der = new Uint8Array(Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary'));
  const pkcs8 = new Uint8Array(Buffer.from(leaf.privateKeyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
  seeds = [root.der, issuing.der, leaf.der, otherRoot.der, p7der, toPkcs12(leaf, [root], 'fuzz'), pkcs8].map((d) => new Uint8Array(d));
  // What must never come back: the key's base64 (any 40-character run of it) and PEM key armour.
  keyTexts = [leaf.privateKeyPem, issuing.privateKeyPem].flatMap((pem) => pem.split('\n').filter((line) => line.length >= 40).slice(1, 4));
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

/** A seed whole most of the time (so whole chains reach the rules), else damaged, or arbitrary bytes. */
const der = fc.oneof(
  { weight: 4, arbitrary: fc.nat().map((i) => seeds[i % seeds.length]!) },
  { weight: 3, arbitrary: fc.record({ seed: fc.nat(), mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }) }).map(({ seed, mutations }) => mutate(seeds[seed % seeds.length]!, mutations)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
);

const base64 = (bytes: Uint8Array, width: number) => {
  const text = Buffer.from(bytes).toString('base64');
  return width > 0 ? (text.match(new RegExp(`.{1,${width}}`, 'g')) ?? []).join('\n') : text;
};

const block = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(der, fc.constantFrom('CERTIFICATE', 'CERTIFICATE', 'PKCS7', 'PRIVATE KEY', 'RSA PRIVATE KEY', 'CMS', 'X509 CERTIFICATE'), fc.constantFrom(0, 64)).map(([d, label, width]) => `-----BEGIN ${label}-----\n${base64(d, width)}\n-----END ${label}-----\n`) },
  { weight: 3, arbitrary: fc.tuple(der, fc.constantFrom(0, 64)).map(([d, width]) => base64(d, width)) },
  { weight: 1, arbitrary: messyText(200, ['-----BEGIN CERTIFICATE-----', '-----END CERTIFICATE-----', '-----BEGIN PKCS7-----', 'MII', '==']) },
);

const input = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.array(block, { minLength: 1, maxLength: 8 }), fc.constantFrom('\n', '\r\n', ' ')).map(([blocks, sep]) => blocks.join(sep)) },
  { weight: 1, arbitrary: der },
);

describe('fuzz: inbound chain input', () => {
  it('ends in a chain Azure accepts, root first, or an error card with a code; never an exception, never a key', () => {
    fuzz(input, (given) => {
      const result = checkInboundCertificates(given, 'site-fuzz', NOW);
      if ('rejected' in result) {
        const json = JSON.stringify(result.rejected);
        expect(json).toMatch(/Code: [A-Za-z]+/);
        expect(json).not.toMatch(RAW_EXCEPTION);
        expect(json).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
        for (const key of keyTexts) expect(json).not.toContain(key);
        return;
      }
      const chain = result.chain.map((b64) => parseDer(new Uint8Array(Buffer.from(b64, 'base64'))));
      expect(chain.length).toBeGreaterThan(0);
      expect(chain.length).toBeLessThanOrEqual(5);
      expect(chain[0]!.selfIssued).toBe(true);
      const again = checkNewInboundChain(chain, NOW);
      expect(again.ok && again.chain.map((c) => c.thumbprint)).toEqual(chain.map((c) => c.thumbprint));
    });
  });
});
