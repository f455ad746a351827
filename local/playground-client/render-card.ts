/**
 * A readable terminal rendering of an Adaptive Card: headings, text, label/value rows, and buttons, in order.
 * Good enough to read what a person would see in Teams, from `npm run chat`.
 */
export function renderCard(card: Record<string, unknown>): string {
  const lines: string[] = [];
  const buttons: string[] = [];
  renderElements(card.body, lines, buttons, '');
  collectActions(card.actions, buttons);
  if (buttons.length > 0) lines.push(buttons.map((b) => `[${b}]`).join(' '));
  return lines.join('\n');
}

function textOf(element: Record<string, unknown>): string {
  if (element.type === 'TextBlock') return String(element.text ?? '');
  if (element.type === 'RichTextBlock') return ((element.inlines as Record<string, unknown>[] | undefined) ?? []).map((run) => String(run.text ?? '')).join('');
  return '';
}

function renderElements(elements: unknown, lines: string[], buttons: string[], indent: string): void {
  if (!Array.isArray(elements)) return;
  for (const raw of elements) {
    if (!raw || typeof raw !== 'object') continue;
    const element = raw as Record<string, unknown>;
    switch (element.type) {
      case 'TextBlock':
      case 'RichTextBlock': {
        const text = textOf(element);
        const first = (element.inlines as Record<string, unknown>[] | undefined)?.[0];
        const heading = (element.weight === 'Bolder' && element.size === 'Medium') || (first?.weight === 'Bolder' && first?.size === 'Medium');
        if (text) lines.push(`${indent}${heading ? `== ${text} ==` : text}`);
        break;
      }
      case 'ColumnSet': {
        const cells = ((element.columns as Record<string, unknown>[] | undefined) ?? []).map((column) => {
          const inner: string[] = [];
          renderElements(column.items, inner, buttons, '');
          return inner.join(' / ');
        });
        const row = cells.filter(Boolean).join('  ');
        if (row) lines.push(`${indent}${row}`);
        break;
      }
      case 'Container':
        renderElements(element.items, lines, buttons, element.style === 'emphasis' ? `${indent}  ` : indent);
        break;
      case 'FactSet':
        for (const fact of (element.facts as { title?: string; value?: string }[] | undefined) ?? []) lines.push(`${indent}${fact.title}: ${fact.value}`);
        break;
      case 'ActionSet': {
        // Buttons in the body belong to what is above them (e.g. a note's fix): shown there, not with the card's own.
        const inline: string[] = [];
        collectActions(element.actions, inline);
        if (inline.length > 0) lines.push(`${indent}${inline.map((b) => `[${b}]`).join(' ')}`);
        break;
      }
      default:
        break;
    }
  }
}

function collectActions(actions: unknown, buttons: string[]): void {
  if (!Array.isArray(actions)) return;
  for (const action of actions) if (action && typeof action === 'object' && typeof (action as { title?: unknown }).title === 'string') buttons.push((action as { title: string }).title);
}
