import { describe, expect, it } from 'vitest';
import { NcrontabSchedule, ScheduleError } from '../../../local/host/ncrontab-schedule';

const next = (expression: string, after: string) => NcrontabSchedule.parse(expression).next(new Date(after)).toISOString();

describe('NCRONTAB schedules (UTC)', () => {
  it('reads the 6-field form with seconds first', () => {
    expect(next('0 30 2 * * *', '2030-05-01T02:30:00Z')).toBe('2030-05-02T02:30:00.000Z');
    expect(next('0 30 2 * * *', '2030-05-01T02:29:59.500Z')).toBe('2030-05-01T02:30:00.000Z');
    expect(next('*/15 * * * * *', '2030-05-01T00:00:07Z')).toBe('2030-05-01T00:00:15.000Z');
    expect(next('0 */5 * * * *', '2030-05-01T00:58:00Z')).toBe('2030-05-01T01:00:00.000Z');
  });

  it('accepts names, ranges, lists and steps', () => {
    // 2030-05-04 is a Saturday.
    expect(next('0 0 9 * * MON-FRI', '2030-05-04T10:00:00Z')).toBe('2030-05-06T09:00:00.000Z');
    expect(next('0 0 12 1 jan,jul *', '2030-02-01T00:00:00Z')).toBe('2030-07-01T12:00:00.000Z');
    expect(next('10-20/5 0 0 * * *', '2030-05-01T00:00:11Z')).toBe('2030-05-01T00:00:15.000Z');
  });

  it('requires day-of-month AND day-of-week to match (NCrontab, not Vixie cron)', () => {
    expect(next('0 0 0 13 * FRI', '2030-01-01T00:00:00Z')).toBe('2030-09-13T00:00:00.000Z');
  });

  it('skips months without the day and finds leap days', () => {
    expect(next('0 0 0 31 * *', '2030-04-01T00:00:00Z')).toBe('2030-05-31T00:00:00.000Z');
    expect(next('0 0 0 29 2 *', '2030-03-01T00:00:00Z')).toBe('2032-02-29T00:00:00.000Z');
  });

  it('accepts the 5-field form (seconds = 0)', () => {
    expect(next('30 2 * * *', '2030-05-01T03:00:00Z')).toBe('2030-05-02T02:30:00.000Z');
  });

  it('rejects malformed expressions with the offending field', () => {
    expect(() => NcrontabSchedule.parse('0 60 * * * *')).toThrow(ScheduleError);
    expect(() => NcrontabSchedule.parse('0 60 * * * *')).toThrow(/'60' is not a valid minute value/);
    expect(() => NcrontabSchedule.parse('* * *')).toThrow(/expected 6 fields/);
    expect(() => NcrontabSchedule.parse('0 0 0 * * 7')).toThrow(/day-of-week/);
    expect(() => NcrontabSchedule.parse('0 0 0 30 2 *').next(new Date('2030-01-01T00:00:00Z'))).toThrow(/never occurs/);
  });
});
