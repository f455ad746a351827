import { describe, expect, it } from 'vitest';
import { fleetStatusCard } from '../../cards/fleet-status-card';
import { jobCard } from '../../cards/job-card';
import { fleetCardPhase } from '../../bench/fleet-card-phase';

const summary = { total: 2, connected: 1, down: 1, expiring: 0, degraded: 0 };
const base = { jobId: 'status-fleet-1', rows: [], page: 0, pageCount: 1, summary, checkedAt: '2026-01-01T00:00:00.000Z' };

describe('fleetCardPhase on the real cards', () => {
  it('sees the collecting card while connections are still being read', () => {
    expect(fleetCardPhase(fleetStatusCard({ ...base, progress: { inspected: 1, total: 2 } }) as unknown as Record<string, unknown>)).toBe('collecting');
  });

  it('sees the finished card once every connection is in', () => {
    expect(fleetCardPhase(fleetStatusCard(base) as unknown as Record<string, unknown>)).toBe('final');
    expect(fleetCardPhase(fleetStatusCard({ ...base, progress: { inspected: 2, total: 2 } }) as unknown as Record<string, unknown>)).toBe('final');
  });

  it('calls the acknowledgement card and anything unreadable other', () => {
    const ack = jobCard({ jobId: 'status-fleet-1', commandLine: 'status all', requestedBy: 'Alex Wilber', startedAt: new Date('2026-01-01T00:00:00Z'), state: 'started' });
    expect(fleetCardPhase(ack as unknown as Record<string, unknown>)).toBe('other');
    expect(fleetCardPhase(undefined)).toBe('other');
    expect(fleetCardPhase({ body: 'not a list' })).toBe('other');
    expect(fleetCardPhase({ body: [{ type: 'Image' }] })).toBe('other');
  });
});
