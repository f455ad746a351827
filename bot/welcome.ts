import type { AdaptiveCard } from '../cards/adaptive-card';
import { helpCard } from '../cards/help-card';
import type { Caller } from '../core/auth/access-policy';
import { rolesOf } from '../core/auth/access-policy';
import { helpOverview } from '../core/commands/help';
import type { BotDeps } from './bot-deps';

/** First message after someone installs the bot in a personal chat: what they can do with their roles. */
export async function welcome(caller: Caller, reply: (card: AdaptiveCard) => Promise<string>, deps: BotDeps): Promise<void> {
  const roles: readonly string[] = rolesOf(caller, deps.access);
  await reply(helpCard(helpOverview((role) => role === 'anyone' || roles.includes(role)), { environmentName: deps.environmentName }));
}
