import type { ChangePlan } from './change-plan';

/**
 * The files a plan hands over: its notes that name a `file`, by that name, in the order they first appear. A file made
 * of one note is that note's text exactly (the swanctl.conf on the card is the file, byte for byte); a file made of
 * several is each note's label on its own line, then its text, with a blank line between them.
 */
export interface PlanFile {
  readonly name: string;
  readonly text: string;
}

/** Longest name a plan may give a file (names travel in a card's context and come back from the client). */
export const MAX_PLAN_FILE_NAME = 100;

/** Letters, digits, dot, dash and underscore; no path, no leading dot. */
export function isPlanFileName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_PLAN_FILE_NAME && /^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(name);
}

export function planFiles(plan: Pick<ChangePlan, 'notes'>): PlanFile[] {
  const byName = new Map<string, { label: string; text: string }[]>();
  for (const note of plan.notes ?? []) {
    if (!note.file || !isPlanFileName(note.file)) continue;
    const parts = byName.get(note.file) ?? [];
    parts.push({ label: note.label, text: note.text });
    byName.set(note.file, parts);
  }
  return [...byName].map(([name, parts]) => ({
    name,
    text: parts.length === 1 ? parts[0]!.text : parts.map((p) => `${p.label}\n${p.text.replace(/\n*$/, '')}\n`).join('\n'),
  }));
}
