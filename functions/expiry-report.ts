import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { createDurableJobService } from '../adapters/durable/durable-job-service';
import { conversationKeyOf } from '../adapters/storage/table-conversation-store';
import { ensureDefaultSubscription, startDailyExpiryReport } from '../bot/expiry-schedule';
import { describeError } from '../bot/present-error';
import { DEFAULT_EXPIRY_SCHEDULE } from '../core/config/expiry-config';
import { appServices } from './app-services';

/**
 * The daily expiry report: a timer (EXPIRY_REPORT_SCHEDULE, NCRONTAB in UTC, default 08:00) starts the day's run
 * (`expiry-daily-<day>`), which posts each subscribed conversation its report once.
 */
const services = appServices();
const expiry = services.config.expiry;

async function defaultSubscription(): Promise<void> {
  const channelId = expiry?.defaultChannelId;
  if (!channelId) return;
  const days = expiry.defaultChannelDays ?? expiry.tierBounds.at(-1) ?? 30;
  const made = await ensureDefaultSubscription(services.subscriptions, { conversationId: channelId, conversationKey: conversationKeyOf(channelId), label: expiry.defaultChannelName ?? 'the configured channel', days }, new Date());
  if (made) services.log.info('expiry report: default channel subscribed', { days });
}

// At start, so `subscriptions` shows it before the first report; again before each run (a start while storage was down).
void defaultSubscription().catch((error: unknown) => services.log.warn('expiry report: default subscription not made yet', { error: describeError(error) }));

app.timer('expiryReportTimer', {
  schedule: expiry?.schedule ?? DEFAULT_EXPIRY_SCHEDULE,
  extraInputs: [df.input.durableClient()],
  handler: async (timer, context) => {
    await defaultSubscription().catch((error: unknown) => services.log.warn('expiry report: default subscription not made', { error: describeError(error) }));
    // The host's time of this firing (the schedule monitor's), which names the day: a host on a virtual clock agrees.
    const updated = Date.parse(String(timer.scheduleStatus?.lastUpdated ?? ''));
    const now = Number.isNaN(updated) ? new Date() : new Date(updated);
    const outcome = await startDailyExpiryReport(createDurableJobService(df.getClient(context)), now);
    services.log.info('expiry report timer', { outcome });
  },
});
