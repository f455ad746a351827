import { UserError } from '../core/errors/user-error';

/**
 * Readers for what a card sent back with Action.Execute: untrusted, so each field is checked for type and size,
 * and anything else is one safe error.
 */
function invalid(): UserError {
  return new UserError('InvalidCardData', 'That button sent data I cannot use.', 'Run the command again by typing it.');
}

function field(data: unknown, name: string): unknown {
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[name] : undefined;
}

export function stringField(data: unknown, name: string, maxLength: number): string {
  const value = field(data, name);
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) throw invalid();
  return value;
}

export function numberField(data: unknown, name: string, min: number, max: number): number {
  const value = field(data, name);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw invalid();
  return value;
}

export function booleanField(data: unknown, name: string): boolean {
  return field(data, name) === true;
}
