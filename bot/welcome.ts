import type { AdaptiveCard } from '../cards/adaptive-card';
import { helpCard } from '../cards/help-card';
import { helpOverview } from '../core/commands/help';
import type { BotDeps } from './bot-deps';

/** First message after someone installs the bot in a personal chat: what it does (roles are checked per command). */
export async function welcome(reply: (card: AdaptiveCard) => Promise<string>, deps: BotDeps): Promise<void> {
  await reply(helpCard(helpOverview((role) => role === 'anyone'), { environmentName: deps.environmentName }));
}
