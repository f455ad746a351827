import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IkeEvent } from '../../../core/ike/ike-event';
import { parseCharonLog } from '../../../core/ike/parse-charon-log';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/ike', import.meta.url));

/** Scenarios run by local/strongswan/run-scenario.sh; each has an -initiator and a -responder log. */
export const STRONGSWAN_SCENARIOS = [
  'good',
  'wrong-root',
  'subject-mismatch',
  'gateway-id-mismatch',
  'expired',
  'not-yet-valid',
  'proposal-mismatch',
  'ts-mismatch',
  'psk-one-side',
  'psk-one-side-key-known',
  'psk-mismatch',
  'peer-unreachable',
] as const;

export type StrongswanScenario = (typeof STRONGSWAN_SCENARIOS)[number];

export function charonFixture(scenario: StrongswanScenario, side: 'initiator' | 'responder'): string {
  return readFileSync(join(FIXTURES, 'strongswan', `${scenario}-${side}.log`), 'utf8');
}

export function charonEvents(scenario: StrongswanScenario, side: 'initiator' | 'responder'): IkeEvent[] {
  return parseCharonLog(charonFixture(scenario, side));
}

/** The verbatim Azure lines (comment and blank lines dropped) from the shared sample file, copied into fixtures. */
export function azureSampleLines(): string[] {
  return readFileSync(join(FIXTURES, 'azure-ike-log-samples.txt'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

/** The quoted phrase fragments the sample file lists in its `##` comment lines. */
export function azureSampleFragments(): string[] {
  const text = readFileSync(join(FIXTURES, 'azure-ike-log-samples.txt'), 'utf8');
  return text
    .split('\n')
    .filter((line) => /^##\s+"/.test(line))
    .flatMap((line) => [...line.matchAll(/"([^"]+)"/g)].map((m) => m[1]!));
}

/**
 * The date the strongSwan scenarios were run, read back from the expired scenario (its certificate ended 35 days
 * before the run), so the fixtures can be regenerated on any day without editing the tests.
 */
export function scenarioRunDate(): Date {
  const validTo = charonEvents('expired', 'responder').find((e) => e.kind === 'certificate-outside-validity')?.validTo;
  if (!validTo) throw new Error('expired-responder.log no longer has a validity line; regenerate the fixtures');
  return new Date(Date.parse(validTo) + 35 * 86_400_000);
}
