import { DEFAULT_EXPIRY_TIERS, parseTierBounds } from '../expiry/expiry-report';

/**
 * Expiry reports (`expiry`, `subscribe expiry`, the daily timer, Key Vault's near-expiry alerts):
 * - `EXPIRY_TIERS`: ascending tier bounds in days (default `7,14,30`); the largest is the default threshold.
 * - `EXPIRY_REPORT_SCHEDULE`: NCRONTAB of the daily report timer, in UTC (default `0 0 8 * * *`, 08:00).
 * - `EXPIRY_REPORT_QUIET`: `true` posts nothing when a conversation has nothing to report (default: one short line).
 * - `EXPIRY_DEFAULT_CHANNEL_ID`: a channel subscribed at start when it has no subscription yet (the sandbox's
 *   "VPN alerts"); `EXPIRY_DEFAULT_CHANNEL_DAYS` its threshold, `EXPIRY_DEFAULT_CHANNEL_NAME` its name on cards.
 */
export interface ExpiryConfig {
  readonly tierBounds: readonly number[];
  readonly schedule: string;
  readonly quietWhenFine: boolean;
  readonly defaultChannelId?: string;
  readonly defaultChannelDays?: number;
  /** How the default channel is named on cards (`EXPIRY_DEFAULT_CHANNEL_NAME`, e.g. VPN alerts). */
  readonly defaultChannelName?: string;
}

export const DEFAULT_EXPIRY_SCHEDULE = '0 0 8 * * *';

export const DEFAULT_EXPIRY_CONFIG: ExpiryConfig = { tierBounds: DEFAULT_EXPIRY_TIERS, schedule: DEFAULT_EXPIRY_SCHEDULE, quietWhenFine: false };

const NCRONTAB = /^(\S+\s+){4,5}\S+$/;

export function readExpiryConfig(get: (name: string) => string | undefined, problems: string[]): ExpiryConfig {
  const tiers = parseTierBounds(get('EXPIRY_TIERS'));
  if ('problem' in tiers) problems.push(tiers.problem);
  const schedule = get('EXPIRY_REPORT_SCHEDULE') ?? DEFAULT_EXPIRY_SCHEDULE;
  if (!NCRONTAB.test(schedule)) problems.push(`EXPIRY_REPORT_SCHEDULE must be an NCRONTAB expression ({second} {minute} {hour} {day} {month} {day-of-week}, UTC), e.g. ${DEFAULT_EXPIRY_SCHEDULE}.`);
  const quiet = get('EXPIRY_REPORT_QUIET');
  if (quiet !== undefined && !/^(true|false)$/i.test(quiet)) problems.push('EXPIRY_REPORT_QUIET must be true or false.');
  const channel = get('EXPIRY_DEFAULT_CHANNEL_ID');
  const channelName = get('EXPIRY_DEFAULT_CHANNEL_NAME');
  const daysText = get('EXPIRY_DEFAULT_CHANNEL_DAYS');
  const days = daysText === undefined ? undefined : Number(daysText);
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 365)) problems.push('EXPIRY_DEFAULT_CHANNEL_DAYS must be a whole number of days from 1 to 365.');
  return {
    tierBounds: 'bounds' in tiers ? tiers.bounds : DEFAULT_EXPIRY_TIERS,
    schedule,
    quietWhenFine: quiet?.toLowerCase() === 'true',
    ...(channel ? { defaultChannelId: channel } : {}),
    ...(channelName ? { defaultChannelName: channelName.slice(0, 80) } : {}),
    ...(days !== undefined && Number.isInteger(days) && days >= 1 && days <= 365 ? { defaultChannelDays: days } : {}),
  };
}
