import { renderJobCard } from '../cards/job-card-view';
import type { ShowJobCardInput } from './activity-names';
import type { ActivityPorts } from './activity-ports';

/** Updates the job's card in place (the acknowledgement card the bot sent) with what its view renders to. */
export async function showJobCard(input: ShowJobCardInput, ports: ActivityPorts): Promise<void> {
  await ports.messenger.update(input.envelope.conversationKey, input.envelope.cardActivityId, renderJobCard(input.envelope, input.view, ports.now()));
}
