import { describe, expect, it } from 'vitest';
import { COMMAND_SPECS } from '../../../core/commands/command-specs';
import type { ParseFailure, ParseResult } from '../../../core/commands/parse-command';
import { parseCommand, tokenize } from '../../../core/commands/parse-command';

/** The parsed command, with its arguments and flags readable by name whichever command it is (for assertions). */
function ok(result: ParseResult) {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.failure)}`);
  return result.command as typeof result.command & { readonly args: Readonly<Record<string, string | undefined>>; readonly flags: Readonly<Record<string, number | boolean | undefined>> };
}
function failure(result: ParseResult): ParseFailure {
  if (result.ok) throw new Error(`expected failure, got ${result.command.spec.name}`);
  return result.failure;
}
function problem(result: ParseResult): string {
  const f = failure(result);
  if (f.kind !== 'invalid') throw new Error(`expected invalid, got ${f.kind}`);
  return f.problem;
}

describe('parseCommand', () => {
  it('strips the bot @mention that Teams puts in channel messages', () => {
    const cmd = ok(parseCommand('<at>VPN Bot</at> status site-paris'));
    expect(cmd.spec.name).toBe('status');
    expect(cmd.args.site).toBe('site-paris');
  });

  it('handles Teams HTML: &nbsp; after a mention and paragraph tags', () => {
    const cmd = ok(parseCommand('<p><at>VPN Bot</at>&nbsp;diagnose site-berlin --hours 6</p>'));
    expect(cmd.spec.name).toBe('diagnose');
    expect(cmd.flags.hours).toBe(6);
  });

  it('is case-insensitive for command names and accepts aliases', () => {
    expect(ok(parseCommand('STATUS')).spec.name).toBe('status');
    expect(ok(parseCommand('Why site-oslo')).spec.name).toBe('diagnose');
    expect(ok(parseCommand('/help')).spec.name).toBe('help');
  });

  it('keeps site names as typed (lookup is case-insensitive later)', () => {
    expect(ok(parseCommand('status Site-Paris')).args.site).toBe('Site-Paris');
  });

  it('reads quoted values, straight and typographic', () => {
    expect(ok(parseCommand('status "site-paris"')).args.site).toBe('site-paris');
    expect(ok(parseCommand('status “site-paris”')).args.site).toBe('site-paris');
    expect(tokenize('a "b c" d').tokens).toEqual(['a', 'b c', 'd']);
  });

  it('reads --flag value and --flag=value, and applies defaults', () => {
    expect(ok(parseCommand('diagnose site-oslo --hours=12')).flags.hours).toBe(12);
    expect(ok(parseCommand('diagnose site-oslo')).flags.hours).toBe(24);
    expect(ok(parseCommand('diagnose --hours 2 site-oslo')).args.site).toBe('site-oslo');
  });

  it('says exactly what is wrong with a flag value, with the allowed range', () => {
    expect(problem(parseCommand('diagnose site-oslo --hours 500'))).toMatch(/between 1 and 168/);
    expect(problem(parseCommand('diagnose site-oslo --hours lots'))).toMatch(/whole number/);
    expect(problem(parseCommand('diagnose site-oslo --hours'))).toMatch(/needs a value/);
    expect(problem(parseCommand('diagnose site-oslo --days 2'))).toMatch(/no option `--days`.*--hours/);
    expect(problem(parseCommand('diagnose site-oslo --hours 1 --hours 2'))).toMatch(/twice/);
  });

  it('reports a missing required argument with usage and an example that parses', () => {
    const f = failure(parseCommand('diagnose'));
    expect(f.kind).toBe('invalid');
    if (f.kind !== 'invalid') return;
    expect(f.problem).toMatch(/needs <site>/);
    expect(f.usage).toBe('diagnose <site> [--hours N]');
    expect(parseCommand(f.example).ok).toBe(true);
  });

  it('rejects extra arguments', () => {
    expect(problem(parseCommand('whoami please'))).toMatch(/takes no arguments/);
    expect(problem(parseCommand('status a b'))).toMatch(/Too many arguments/);
  });

  it('suggests the closest command for typos', () => {
    const f = failure(parseCommand('statsu site-paris'));
    expect(f).toMatchObject({ kind: 'unknown-command', suggestions: ['status'] });
    expect(failure(parseCommand('diagnos site-x'))).toMatchObject({ suggestions: ['diagnose'] });
    expect(failure(parseCommand('xyzzy'))).toMatchObject({ kind: 'unknown-command', suggestions: [] });
  });

  it('rejects invalid site names without echoing them raw', () => {
    const p = problem(parseCommand('status <script>alert(1)</script>'));
    expect(p).toMatch(/not a valid site name/);
    expect(p.length).toBeLessThan(200);
  });

  it('says an argument given as empty quotes is empty, and what belongs there', () => {
    expect(problem(parseCommand('status ""'))).toBe('<site> is empty (`""`): a site name such as site-paris (or just paris), or `all`.');
    expect(problem(parseCommand("diagnose ''"))).toMatch(/^<site> is empty/);
  });

  it('accepts pasted text only where the command allows it', () => {
    const cmd = ok(parseCommand('diagnose site-berlin\nNov 23 10:00:01 08[IKE] <site-berlin|1> received AUTHENTICATION_FAILED notify error'));
    expect(cmd.pastedText).toContain('<site-berlin|1> received AUTHENTICATION_FAILED');
    expect(problem(parseCommand('status site-paris\nmore text'))).toMatch(/single line/);
  });

  it('treats empty and mention-only messages as empty', () => {
    expect(failure(parseCommand(''))).toEqual({ kind: 'empty' });
    expect(failure(parseCommand('<at>VPN Bot</at>   '))).toEqual({ kind: 'empty' });
  });

  it('every example in every spec parses to its own command', () => {
    for (const spec of COMMAND_SPECS) {
      for (const example of spec.examples) {
        expect(ok(parseCommand(example)).spec.name, example).toBe(spec.name);
      }
    }
  });
});

describe('parseCommand with hostile input', () => {
  it('refuses very long command lines and huge messages without work proportional to them', () => {
    expect(failure(parseCommand(`status ${'a'.repeat(5_000)}`))).toEqual({ kind: 'too-long', limit: 500 });
    expect(failure(parseCommand('x'.repeat(300_000)))).toEqual({ kind: 'too-long', limit: 200_000 });
  });

  it('removes control, zero-width and bidi characters before matching', () => {
    expect(ok(parseCommand('sta\u200Btus\u0007 site-paris')).spec.name).toBe('status');
    const f = failure(parseCommand('\u202Eelpoh'));
    expect(f.kind).toBe('unknown-command');
    if (f.kind === 'unknown-command') expect(f.typed).not.toMatch(/\u202E/);
  });

  it('normalises full-width letters (NFKC)', () => {
    expect(ok(parseCommand('ｓｔａｔｕｓ')).spec.name).toBe('status');
  });

  it('quotes unknown input shortened, never whole', () => {
    const f = failure(parseCommand(`${'ä'.repeat(200)}`));
    expect(f.kind).toBe('unknown-command');
    if (f.kind === 'unknown-command') expect(Array.from(f.typed).length).toBeLessThanOrEqual(40);
  });

  it('does not treat markdown or HTML in arguments as valid names', () => {
    expect(problem(parseCommand('status [click](https://evil.example)'))).toMatch(/not a valid site name/);
    expect(problem(parseCommand('cancel **bold**'))).toMatch(/not a job id/);
  });

  it('reports an unclosed quote', () => {
    expect(problem(parseCommand('status "site-paris'))).toMatch(/quote is not closed/);
  });
});

describe('rotate: a choice argument and choice flags', () => {
  it('parses the side and the source, case-insensitively', () => {
    const parsed = parseCommand('rotate Paris OUTBOUND --source External');
    expect(parsed).toMatchObject({ ok: true, command: { name: 'rotate', args: { site: 'Paris', side: 'outbound' }, flags: { source: 'external' } } });
  });

  it('refuses a side or a source it does not know, naming the ones it takes', () => {
    expect(parseCommand('rotate site-paris sideways')).toMatchObject({ ok: false, failure: { kind: 'invalid', problem: '<side> is `outbound` or `inbound`, not `sideways`.' } });
    expect(parseCommand('rotate site-paris outbound --source hsm')).toMatchObject({ ok: false, failure: { kind: 'invalid', problem: '`--source` takes `ca`, `external`, `vault`, not `hsm`.' } });
    expect(parseCommand('rotate site-paris outbound --source')).toMatchObject({ ok: false, failure: { kind: 'invalid', problem: '`--source` needs one of `ca`, `external`, `vault`.' } });
  });

  it('needs the side, and shows the choices in its usage', () => {
    const parsed = parseCommand('rotate site-paris');
    expect(parsed).toMatchObject({ ok: false, failure: { kind: 'invalid', usage: 'rotate <site> outbound|inbound [--source ca|external|vault] [--days N] [--merge] [--subject NAME] [--at UTC]' } });
  });

  it('--merge takes the certificates pasted below the command', () => {
    const parsed = parseCommand('rotate site-paris outbound --merge\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----');
    expect(parsed).toMatchObject({ ok: true, command: { flags: { merge: true }, pastedText: expect.stringContaining('BEGIN CERTIFICATE') } });
  });
});
