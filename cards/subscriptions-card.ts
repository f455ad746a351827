import type { ExpirySubscription } from '../core/ports/subscriptions';
import type { AdaptiveCard, CardElement } from './adaptive-card';
import { card, heading, literal, paragraph } from './adaptive-card';
import { formatUtc } from './format';

function describe(s: ExpirySubscription): string {
  return `expiry report, certificates expiring within ${s.days} days, daily${s.at ? ` at ${s.at} UTC` : ''}; subscribed by ${s.subscribedBy.name} on ${formatUtc(new Date(s.subscribedAt))}`;
}

/** `subscribe expiry`: what this conversation now receives. */
export function subscribedCard(s: ExpirySubscription, replaced: boolean, schedule: string): AdaptiveCard {
  return card([
    heading(replaced ? 'Subscription changed' : 'Subscribed', 'good'),
    literal(`This ${s.label === 'this channel' ? 'channel' : 'conversation'} receives the ${describe(s)}.`, { max: 400 }),
    paragraph(`The report runs on the schedule ${schedule} (UTC); a day with nothing expiring says so in one line. Key Vault near-expiry alerts come here too. Type unsubscribe expiry to stop.`, { subtle: true }),
  ]);
}

export function unsubscribedCard(removed: ExpirySubscription | undefined): AdaptiveCard {
  return removed
    ? card([heading('Unsubscribed', 'good'), literal(`This conversation no longer receives the expiry report (subscribed by ${removed.subscribedBy.name}).`, { max: 300 })])
    : card([heading('Not subscribed'), paragraph('This conversation does not receive the expiry report. Type subscribe expiry in a channel to start.')]);
}

/** `subscriptions`: this conversation's, and for operators every conversation's. */
export function subscriptionsCard(here: ExpirySubscription | undefined, all: readonly ExpirySubscription[] | undefined): AdaptiveCard {
  const body: CardElement[] = [heading('Subscriptions')];
  body.push(here ? literal([{ text: 'Here: ', bold: true }, { text: describe(here) }], { max: 400 }) : paragraph('Here: nothing. An operator can type subscribe expiry in a channel.'));
  if (all) {
    body.push(paragraph(all.length === 0 ? 'No conversation is subscribed.' : `Every subscribed conversation (${all.length}):`, { subtle: true }));
    for (const s of all.slice(0, 40)) body.push(literal([{ text: `${s.label}: `, bold: true }, { text: describe(s) }], { max: 400 }));
    if (all.length > 40) body.push(paragraph(`…and ${all.length - 40} more.`, { subtle: true }));
  }
  return card(body);
}

/** To the subscriber, when the conversation they subscribed removed the bot. */
export function subscriptionEndedCard(s: ExpirySubscription, why: string): AdaptiveCard {
  return card([
    heading('Expiry report subscription ended', 'warning'),
    literal(`The expiry report you subscribed ${s.label} to (on ${formatUtc(new Date(s.subscribedAt))}) could not be posted there: ${why}. The subscription was removed.`, { max: 500 }),
    paragraph('Add the bot to the team again and type subscribe expiry in the channel to resume.', { subtle: true }),
  ]);
}
