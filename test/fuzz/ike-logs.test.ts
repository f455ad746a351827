import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IkeEvent } from '../../core/ike/ike-event';
import { parseAzureIkeMessage } from '../../core/ike/parse-azure-ike-message';
import { parseCharonLog } from '../../core/ike/parse-charon-log';
import { MAX_EVENT_TEXT } from '../../core/ike/sanitize-log-text';
import { fuzz, messyText, valueOrUserError } from './fuzz';

/**
 * Both IKE log parsers on real lines, damaged: Azure's IKEDiagnosticLog messages (Microsoft's verbatim samples) and
 * charon logs (the real strongSwan logs of the lab), spliced, cut, repeated and mixed with junk. Every line ends in
 * events whose text is bounded and free of characters that hide or reorder text.
 */
const fixtures = join(__dirname, '../fixtures/ike');
const azureLines = readFileSync(join(fixtures, 'azure-ike-log-samples.txt'), 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
const charonLines = readdirSync(join(fixtures, 'strongswan')).flatMap((f) => readFileSync(join(fixtures, 'strongswan', f), 'utf8').split('\n'));

// Characters that can hide or reorder text in a chat card, or break JSON consumers (as test/core/ike/hostile-input.test.ts).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function expectSafe(event: IkeEvent): void {
  expect(event.text.length).toBeLessThanOrEqual(MAX_EVENT_TEXT);
  expect(event.text).not.toMatch(UNSAFE);
  for (const value of [event.subject, event.issuer, event.expectedId, event.peerId, event.localId, event.status, event.instance, event.connection]) {
    if (value === undefined) continue;
    expect(typeof value).toBe('string');
    expect(value.length).toBeLessThanOrEqual(300);
    expect(value).not.toMatch(UNSAFE);
  }
}

/** A real line changed: a piece replaced by junk, cut short, a span repeated, digits swapped for others. */
function damaged(lines: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...lines), fc.nat(), fc.nat(), messyText(40, ['"', "'", '[', ']', '{', '}', ':', '0x', '255.255.255.255', 'CN=', '<', '>']), fc.constantFrom('splice', 'cut', 'repeat', 'digits', 'none'))
    .map(([line, a, b, junk, how]) => {
      const i = a % (line.length + 1);
      const j = b % (line.length + 1);
      const [from, to] = i <= j ? [i, j] : [j, i];
      switch (how) {
        case 'splice':
          return `${line.slice(0, from)}${junk}${line.slice(to)}`;
        case 'cut':
          return line.slice(0, from);
        case 'repeat':
          return `${line.slice(0, to)}${line.slice(from, to).repeat(1 + (a % 50))}${line.slice(to)}`;
        case 'digits':
          return line.replace(/\d+/g, (d) => (d.length % 2 ? '99999999999999999999' : '-1'));
        default:
          return line;
      }
    });
}

const azureRow = fc.record({
  timeGenerated: fc.oneof(fc.date({ noInvalidDate: false }), fc.constantFrom('2026-11-23T10:00:00Z', '11/23/2026 5:04:09 PM', '', 'not a date'), messyText(30)),
  message: fc.oneof({ weight: 4, arbitrary: damaged(azureLines) }, { weight: 1, arbitrary: messyText(600) }, { weight: 1, arbitrary: fc.constantFrom(...azureLines) }),
  instance: fc.option(fc.oneof(fc.constantFrom('IN_0', 'IN_1'), messyText(20)), { nil: undefined }),
  level: fc.option(fc.oneof(fc.constantFrom('Informational', 'Error', 'Warning'), messyText(10)), { nil: undefined }),
});

const charonText = fc
  .array(fc.oneof({ weight: 4, arbitrary: damaged(charonLines) }, { weight: 1, arbitrary: fc.constantFrom(...charonLines) }, { weight: 1, arbitrary: messyText(200, ['08[IKE] ', '[IKE] ', '<s2s|1> ', 'Nov 23 17:55:34 ']) }), { maxLength: 40 })
  .chain((lines) => fc.constantFrom('\n', '\r\n', '\r').map((nl) => lines.join(nl)));

describe('fuzz: IKE log parsers', () => {
  it("Azure's IKEDiagnosticLog rows: every row ends in one safe event", () => {
    fuzz(azureRow, (row) => {
      const event = valueOrUserError(() => parseAzureIkeMessage(row));
      if (event) expectSafe(event);
    });
  });

  it('charon logs: every text ends in a bounded list of safe events', () => {
    fuzz(fc.tuple(charonText, fc.option(fc.integer({ min: -5, max: 50 }), { nil: undefined })), ([text, maxEvents]) => {
      const events = valueOrUserError(() => parseCharonLog(text, maxEvents === undefined ? {} : { maxEvents }));
      expect(events).toBeDefined();
      expect(events!.length).toBeLessThanOrEqual(Math.max(1, maxEvents ?? 2000));
      events!.forEach(expectSafe);
    });
  });
});
