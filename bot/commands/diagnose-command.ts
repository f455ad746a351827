import { errorCard } from '../../cards/error-card';
import type { DiagnoseSitePayload } from '../../core/jobs/job-catalog';
import { ORCHESTRATIONS } from '../../core/jobs/job-catalog';
import type { CommandHandler } from '../command-handler';
import { readDeviceLog } from '../device-log';

export const diagnoseCommand: CommandHandler<'diagnose'> = {
  async prepare({ command, message }) {
    const site = command.args.site;
    const hours = command.flags.hours;
    const device = await readDeviceLog(command.pastedText, message.files);
    if (device.kind === 'rejected') {
      return { rejected: errorCard({ title: 'Could not read the device log', problem: device.problem, fix: device.fix, code: device.code }) };
    }
    const payload: DiagnoseSitePayload = { site, hours, ...(device.kind === 'parsed' ? { deviceLog: device.summary } : {}) };
    const suffix = device.kind === 'parsed' ? ' (+ device log)' : '';
    return { orchestration: ORCHESTRATIONS.diagnoseSite, target: site.toLowerCase(), commandLine: `diagnose ${site} --hours ${hours}${suffix}`, payload };
  },
};
