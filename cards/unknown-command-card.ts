import type { AdaptiveCard } from './adaptive-card';
import { card, heading, literal, paragraph } from './adaptive-card';
import { executeAction, VERBS } from './verbs';

/** `typed` is already quoted and shortened by the parser; it is shown literally. */
export function unknownCommandCard(typed: string, suggestions: readonly string[]): AdaptiveCard {
  const body = [
    heading("I don't know that command"),
    literal([{ text: 'There is no command ' }, { text: typed, mono: true }, { text: '.' }]),
    suggestions.length > 0
      ? literal([{ text: 'Did you mean ' }, { text: suggestions[0]!, mono: true, bold: true }, { text: '?' }])
      : paragraph('Type `help` to see the commands.'),
  ];
  const actions = suggestions.slice(0, 3).map((s) => executeAction(`help ${s}`, VERBS.runCommand, { command: `help ${s}` }));
  actions.push(executeAction('All commands', VERBS.runCommand, { command: 'help' }));
  return card(body, actions);
}
