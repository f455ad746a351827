import { closestMatches } from '../text/closest-match';
import { MAX_COMMAND_LINE_LENGTH, MAX_MESSAGE_LENGTH, normalizeUserText, quoteForDisplay, teamsHtmlToText } from '../text/sanitize-text';
import type { ArgSpec, ArgType, CommandSpec, FlagSpec } from './command-spec';
import { usageOf } from './command-spec';
import type { ArgsOf, CommandName, FlagsOf, SpecOf } from './command-specs';
import { COMMAND_SPECS, findCommandSpec } from './command-specs';

/**
 * One parsed command, its arguments and flags typed from its spec (`command.args.site` is a string when the spec
 * says it is required). A union over the commands: narrow on `spec.name`.
 */
export type ParsedCommand<N extends CommandName = CommandName> = {
  readonly [K in N]: {
    /** The command's name (its spec's), for narrowing. */
    readonly name: K;
    readonly spec: SpecOf<K>;
    readonly args: ArgsOf<K>;
    readonly flags: FlagsOf<K>;
    /** Lines after the command line, for commands that accept pasted text (e.g. a device log). */
    readonly pastedText?: string;
  };
}[N];

export type ParseFailure =
  | { readonly kind: 'empty' }
  | { readonly kind: 'too-long'; readonly limit: number }
  | { readonly kind: 'unknown-command'; readonly typed: string; readonly suggestions: readonly string[] }
  | {
      readonly kind: 'invalid';
      readonly spec: CommandSpec<CommandName>;
      /** What is wrong, in the user's terms. Any user input inside it is already quoted and shortened. */
      readonly problem: string;
      readonly usage: string;
      readonly example: string;
    };

export type ParseResult = { readonly ok: true; readonly command: ParsedCommand } | { readonly ok: false; readonly failure: ParseFailure };

/** Azure resource names: 1-80 characters, letters, digits, underscore, period, hyphen; start alphanumeric. */
const SITE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/;
/** Whether `value` is a site name people can type (the `site` argument's rule). */
export function isSiteName(value: string): boolean {
  return SITE_NAME.test(value);
}

/** Job ids are durable instance ids the bot minted: lowercase, digits, `.`, `_`, `-`, and `~` in change jobs' keys. */
const JOB_ID = /^[a-z0-9][a-z0-9._~()-]{2,255}$/;

/**
 * Parses one chat message into a command. The message may carry Teams @mention markup and light HTML; the first
 * line is the command, the rest is pasted text (accepted only by commands that say so).
 */
export function parseCommand(rawText: string): ParseResult {
  if (rawText.length > MAX_MESSAGE_LENGTH) return fail({ kind: 'too-long', limit: MAX_MESSAGE_LENGTH });
  const text = normalizeUserText(teamsHtmlToText(stripMentions(rawText)));
  const trimmed = text.replace(/^\s+/, '');
  const newline = trimmed.indexOf('\n');
  const commandLine = (newline === -1 ? trimmed : trimmed.slice(0, newline)).trim();
  const rest = newline === -1 ? '' : trimmed.slice(newline + 1);
  if (commandLine.length === 0) return fail({ kind: 'empty' });
  if (commandLine.length > MAX_COMMAND_LINE_LENGTH) return fail({ kind: 'too-long', limit: MAX_COMMAND_LINE_LENGTH });

  const tokenized = tokenize(commandLine);
  const [name, ...tokens] = tokenized.tokens;
  if (name === undefined) return fail({ kind: 'empty' });
  const spec = findCommandSpec(name.replace(/^\//, ''));
  if (!spec) {
    const candidates = COMMAND_SPECS.flatMap((s) => [s.name, ...(s.aliases as readonly string[]).filter((a) => /^[a-z]/.test(a))]);
    const suggestions = closestMatches(name, candidates).map((c) => findCommandSpec(c)?.name ?? c);
    return fail({ kind: 'unknown-command', typed: quoteForDisplay(name), suggestions: [...new Set(suggestions)] });
  }
  const invalid = (problem: string): ParseResult =>
    fail({ kind: 'invalid', spec, problem, usage: usageOf(spec), example: spec.examples[spec.examples.length - 1] ?? spec.name });

  if (tokenized.unclosedQuote) return invalid('A quote is not closed. Close it, or remove it.');
  const pasted = rest.trim();
  if (pasted.length > 0 && !spec.acceptsPastedText) {
    return invalid(`\`${spec.name}\` takes a single line. Remove the extra lines.`);
  }

  const args: Record<string, string | undefined> = {};
  const flags: Record<string, number | boolean | string | undefined> = {};
  const positional: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!token.startsWith('--') || token === '--') {
      positional.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const flagName = (eq === -1 ? token.slice(2) : token.slice(2, eq)).toLowerCase();
    const flag = spec.flags.find((f) => f.name === flagName);
    if (!flag) {
      const known = spec.flags.map((f) => `--${f.name}`).join(', ');
      return invalid(`\`${spec.name}\` has no option \`--${quoteForDisplay(flagName, 30)}\`.${known ? ` It takes ${known}.` : ' It takes no options.'}`);
    }
    if (flags[flag.name] !== undefined) return invalid(`\`--${flag.name}\` is given twice. Give it once.`);
    if (flag.type === 'boolean') {
      if (eq !== -1) return invalid(`\`--${flag.name}\` is a switch and takes no value.`);
      flags[flag.name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = token.slice(eq + 1);
    else if (i + 1 < tokens.length && !tokens[i + 1]!.startsWith('--')) value = tokens[++i];
    const checked = checkFlagValue(flag, value);
    if (typeof checked === 'string') return invalid(checked);
    flags[flag.name] = checked.value;
  }

  if (positional.length > spec.args.length) {
    const extra = quoteForDisplay(positional.slice(spec.args.length).join(' '));
    return invalid(spec.args.length === 0 ? `\`${spec.name}\` takes no arguments, but got \`${extra}\`.` : `Too many arguments: \`${extra}\` is not expected.`);
  }
  for (const [index, arg] of spec.args.entries()) {
    const value = positional[index];
    if (value === undefined) {
      if (arg.required) return invalid(`\`${spec.name}\` needs <${arg.name}>: ${lowerFirst(arg.description)}`);
      continue;
    }
    const problem = checkArgValue(arg, value);
    if (problem) return invalid(problem);
    args[arg.name] = arg.type === 'command-name' || arg.type === 'choice' || (arg.type === 'site-or-all' && value.toLowerCase() === 'all') ? value.toLowerCase() : value;
  }
  for (const flag of spec.flags) {
    if (flags[flag.name] === undefined && flag.defaultValue !== undefined) flags[flag.name] = flag.defaultValue;
  }
  // The values were checked against this very spec above, so they have the types the spec declares.
  return { ok: true, command: { name: spec.name, spec, args, flags, ...(pasted.length > 0 ? { pastedText: rest } : {}) } as ParsedCommand };
}

function fail(failure: ParseFailure): ParseResult {
  return { ok: false, failure };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** Removes Teams mention markup (`<at>Bot</at>`) wherever it appears: only the command text matters. */
export function stripMentions(text: string): string {
  return text.replace(/<at(\s[^<>]*)?>[\s\S]*?<\/at>/gi, ' ');
}

function checkFlagValue(flag: FlagSpec, value: string | undefined): { value: number | string } | string {
  const placeholder = flag.valueName ?? 'N';
  if (flag.type === 'choice') {
    const choices = flag.choices ?? [];
    if (value === undefined || value === '') return `\`--${flag.name}\` needs one of ${choices.map((c) => `\`${c}\``).join(', ')}.`;
    const chosen = choices.find((c) => c === value.toLowerCase());
    return chosen !== undefined ? { value: chosen } : `\`--${flag.name}\` takes ${choices.map((c) => `\`${c}\``).join(', ')}, not \`${quoteForDisplay(value, 20)}\`.`;
  }
  if (flag.type === 'text') {
    const max = flag.maxLength ?? 200;
    if (value === undefined || value.trim() === '') return `\`--${flag.name}\` needs a value (${flag.description.charAt(0).toLowerCase()}${flag.description.slice(1)})`;
    return value.length > max ? `\`--${flag.name}\` is longer than ${max} characters.` : { value: value.trim() };
  }
  if (value === undefined || value === '') return `\`--${flag.name}\` needs a value, e.g. \`--${flag.name} ${flag.defaultValue ?? 1}\`.`;
  if (!/^\d{1,9}$/.test(value)) return `\`--${flag.name}\` takes a whole number ${placeholder}, not \`${quoteForDisplay(value, 20)}\`.`;
  const n = Number(value);
  if ((flag.min !== undefined && n < flag.min) || (flag.max !== undefined && n > flag.max)) {
    return `\`--${flag.name}\` must be between ${flag.min ?? 0} and ${flag.max ?? Number.MAX_SAFE_INTEGER}; ${n} is outside that.`;
  }
  return { value: n };
}

const ARG_CHECKS: Record<ArgType, (value: string, arg: ArgSpec) => string | undefined> = {
  site: (value, arg) =>
    SITE_NAME.test(value) ? undefined : `\`${quoteForDisplay(value)}\` is not a valid ${arg.name} name: use letters, digits, \`-\`, \`_\` or \`.\` (at most 80).`,
  'site-or-all': (value, arg) => (value.toLowerCase() === 'all' ? undefined : ARG_CHECKS.site(value, arg)),
  'job-id': (value) =>
    JOB_ID.test(value) ? undefined : `\`${quoteForDisplay(value)}\` is not a job id. Job ids look like \`status-site-paris-3f9c2a1b\`; \`jobs\` lists yours.`,
  choice: (value, arg) => {
    const choices = arg.choices ?? [];
    return choices.includes(value.toLowerCase()) ? undefined : `<${arg.name}> is ${choices.map((c) => `\`${c}\``).join(' or ')}, not \`${quoteForDisplay(value, 30)}\`.`;
  },
  'command-name': (value) => {
    if (findCommandSpec(value)) return undefined;
    const suggestions = closestMatches(value, COMMAND_SPECS.map((s) => s.name));
    return `There is no command \`${quoteForDisplay(value)}\`.${suggestions.length ? ` Did you mean \`${suggestions[0]}\`?` : ''}`;
  },
};

function checkArgValue(arg: ArgSpec, value: string): string | undefined {
  if (value.trim() === '') return `<${arg.name}> is empty (\`""\`): ${lowerFirst(arg.description)}`;
  return ARG_CHECKS[arg.type](value, arg);
}

interface Tokenized {
  readonly tokens: string[];
  readonly unclosedQuote: boolean;
}

const QUOTE_PAIRS: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’', '„': '“' };

/** Splits on whitespace; straight and typographic quotes (Teams auto-replaces them) group words. */
export function tokenize(line: string): Tokenized {
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let closing: string | undefined;
  for (const ch of line) {
    if (closing !== undefined) {
      if (ch === closing || (closing === '”' && ch === '"')) closing = undefined;
      else current += ch;
      continue;
    }
    if (QUOTE_PAIRS[ch] !== undefined) {
      closing = QUOTE_PAIRS[ch];
      inToken = true;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
      continue;
    }
    current += ch;
    inToken = true;
  }
  if (inToken) tokens.push(current);
  return { tokens, unclosedQuote: closing !== undefined };
}
