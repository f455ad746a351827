import { expiryReportCard } from '../cards/expiry-report-card';
import { card, paragraph } from '../cards/adaptive-card';
import { subscriptionEndedCard } from '../cards/subscriptions-card';
import { isUserError } from '../core/errors/user-error';
import { narrowReport } from '../core/expiry/expiry-report';
import { completedOutput, ORCHESTRATIONS } from '../core/jobs/job-catalog';
import { CONVERSATION_GONE } from '../core/ports/messaging';
import type { ExpirySubscription } from '../core/ports/subscriptions';
import type { ListExpirySubscriptionsOutput, MarkExpiryRotatedInput, PostExpiryReportInput, PostExpiryReportOutput } from './activity-names';
import type { ActivityPorts } from './activity-ports';

/** What the daily run needs of each subscription: where, how many days, when (no names or people in history). */
export async function listExpirySubscriptions(_input: Record<string, never>, ports: ActivityPorts): Promise<ListExpirySubscriptionsOutput> {
  const all = (await ports.subscriptions?.list()) ?? [];
  return {
    subscriptions: all.map((s) => ({ conversationKey: s.conversationKey, days: s.days, ...(s.at ? { at: s.at } : {}) })),
    quietWhenFine: ports.expiry?.quietWhenFine ?? false,
  };
}

/** Teams said the conversation is gone (403/404): the bot was removed from it. */
function conversationGone(error: unknown): boolean {
  if (isUserError(error)) return error.code === CONVERSATION_GONE;
  const status = (error as { statusCode?: unknown }).statusCode;
  return status === 403 || status === 404;
}

/**
 * One conversation's report of the day: posted once (a second run the same day, or this activity repeated after a
 * restart, finds the day's post and posts nothing), as a card of its rows (or one line when nothing is due, or nothing
 * when configured quiet). A conversation known only by its channel id (the default subscription) is reached through
 * the team's conversation. Teams' 429 is waited out by the messenger (Retry-After); 403/404 unsubscribes the
 * conversation and tells the subscriber.
 */
export async function postExpiryReport(input: PostExpiryReportInput, ports: ActivityPorts): Promise<PostExpiryReportOutput> {
  const store = ports.subscriptions;
  if (!store) return { kind: 'unsubscribed' };
  const subscription = await store.get(input.conversationKey);
  if (!subscription) return { kind: 'unsubscribed' };
  if (await store.posted(input.day, input.conversationKey)) return { kind: 'already' };
  const { report } = input.view;
  const nothing = report.rows.length === 0 && input.view.pageCount <= 1;
  if (nothing && input.quietWhenFine) {
    await store.recordPosted({ conversationKey: input.conversationKey, day: input.day, activityId: '', jobId: input.jobId, days: input.days, group: input.group, sites: [] });
    return { kind: 'quiet' };
  }
  const built = nothing
    ? card([paragraph(`All certificates are fine for the next ${input.days} days${report.gaps.length > 0 ? ` (as far as could be read: ${report.gaps.length} part(s) of the scope were not)` : ''}.`, { tone: report.gaps.length > 0 ? 'warning' : 'good' })])
    : expiryReportCard({ report, page: 0, pageCount: input.view.pageCount, paging: { jobId: input.jobId, days: input.days, group: input.group }, title: 'Daily certificate expiry report', note: `Subscribed by ${subscription.subscribedBy.name}: what expires within ${input.days} days.` });
  let activityId: string;
  let conversationKey = input.conversationKey;
  try {
    const known = ports.conversations ? (await ports.conversations.get(input.conversationKey)) !== undefined : true;
    if (!known) {
      const via = await store.teamConversation();
      if (!via) return { kind: 'unreachable', problem: 'No conversation of the team is known yet: add the bot to the team (or say anything to it in a channel) so it can post there.' };
      const posted = await ports.messenger.postTo(via, { channelId: subscription.conversationId }, built);
      activityId = posted.activityId;
      conversationKey = posted.conversationKey;
    } else {
      activityId = await ports.messenger.post(input.conversationKey, built);
    }
  } catch (error) {
    if (!conversationGone(error)) throw error;
    await unsubscribeGone(ports, subscription, 'the bot is no longer in it (Teams answered 403/404)');
    return { kind: 'removed' };
  }
  // Reached through the team: the card lives under the channel's own key from now on.
  await store.recordPosted({ conversationKey: input.conversationKey, day: input.day, activityId, jobId: input.jobId, days: input.days, group: input.group, sites: input.sites, ...(conversationKey !== input.conversationKey ? { postedAs: conversationKey } : {}) });
  return { kind: 'posted', activityId };
}

async function unsubscribeGone(ports: ActivityPorts, subscription: ExpirySubscription, why: string): Promise<void> {
  await ports.subscriptions!.remove(subscription.conversationKey);
  ports.log.warn('expiry subscription removed: conversation gone', { conversationKey: subscription.conversationKey });
  await ports.audit
    .record({ action: 'unsubscribe', target: 'expiry', outcome: 'succeeded', actor: { name: 'VPN Cert Bot' }, detail: `${subscription.label} removed the bot; subscription by ${subscription.subscribedBy.name} ended` })
    .catch(() => undefined);
  if (!subscription.subscribedBy.aadObjectId) return;
  const via = (await ports.subscriptions!.teamConversation()) ?? subscription.conversationKey;
  await ports.messenger.postTo(via, { personAadObjectId: subscription.subscribedBy.aadObjectId }, subscriptionEndedCard(subscription, why)).catch((error: unknown) => {
    ports.log.warn('could not tell the subscriber their subscription ended', { conversationKey: subscription.conversationKey, problem: isUserError(error) ? error.code : 'unexpected' });
  });
}

/**
 * A rotation of `site`'s outbound certificate completed: every scheduled report of the last days with a Rotate for
 * that site is updated in place, its row shown as done.
 */
export async function markExpiryRotated(input: MarkExpiryRotatedInput, ports: ActivityPorts): Promise<void> {
  const store = ports.subscriptions;
  if (!store) return;
  const since = new Date(Date.parse(input.at) - 7 * 86_400_000).toISOString().slice(0, 10);
  for (const posted of await store.postedWithSite(input.site, since)) {
    if (!posted.activityId) continue;
    const job = await ports.jobs.get(posted.jobId);
    const output = completedOutput(job, ORCHESTRATIONS.expiryDelivery);
    const group = output?.groups[posted.group];
    if (!group) continue;
    const rotated = [...(posted.rotated ?? []).filter((r) => r.site.toLowerCase() !== input.site.toLowerCase()), { site: input.site, at: input.at }];
    const report = narrowReport(group.report, posted.days);
    const updated = expiryReportCard({ report, page: 0, paging: { jobId: posted.jobId, days: posted.days, group: posted.group }, title: 'Daily certificate expiry report', rotated });
    try {
      await ports.messenger.update(posted.postedAs ?? posted.conversationKey, posted.activityId, updated);
      await store.recordPosted({ ...posted, rotated });
    } catch (error) {
      // A card that cannot be updated never fails the rotation that completed.
      ports.log.warn('could not update an expiry report after a rotation', { conversationKey: posted.conversationKey, problem: isUserError(error) ? error.code : 'unexpected' });
    }
  }
}
