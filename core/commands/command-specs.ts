import type { CommandSpec } from './command-spec';

/** Longest window `diagnose` reads; Log Analytics keeps more, but a week answers "why is it down". */
export const MAX_DIAGNOSE_HOURS = 7 * 24;
export const DEFAULT_DIAGNOSE_HOURS = 24;

/**
 * Every command the bot understands. Adding a command means adding its spec here and its handler in
 * `bot/commands/`; the compiler then insists on both (see `bot/commands/index.ts`).
 */
export const COMMAND_SPECS = [
  {
    name: 'help',
    aliases: ['?', 'commands'],
    summary: 'List the commands, or explain one.',
    args: [{ name: 'command', type: 'command-name', required: false, description: 'A command to explain.' }],
    flags: [],
    examples: ['help', 'help diagnose'],
    role: 'anyone',
    effect: 'read-only',
    execution: 'instant',
  },
  {
    name: 'whoami',
    aliases: ['me'],
    summary: 'Show who the bot thinks you are and which roles you have.',
    args: [],
    flags: [],
    examples: ['whoami'],
    // Everyone may ask who they are, including people without a role: that is how they find out they have none.
    role: 'anyone',
    effect: 'read-only',
    execution: 'instant',
  },
  {
    name: 'status',
    aliases: ['st'],
    summary: 'Show one site, or the whole fleet: tunnels, traffic and certificate expiry.',
    details:
      'Without a site (or with `all`) it lists every certificate-authenticated connection in scope, worst first. ' +
      'With a site it shows both tunnels, traffic, the outbound certificate in Key Vault and the inbound chain.',
    args: [{ name: 'site', type: 'site-or-all', required: false, description: 'A site name such as site-paris (or just paris), or `all`.' }],
    flags: [],
    examples: ['status', 'status site-paris', 'status paris', 'status all'],
    role: 'reader',
    effect: 'read-only',
    execution: 'orchestration',
  },
  {
    name: 'diagnose',
    aliases: ['why', 'diag'],
    summary: "Explain why a site's tunnel is down, from its IKE logs and metrics.",
    details:
      'Reads the gateway IKE and tunnel diagnostic logs in Log Analytics for the window and names the cause. ' +
      "Paste the on-prem device's strongSwan log under the command (or attach it as a .log/.txt file) to combine both sides.",
    args: [{ name: 'site', type: 'site', required: true, description: 'The site to diagnose, such as site-berlin (or just berlin).' }],
    flags: [
      { name: 'hours', type: 'integer', valueName: 'N', description: `How many hours of logs to read (1 to ${MAX_DIAGNOSE_HOURS}).`, min: 1, max: MAX_DIAGNOSE_HOURS, defaultValue: DEFAULT_DIAGNOSE_HOURS },
    ],
    examples: ['diagnose site-berlin', 'diagnose site-oslo --hours 6'],
    role: 'reader',
    effect: 'read-only',
    execution: 'orchestration',
    acceptsPastedText: true,
  },
  {
    name: 'jobs',
    aliases: ['operations', 'ops'],
    summary: 'List your running and recent operations.',
    args: [],
    flags: [],
    examples: ['jobs'],
    role: 'reader',
    effect: 'read-only',
    execution: 'instant',
  },
  {
    name: 'cancel',
    aliases: ['stop'],
    summary: 'Cancel one of your running operations.',
    args: [{ name: 'job-id', type: 'job-id', required: true, description: 'The job id shown by `jobs` or on the operation card.' }],
    flags: [],
    examples: ['cancel status-fleet-3f9c2a1b'],
    role: 'operator',
    effect: 'change',
    execution: 'instant',
  },
] as const satisfies readonly CommandSpec[];

export type CommandName = (typeof COMMAND_SPECS)[number]['name'];

export function findCommandSpec(nameOrAlias: string): CommandSpec<CommandName> | undefined {
  const wanted = nameOrAlias.toLowerCase();
  return COMMAND_SPECS.find((spec) => spec.name === wanted || (spec.aliases as readonly string[]).includes(wanted));
}
