import { card, heading, literal } from '../../cards/adaptive-card';
import { cancelJob } from '../cancel-job';
import type { CommandHandler } from '../command-handler';

export const cancelCommand: CommandHandler<'cancel'> = {
  async run({ command, message, deps }) {
    const jobId = command.args['job-id'];
    const { commandLine } = await cancelJob(jobId, message.caller, deps);
    return card([heading('Cancelled', 'warning'), literal([{ text: commandLine, mono: true }, { text: `  (${jobId})`, subtle: true }])]);
  },
};
