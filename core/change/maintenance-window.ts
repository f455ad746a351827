/**
 * `--at <UTC time>`: when an approved change may be applied (a maintenance window). Written as UTC by people:
 * `2026-12-06T02:00Z`, `2026-12-06 02:00`, `2026-12-06T02:00:00Z` (seconds optional; `Z`, `UTC` or `+00:00` optional,
 * any other offset refused so nobody schedules in the wrong zone). It must lie ahead, and at most
 * MAX_WINDOW_DAYS away.
 */
export const MAX_WINDOW_DAYS = 30;

const UTC_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\s*(?:Z|UTC|\+00:?00))?$/i;

export type MaintenanceTime = { readonly ok: true; readonly at: Date } | { readonly ok: false; readonly problem: string };

export function parseMaintenanceTime(text: string, now: Date): MaintenanceTime {
  const m = UTC_TIME.exec(text.trim());
  if (!m) return { ok: false, problem: '--at takes a UTC time such as 2026-12-06T02:00Z (date, hours and minutes; no other time zone).' };
  const [year, month, day, hours, minutes, seconds] = m.slice(1, 7).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const at = new Date(Date.UTC(year, month - 1, day, hours, minutes, seconds));
  if (at.getUTCFullYear() !== year || at.getUTCMonth() !== month - 1 || at.getUTCDate() !== day || hours > 23 || minutes > 59 || seconds > 59) {
    return { ok: false, problem: `--at ${text.trim().slice(0, 40)} is not a real date and time.` };
  }
  if (at.getTime() <= now.getTime()) return { ok: false, problem: `--at ${formatWindow(at)} has passed (it is ${formatWindow(now)} now). Give a time ahead, or leave --at out to apply once approved.` };
  if (at.getTime() - now.getTime() > MAX_WINDOW_DAYS * 86_400_000) return { ok: false, problem: `--at ${formatWindow(at)} is more than ${MAX_WINDOW_DAYS} days ahead. Ask for the change closer to the window.` };
  return { ok: true, at };
}

/** `2026-12-06 02:00 UTC`. */
export function formatWindow(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
