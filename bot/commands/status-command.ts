import type { FleetStatusPayload } from '../../core/jobs/job-catalog';
import { ORCHESTRATIONS } from '../../core/jobs/job-catalog';
import type { SiteStatusPayload } from '../../core/jobs/job-catalog';
import type { CommandHandler } from '../command-handler';

export const statusCommand: CommandHandler<'status'> = {
  async prepare({ command }) {
    const site = command.args.site;
    if (site === undefined || site === 'all') {
      const payload: FleetStatusPayload = { page: 0 };
      return { orchestration: ORCHESTRATIONS.fleetStatus, target: 'fleet', commandLine: 'status all', payload };
    }
    const payload: SiteStatusPayload = { site };
    return { orchestration: ORCHESTRATIONS.siteStatus, target: site.toLowerCase(), commandLine: `status ${site}`, payload };
  },
};
