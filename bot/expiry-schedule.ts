import { ORCHESTRATIONS } from '../core/jobs/job-catalog';
import type { JobService } from '../core/ports/jobs';
import type { ExpirySubscription, SubscriptionStore } from '../core/ports/subscriptions';

/** The day's run's id: a business key, so the report runs once a day however often the timer fires. */
export function dailyExpiryJobId(day: string): string {
  return `expiry-daily-${day}`;
}

/**
 * The timer's work: start the day's report run unless it already ran or runs today. A failed or terminated run may be
 * started again (every post checks the day's record first, so nobody gets the report twice).
 */
export async function startDailyExpiryReport(jobs: JobService, now: Date): Promise<'started' | 'already'> {
  const day = now.toISOString().slice(0, 10);
  const jobId = dailyExpiryJobId(day);
  const existing = await jobs.get(jobId);
  if (existing && existing.status !== 'Failed' && existing.status !== 'Terminated' && existing.status !== 'Canceled') return 'already';
  const started = await jobs.start(ORCHESTRATIONS.expiryDelivery, {
    jobId,
    commandLine: 'expiry (daily report)',
    requestedBy: { aadObjectId: '', name: 'daily schedule' },
    conversationKey: '',
    cardActivityId: '',
    requestedAt: now.toISOString(),
    payload: { day },
  });
  return started === 'started' ? 'started' : 'already';
}

/**
 * The channel configured to receive the report from the start (EXPIRY_DEFAULT_CHANNEL_ID; the sandbox's "VPN
 * alerts"): subscribed once, the first time the app starts with the setting; unsubscribing it afterwards sticks.
 */
export async function ensureDefaultSubscription(store: SubscriptionStore, channel: { readonly conversationId: string; readonly conversationKey: string; readonly label: string; readonly days: number }, now: Date): Promise<boolean> {
  if (!(await store.claimOnce(`default-${channel.conversationKey}`))) return false;
  if (await store.get(channel.conversationKey)) return false;
  const subscription: ExpirySubscription = {
    conversationKey: channel.conversationKey,
    conversationId: channel.conversationId,
    label: channel.label,
    days: channel.days,
    subscribedBy: { aadObjectId: '', name: 'configuration (EXPIRY_DEFAULT_CHANNEL_ID)' },
    subscribedAt: now.toISOString(),
  };
  await store.put(subscription);
  return true;
}
