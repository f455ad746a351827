import type { ExpiryReportPayload } from '../../core/jobs/job-catalog';
import { ORCHESTRATIONS } from '../../core/jobs/job-catalog';
import type { CommandHandler } from '../command-handler';

/** `expiry [--days N] [site]`: reads the fleet (or one site) in a job; the card is the report. */
export const expiryCommand: CommandHandler<'expiry'> = {
  async prepare({ command }) {
    const { site } = command.args;
    const days = command.flags.days;
    const payload: ExpiryReportPayload = { ...(days !== undefined ? { days } : {}), ...(site !== undefined ? { site } : {}) };
    const commandLine = ['expiry', ...(days !== undefined ? [`--days ${days}`] : []), ...(site !== undefined ? [site] : [])].join(' ');
    return { orchestration: ORCHESTRATIONS.expiryReport, target: site !== undefined ? site.toLowerCase() : 'fleet', commandLine, payload };
  },
};
