import { app } from '@azure/functions';
import { retireOutboundVersions } from '../activities/retire-outbound';
import { appServices } from './app-services';

/**
 * Hourly: outbound certificate versions whose grace period after a rotation has ended are disabled (unless a
 * connection still uses them). See activities/retire-outbound.ts.
 */
app.timer('retireOutboundVersions', {
  schedule: '0 17 * * * *',
  handler: async () => {
    const services = appServices();
    const ports = services.activityPorts(() => {
      throw new Error('the retirement sweep starts no job');
    });
    const sweep = await retireOutboundVersions(ports);
    services.log.info('retirement sweep', { disabled: sweep.disabled.length, stillUsed: sweep.stillUsed.length, problems: sweep.problems.length });
  },
});
