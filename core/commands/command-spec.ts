/**
 * Declarative command specs: one spec drives parsing, `help`, authorization, the Teams manifest's command list and
 * (for changing commands) approvals, so help can't drift from behaviour.
 */
export type Role = 'reader' | 'operator' | 'approver';

/** What an argument holds; each type has one validator in `parse-command.ts`. */
export type ArgType = 'site' | 'site-or-all' | 'job-id' | 'command-name' | 'choice';

export interface ArgSpec {
  readonly name: string;
  readonly type: ArgType;
  readonly required: boolean;
  readonly description: string;
  /** `choice` only: the words it takes (matched case-insensitively, given in lower case). */
  readonly choices?: readonly string[];
}

export interface FlagSpec {
  readonly name: string;
  /** `choice`: one of `choices`; `text`: free text up to `maxLength` characters (quote it when it has spaces). */
  readonly type: 'integer' | 'boolean' | 'choice' | 'text';
  readonly description: string;
  /** `choice` only: the values it takes (lower case). */
  readonly choices?: readonly string[];
  /** `text` only: longest value accepted (default 200). */
  readonly maxLength?: number;
  /** Placeholder shown in usage, e.g. `N` in `--hours N`. */
  readonly valueName?: string;
  readonly min?: number;
  readonly max?: number;
  readonly defaultValue?: number | boolean;
}

export interface CommandSpec<Name extends string = string> {
  readonly name: Name;
  readonly aliases: readonly string[];
  /** One line, imperative, shown in `help`. */
  readonly summary: string;
  /** Optional longer text for `help <command>`. */
  readonly details?: string;
  readonly args: readonly ArgSpec[];
  readonly flags: readonly FlagSpec[];
  /** Full command lines a user can copy; each must parse (a test checks that). */
  readonly examples: readonly string[];
  /** Least role that may run it; `anyone` for help and whoami, which people without a role need most. */
  readonly role: Role | 'anyone';
  /** Read-only commands never change Azure; changing ones are audited and (later) approved. */
  readonly effect: 'read-only' | 'change';
  /** Instant commands answer in the turn; the others start a durable orchestration and answer with an ack card. */
  readonly execution: 'instant' | 'orchestration';
  /** Text after the first line (e.g. a pasted device log) is handed to the command instead of being an error. */
  readonly acceptsPastedText?: boolean;
}

/** `diagnose <site> [--hours N]` */
export function usageOf(spec: CommandSpec): string {
  const parts: string[] = [spec.name];
  for (const arg of spec.args) {
    if (arg.type === 'choice' && arg.choices) {
      parts.push(arg.required ? arg.choices.join('|') : `[${arg.choices.join('|')}]`);
      continue;
    }
    const name = arg.type === 'site-or-all' ? `${arg.name}|all` : arg.name;
    parts.push(arg.required ? `<${name}>` : `[${name}]`);
  }
  for (const flag of spec.flags) {
    if (flag.type === 'boolean') parts.push(`[--${flag.name}]`);
    else if (flag.type === 'choice' && flag.choices) parts.push(`[--${flag.name} ${flag.choices.join('|')}]`);
    else parts.push(`[--${flag.name} ${flag.valueName ?? (flag.type === 'text' ? 'TEXT' : 'N')}]`);
  }
  return parts.join(' ');
}
