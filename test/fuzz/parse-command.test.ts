import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMAND_SPECS } from '../../core/commands/command-specs';
import { isSiteName, parseCommand } from '../../core/commands/parse-command';
import { fuzz, messyText, RAW_EXCEPTION } from './fuzz';

/** Words the parser gives meaning to, so generated lines reach past the first token often. */
const WORDS = [...COMMAND_SPECS.flatMap((s) => [s.name, ...s.aliases]), 'all', 'site-paris', 'paris', 'SITE-OSLO', '--hours', '--days', '--hours=', '--days=24', '--', '--nope', '0', '-1', '168', '169', '1e3', '0x10', '99999999999999999999', 'status-fleet-3f9c2a1b', 'change~subscriptions~x'];

/** A chat message: Teams mention markup and HTML around a command line, maybe pasted lines under it. */
const message = fc.oneof(
  { weight: 2, arbitrary: messyText(400, WORDS) },
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        fc.constantFrom('', '<at>VPN Bot</at> ', '<p>', '<at>VPN Bot</at>&nbsp;', '/', '  '),
        fc.array(fc.oneof(fc.constantFrom(...WORDS), messyText(20, WORDS), fc.constantFrom('"quoted words"', "'single", '"unclosed')), { maxLength: 8 }),
        fc.oneof(fc.constant(''), fc.constantFrom('\n', '\r\n', '<br>').chain((nl) => messyText(300).map((rest) => `${nl}${rest}`))),
      )
      .map(([prefix, tokens, rest]) => `${prefix}${tokens.join(' ')}${rest}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\n\n', 'x'.repeat(20_001), `status ${'a'.repeat(600)}`, '<at></at>', '<at>VPN Bot</at>'.repeat(500)) },
);

describe('fuzz: the command parser', () => {
  it('every message ends in a parsed command or a typed failure whose text is fit for a person', () => {
    fuzz(message, (text) => {
      const result = parseCommand(text);
      if (result.ok) {
        const { command } = result;
        expect(COMMAND_SPECS.map((s) => s.name)).toContain(command.name);
        const site = (command.args as { site?: unknown }).site;
        if (site !== undefined) expect(site === 'all' || (typeof site === 'string' && isSiteName(site))).toBe(true);
        return;
      }
      const { failure } = result;
      expect(['empty', 'too-long', 'unknown-command', 'invalid']).toContain(failure.kind);
      if (failure.kind === 'invalid') {
        expect(failure.problem).not.toMatch(RAW_EXCEPTION);
        expect(failure.problem.length).toBeLessThanOrEqual(600);
      }
      if (failure.kind === 'unknown-command') expect(failure.typed.length).toBeLessThanOrEqual(200);
    });
  });
});
