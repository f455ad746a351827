/**
 * NCRONTAB schedules as the Functions timer trigger reads them: `{second} {minute} {hour} {day} {month} {day-of-week}`
 * (a 5-field form without seconds is accepted too), evaluated in UTC. Day-of-month and day-of-week must BOTH match
 * (NCrontab semantics, unlike Vixie cron's OR). Also the TimeSpan form (`hh:mm:ss`) = fixed interval.
 */

const monthNames = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const dayNames = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  namesStart?: number;
}

const fieldSpecs: FieldSpec[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: monthNames, namesStart: 1 },
  { name: 'day-of-week', min: 0, max: 6, names: dayNames, namesStart: 0 },
];

export class NcrontabSchedule {
  private constructor(
    readonly expression: string,
    private readonly seconds: Set<number>,
    private readonly minutes: Set<number>,
    private readonly hours: Set<number>,
    private readonly days: Set<number>,
    private readonly months: Set<number>,
    private readonly daysOfWeek: Set<number>,
  ) {}

  static parse(expression: string): NcrontabSchedule {
    const fields = expression.trim().split(/\s+/);
    if (fields.length === 5) fields.unshift('0');
    if (fields.length !== 6) {
      throw new ScheduleError(`'${expression}' is not a valid NCRONTAB expression: expected 6 fields (second minute hour day month day-of-week).`);
    }
    const sets = fields.map((field, i) => parseField(field, fieldSpecs[i] as FieldSpec, expression));
    const [s, m, h, d, mo, dow] = sets as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
    return new NcrontabSchedule(expression, s, m, h, d, mo, dow);
  }

  /** The first occurrence strictly after `after` (second precision). */
  next(after: Date): Date {
    const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
    // 29 February on a given weekday recurs every 28 years; anything rarer never occurs.
    const limit = after.getTime() + 29 * 366 * 86_400_000;
    while (t.getTime() <= limit) {
      if (!this.months.has(t.getUTCMonth() + 1)) {
        t.setUTCMonth(t.getUTCMonth() + 1, 1);
        t.setUTCHours(0, 0, 0, 0);
        continue;
      }
      if (!this.days.has(t.getUTCDate()) || !this.daysOfWeek.has(t.getUTCDay())) {
        t.setUTCDate(t.getUTCDate() + 1);
        t.setUTCHours(0, 0, 0, 0);
        continue;
      }
      if (!this.hours.has(t.getUTCHours())) {
        t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
        continue;
      }
      if (!this.minutes.has(t.getUTCMinutes())) {
        t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
        continue;
      }
      if (!this.seconds.has(t.getUTCSeconds())) {
        t.setUTCSeconds(t.getUTCSeconds() + 1, 0);
        continue;
      }
      return t;
    }
    throw new ScheduleError(`NCRONTAB expression '${this.expression}' never occurs.`);
  }
}

function parseField(field: string, spec: FieldSpec, expression: string): Set<number> {
  const values = new Set<number>();
  for (const item of field.split(',')) {
    const [rangePart, stepPart, extra] = item.split('/');
    if (extra !== undefined || rangePart === undefined || rangePart === '') throw invalid(expression, spec, item);
    const step = stepPart === undefined ? 1 : Number(stepPart);
    if (!Number.isInteger(step) || step < 1) throw invalid(expression, spec, item);
    let from: number;
    let to: number;
    if (rangePart === '*') {
      from = spec.min;
      to = spec.max;
    } else if (rangePart.includes('-')) {
      const [a, b] = rangePart.split('-');
      from = value(a ?? '', spec, expression, item);
      to = value(b ?? '', spec, expression, item);
    } else {
      from = value(rangePart, spec, expression, item);
      to = stepPart === undefined ? from : spec.max;
    }
    if (from > to) throw invalid(expression, spec, item);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

function value(text: string, spec: FieldSpec, expression: string, item: string): number {
  const upper = text.toUpperCase();
  if (spec.names) {
    const index = spec.names.indexOf(upper);
    if (index >= 0) return index + (spec.namesStart ?? 0);
  }
  if (!/^\d+$/.test(text)) throw invalid(expression, spec, item);
  const n = Number(text);
  if (n < spec.min || n > spec.max) throw invalid(expression, spec, item);
  return n;
}

function invalid(expression: string, spec: FieldSpec, item: string): ScheduleError {
  return new ScheduleError(`'${expression}' is not a valid NCRONTAB expression: '${item}' is not a valid ${spec.name} value (${spec.min}-${spec.max}).`);
}
