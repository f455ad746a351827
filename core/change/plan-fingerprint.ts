import { createHash } from 'node:crypto';
import type { ChangePlan } from './change-plan';

/**
 * The plan's fingerprint: SHA-256 of its canonical JSON (keys sorted), first 16 hex digits. An approval names the
 * fingerprint it saw; a stale, replayed or forged card names another and is refused. Computed in an activity (never in
 * an orchestration: hashing modules are off limits there).
 */
export function planFingerprint(plan: ChangePlan): string {
  return createHash('sha256').update(canonicalJson(plan), 'utf8').digest('hex').slice(0, 16);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
