import type { CommandHelp, HelpEntry } from '../core/commands/help';
import type { AdaptiveCard, CardElement } from './adaptive-card';
import { card, container, facts, heading, literal, paragraph } from './adaptive-card';
import { executeAction, VERBS } from './verbs';

const ROLE_LABEL = { anyone: 'anyone', reader: 'reader', operator: 'operator', approver: 'approver' } as const;

export function helpCard(entries: readonly HelpEntry[], options: { environmentName: string }): AdaptiveCard {
  const allowed = entries.filter((e) => e.allowed);
  const other = entries.filter((e) => !e.allowed);
  const body: CardElement[] = [
    heading('VPN certificate bot'),
    paragraph('Site-to-site VPN connections that authenticate with certificates: status, diagnosis and operations. Type a command, or `help <command>` for details.', { subtle: true }),
  ];
  const list = (items: readonly HelpEntry[]): CardElement =>
    container(items.map((e) => literal([{ text: e.usage, mono: true, bold: true }, { text: `  ${e.summary}` }])));
  if (allowed.length > 0) body.push(list(allowed));
  if (other.length > 0) {
    body.push(paragraph('Needs a role you do not have:', { subtle: true }));
    body.push(
      container(other.map((e) => literal([{ text: e.usage, mono: true }, { text: `  ${e.summary} (${ROLE_LABEL[e.role]})`, subtle: true }]))),
    );
  }
  if (options.environmentName !== 'production') body.push(literal([{ text: `Environment: ${options.environmentName}`, subtle: true }]));
  return card(body, [executeAction('Who am I?', VERBS.runCommand, { command: 'whoami' }), executeAction('My jobs', VERBS.runCommand, { command: 'jobs' })]);
}

export function commandHelpCard(help: CommandHelp): AdaptiveCard {
  const body: CardElement[] = [heading(`help ${help.name}`), literal(help.summary)];
  if (help.details) body.push(literal(help.details));
  body.push(container([literal([{ text: help.usage, mono: true, bold: true }])], 'emphasis'));
  const rows: [string, string][] = [];
  for (const arg of help.args) rows.push([`<${arg.name}>`, `${arg.description}${arg.required ? '' : ' Optional.'}`]);
  for (const flag of help.flags) rows.push([flag.usage, flag.description]);
  if (help.aliases.length > 0) rows.push(['Also', help.aliases.join(', ')]);
  rows.push(['Role', help.role === 'anyone' ? 'anyone' : help.role]);
  rows.push(['Effect', help.effect === 'read-only' ? 'read-only: changes nothing' : 'changes Azure: audited']);
  body.push(facts(rows));
  body.push(paragraph('Examples', { subtle: true }));
  body.push(container(help.examples.map((e) => literal([{ text: e, mono: true }]))));
  if (!help.allowed) body.push(paragraph(`You need the ${help.role} role to run this.`, { tone: 'warning' }));
  return card(body);
}
