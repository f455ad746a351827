import type { CommandSpec, Role } from './command-spec';
import { usageOf } from './command-spec';
import type { CommandName } from './command-specs';
import { COMMAND_SPECS } from './command-specs';

export interface HelpEntry {
  readonly name: CommandName;
  readonly usage: string;
  readonly summary: string;
  readonly role: Role | 'anyone';
  /** Whether the person asking may run it, so help shows what they can do and what needs another role. */
  readonly allowed: boolean;
}

export interface CommandHelp {
  readonly name: CommandName;
  readonly usage: string;
  readonly summary: string;
  readonly details?: string;
  readonly aliases: readonly string[];
  readonly args: readonly { name: string; description: string; required: boolean }[];
  readonly flags: readonly { usage: string; description: string }[];
  readonly examples: readonly string[];
  readonly role: Role | 'anyone';
  readonly effect: 'read-only' | 'change';
  readonly allowed: boolean;
}

export function helpOverview(hasRole: (role: Role | 'anyone') => boolean): HelpEntry[] {
  return COMMAND_SPECS.map((spec) => ({ name: spec.name, usage: usageOf(spec), summary: spec.summary, role: spec.role, allowed: hasRole(spec.role) }));
}

export function helpForCommand(spec: CommandSpec<CommandName>, hasRole: (role: Role | 'anyone') => boolean): CommandHelp {
  return {
    name: spec.name,
    usage: usageOf(spec),
    summary: spec.summary,
    ...(spec.details ? { details: spec.details } : {}),
    aliases: spec.aliases.filter((a) => /^[a-z]/.test(a)),
    args: spec.args.map((a) => ({ name: a.name, description: a.description, required: a.required })),
    flags: spec.flags.map((f) => ({
      usage: f.type === 'boolean' ? `--${f.name}` : `--${f.name} ${f.valueName ?? 'N'}`,
      description: f.defaultValue !== undefined && f.type !== 'boolean' ? `${f.description} Default ${f.defaultValue}.` : f.description,
    })),
    examples: spec.examples,
    role: spec.role,
    effect: spec.effect,
    allowed: hasRole(spec.role),
  };
}
