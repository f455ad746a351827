import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { formFields } from '../../bot/provision-actions';
import { provisionFormCard } from '../../cards/provision-form-card';
import { parseProvisionFields, provisionCommandLine, type ProvisionFields } from '../../core/provision/provision-request';
import { parseCommand } from '../../core/commands/parse-command';
import { createRootCa, issueCertificate } from '../../local/pki/cert-factory';
import { cardProblems } from '../cards/card-inspect';
import { fuzz, messyText, RAW_EXCEPTION, valueOrUserError } from './fuzz';

/**
 * `provision`, inline and from the form: whatever is typed into any field (and whatever a card sends as its data)
 * ends in either a validated request or a problem per field with a code, never an exception, never raw exception
 * text, and never a private key pasted into the chain echoed back; the form re-rendered with those problems stays a
 * valid card.
 */
let chain = '';
let keyPem = '';
beforeAll(async () => {
  const root = await createRootCa({ subject: 'CN=Fuzz Root' });
  const issuing = await issueCertificate(root, { subject: 'CN=Fuzz Issuing', isCa: true });
  chain = root.pem + issuing.pem;
  keyPem = issuing.privateKeyPem;
});

const ipish = fc.oneof(fc.ipV4(), fc.ipV4Extended(), fc.ipV6(), messyText(20, ['.', '0', '255', '256', '/']));
const prefixish = fc.oneof(
  fc.tuple(fc.array(fc.tuple(fc.ipV4(), fc.integer({ min: -1, max: 40 })).map(([ip, len]) => `${ip}/${len}`), { maxLength: 40 }), fc.constantFrom(',', ' ', ';', ', ')).map(([p, sep]) => p.join(sep)),
  messyText(80, ['/', ',', '.', '10.50.0.0/16']),
);
const field = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const fields: fc.Arbitrary<ProvisionFields & { chainKind: number }> = fc.record({
  site: field(fc.oneof(fc.constant('site-rome'), messyText(90, ['-', 'site']))),
  ip: field(ipish),
  fqdn: field(fc.oneof(fc.domain(), messyText(60, ['.', '-']))),
  prefixes: field(prefixish),
  subject: field(fc.oneof(fc.constant('CN=rome-vpn.contoso.example'), messyText(300, ['CN=', ',', '=']))),
  gateway: field(messyText(90, ['vpngw-hub'])),
  policy: field(fc.oneof(fc.constantFrom('default', 'strong', 'STRONG'), messyText(12))),
  outbound: field(fc.oneof(fc.constantFrom('ca', 'external', 'existing:outbound-site-rome', 'existing:'), messyText(150, ['existing:', ':']))),
  chainKind: fc.integer({ min: 0, max: 4 }),
});

function withChain(f: ProvisionFields & { chainKind: number }, noise: string): ProvisionFields {
  const { chainKind, ...rest } = f;
  const c = [undefined, chain, chain + keyPem, noise, chain.slice(0, Math.max(0, chain.length - 40))][chainKind];
  return c === undefined ? rest : { ...rest, chain: c };
}

describe('fuzzing the provision request (inline and form)', () => {
  it('every input ends in a request or per-field problems with codes; no exception, no key echoed; the form stays valid', () => {
    fuzz(fc.tuple(fields, messyText(200, ['-----BEGIN CERTIFICATE-----', 'MII'])), ([f, noise]) => {
      const input = withChain(f, noise);
      const parsed = valueOrUserError(() => parseProvisionFields(input));
      if (!parsed) return;
      const shown = JSON.stringify(parsed);
      expect(shown).not.toContain('PRIVATE KEY-----');
      if (parsed.ok) {
        expect(parsed.request.prefixes.length).toBeGreaterThan(0);
        expect(RAW_EXCEPTION.test(provisionCommandLine(parsed.request))).toBe(false);
        return;
      }
      for (const p of parsed.problems) {
        expect(p.code).toMatch(/^[A-Z][A-Za-z0-9]+$/);
        expect(RAW_EXCEPTION.test(p.message)).toBe(false);
      }
      const values = Object.fromEntries(Object.entries(input).filter(([k, v]) => k !== 'chain' && typeof v === 'string'));
      expect(cardProblems(provisionFormCard(values, parsed.problems))).toEqual([]);
    });
  });

  it('the form data a card sends: anything that is not text of a bounded size is one safe error', () => {
    fuzz(fc.anything(), (data) => {
      const read = valueOrUserError(() => formFields(data));
      if (read) expect(Object.values(read).every((v) => typeof v === 'string')).toBe(true);
    });
  });

  it('typed inline: the command line parses or fails with a reason, whatever is typed after provision', () => {
    fuzz(messyText(400, ['--ip', '--prefixes', '--subject', '--policy', '--outbound', '"', '10.50.0.0/16']), (rest) => {
      const parsed = parseCommand(`provision ${rest}`);
      if (parsed.ok) expect(parsed.command.spec.name).toBe('provision');
    });
  });
});
