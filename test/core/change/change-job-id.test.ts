import { describe, expect, it } from 'vitest';
import { changeJobId, connectionIdOfChangeJob, isChangeJobId } from '../../../core/change/change-job-id';
import { planFingerprint } from '../../../core/change/plan-fingerprint';
import { parseCommand } from '../../../core/commands/parse-command';
import { LISBON_CONNECTION_ID, lisbonPlan } from './change-fixtures';

describe('change job ids: a business key from the connection', () => {
  it('encodes the connection id without / \\ # ? (instance id rules), reversibly, case-insensitively', () => {
    const id = changeJobId(LISBON_CONNECTION_ID);
    expect(id).toBe('change~subscriptions~5d6f3a2e-8c1b-4e7a-9f0d-2b4c6e8a1f3d~resourcegroups~rg-hub-network~providers~microsoft.network~connections~cn-site-lisbon');
    expect(id).not.toMatch(/[/\\#?]/);
    expect(changeJobId(LISBON_CONNECTION_ID.toUpperCase())).toBe(id);
    expect(connectionIdOfChangeJob(id)).toBe(LISBON_CONNECTION_ID.toLowerCase());
    expect(isChangeJobId(id)).toBe(true);
    expect(isChangeJobId('status-site-paris-1234abcd')).toBe(false);
  });

  it('is a job id `cancel` accepts', () => {
    const parsed = parseCommand(`cancel ${changeJobId(LISBON_CONNECTION_ID)}`);
    expect(parsed.ok).toBe(true);
  });
});

describe('plan fingerprint', () => {
  it('is stable for the same plan whatever the key order, and changes with any field', () => {
    const plan = lisbonPlan();
    const reordered = Object.fromEntries(Object.entries(plan).reverse()) as typeof plan;
    expect(planFingerprint(reordered)).toBe(planFingerprint(plan));
    expect(planFingerprint(plan)).toMatch(/^[0-9a-f]{16}$/);
    expect(planFingerprint(lisbonPlan({ risk: 'other' }))).not.toBe(planFingerprint(plan));
    expect(planFingerprint(lisbonPlan({ changes: [] }))).not.toBe(planFingerprint(plan));
  });
});
