import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { isUserError } from '../../core/errors/user-error';
import { parseCertificateRequest, type CertificateRequestInfo } from '../../core/pki/issue-from-csr';
import { checkMergeChain, parseMergeInput } from '../../core/pki/outbound-rotation';
import { createRootCa, generateKey, issueCertificate } from '../../local/pki/cert-factory';
import { createCsr, signCsr } from '../../local/pki/csr';
import { fuzz, fuzzAsync, messyText, RAW_EXCEPTION, valueOrUserError } from './fuzz';

/**
 * `rotate <site> outbound --merge`: what a person pastes or attaches (the signed certificate and its chain, in any
 * order and form) and the pending request's CSR as Key Vault returns it. Starts from a real CSR, the certificate a CA
 * signed for it, an intermediate and the root, then damages them, so mutations reach the DER and X.509 decoders and
 * the chain checks. Every input ends in a value or a typed user error with safe text.
 */
const NOW = new Date('2026-06-01T12:00:00Z');
let seeds: Uint8Array[] = [];
let csrDer: Uint8Array;
let csr: CertificateRequestInfo;

beforeAll(async () => {
  const root = await createRootCa({ subject: 'CN=Merge Root, O=Contoso', notBefore: new Date('2025-01-01'), notAfter: new Date('2035-01-01') });
  const intermediate = await issueCertificate(root, { subject: 'CN=Merge Issuing CA', isCa: true, notBefore: new Date('2025-01-01'), notAfter: new Date('2034-01-01') });
  const key = await generateKey({ keyBits: 2048 });
  csrDer = createCsr({ subject: 'CN=azure-paris.vpn.contoso.example, O=Contoso', privateKeyPem: key.privateKeyPem, extendedKeyUsages: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'], subjectAltNames: { dns: ['azure-paris.vpn.contoso.example'] } });
  csr = parseCertificateRequest(csrDer);
  const leaf = signCsr(intermediate, csrDer, { notBefore: new Date('2026-05-01'), notAfter: new Date('2027-05-01') });
  seeds = [leaf.der, intermediate.der, root.der].map((d) => new Uint8Array(d));
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

/** A certificate of the seeds: untouched half the time, else damaged. */
const der = fc.record({ seed: fc.nat(), damaged: fc.boolean(), mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }) }).map(({ seed, damaged, mutations }) => {
  const picked = seeds[seed % seeds.length]!;
  return damaged ? mutate(picked, mutations) : picked;
});
const pem = (bytes: Uint8Array, label: string) => `-----BEGIN ${label}-----\n${(Buffer.from(bytes).toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----`;
const block = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(der, fc.constantFrom('CERTIFICATE', 'CERTIFICATE', 'PRIVATE KEY', 'PKCS7', 'CERTIFICATE REQUEST')).map(([d, label]) => pem(d, label)) },
  { weight: 2, arbitrary: der.map((d) => Buffer.from(d).toString('base64')) },
  { weight: 1, arbitrary: messyText(200, ['-----BEGIN CERTIFICATE-----', '-----END CERTIFICATE-----', 'MII', '==']) },
);
/** What is pasted (blocks in any order, joined any way, sometimes cut) or attached (one DER). */
const input = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.array(block, { minLength: 1, maxLength: 5 }), fc.constantFrom('\n', '\n\n', '\r\n', ' '), fc.option(fc.nat(), { nil: undefined })).map(([blocks, sep, cut]) => {
    const text = blocks.join(sep);
    return cut === undefined ? text : text.slice(0, cut % (text.length + 1));
  }) },
  { weight: 1, arbitrary: der },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
);

describe('fuzz: --merge input and the pending CSR', () => {
  it('the pasted or attached certificates parse or are refused with a typed error', () => {
    fuzz(input, (given) => {
      const certificates = valueOrUserError(() => parseMergeInput(given));
      for (const c of certificates ?? []) expect(c.thumbprint).toMatch(/^[0-9A-F]{40}$/);
    });
  });

  it('checked against the pending request: a chain to a root with the CSR\'s key, or a typed error saying what is wrong', async () => {
    await fuzzAsync(input, async (given) => {
      const certificates = valueOrUserError(() => parseMergeInput(given));
      if (!certificates) return;
      try {
        const chain = await checkMergeChain(certificates, csr, NOW);
        expect(chain.path[0]).toBe(chain.leaf);
        expect(chain.root.selfIssued).toBe(true);
      } catch (error) {
        if (!isUserError(error)) throw error;
        expect(`${error.safeMessage} ${error.hint ?? ''}`).not.toMatch(RAW_EXCEPTION);
      }
    });
  });

  it('a damaged CSR (as Key Vault might hand back) parses or is refused with a typed error', () => {
    fuzz(fc.array(mutation, { maxLength: 4 }).map((m) => mutate(csrDer, m)), (bytes) => {
      const parsed = valueOrUserError(() => parseCertificateRequest(bytes));
      if (parsed) expect(typeof parsed.selfSignatureValid).toBe('boolean');
    });
  });
});
