import { ORCHESTRATIONS } from '../../core/jobs/job-catalog';
import type { CommandHandler } from '../command-handler';

/** A change: the request job plans it and hands it to the change pipeline (approval, apply, verify, audit). */
export const enableDiagnosticsCommand: CommandHandler<'enable-diagnostics'> = {
  async prepare({ command }) {
    const site = command.args.site;
    return { orchestration: ORCHESTRATIONS.changeRequest, target: site.toLowerCase(), commandLine: `enable-diagnostics ${site}`, payload: { kind: 'enable-diagnostics', site } };
  },
};
