import { describe, expect, it } from 'vitest';
import { formatWindow, parseMaintenanceTime } from '../../../core/change/maintenance-window';

const now = new Date('2026-12-05T08:30:00Z');

describe('--at <UTC time>', () => {
  it.each(['2026-12-06T02:00Z', '2026-12-06 02:00', '2026-12-06T02:00:00Z', '2026-12-06T02:00 UTC', '2026-12-06T02:00+00:00'])('%s is 2026-12-06 02:00 UTC', (text) => {
    const parsed = parseMaintenanceTime(text, now);
    expect(parsed.ok && formatWindow(parsed.at)).toBe('2026-12-06 02:00 UTC');
  });

  it.each([
    ['2026-12-06T02:00+01:00', /UTC time/],
    ['tomorrow', /UTC time/],
    ['2026-02-30T02:00Z', /not a real date/],
    ['2026-12-05T08:00Z', /has passed \(it is 2026-12-05 08:30 UTC now\)/],
    ['2027-02-01T00:00Z', /more than 30 days ahead/],
  ])('%s is refused with what to fix', (text, problem) => {
    const parsed = parseMaintenanceTime(text, now);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problem).toMatch(problem);
  });
});
