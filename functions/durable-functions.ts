import { randomBytes } from 'node:crypto';
import * as df from 'durable-functions';
import { ACTIVITY_FUNCTIONS } from '../activities/create-activities';
import type { ActivityFunction } from '../activities/create-activities';
import { describeError } from '../bot/present-error';
import { isUserError } from '../core/errors/user-error';
import { encodeUnexpectedFailure, encodeUserFailure } from '../orchestrations/activity-failure';
import { diagnoseSiteOrchestrator } from '../orchestrations/diagnose-site';
import { enableDiagnosticsOrchestrator } from '../orchestrations/enable-diagnostics';
import { fleetStatusOrchestrator } from '../orchestrations/fleet-status';
import type { OrchestrationName } from '../orchestrations/orchestration-names';
import { ORCHESTRATIONS } from '../orchestrations/orchestration-names';
import { siteStatusOrchestrator } from '../orchestrations/site-status';
import { appServices } from './app-services';

/** Every orchestration the bot can start, by name; a missing one is a compile error. */
const ORCHESTRATORS = {
  [ORCHESTRATIONS.siteStatus]: siteStatusOrchestrator,
  [ORCHESTRATIONS.fleetStatus]: fleetStatusOrchestrator,
  [ORCHESTRATIONS.diagnoseSite]: diagnoseSiteOrchestrator,
  [ORCHESTRATIONS.enableDiagnostics]: enableDiagnosticsOrchestrator,
} satisfies Record<OrchestrationName, df.OrchestrationHandler>;

for (const [name, handler] of Object.entries(ORCHESTRATORS)) {
  df.app.orchestration(name, handler);
}

/**
 * Activities run over the real adapters. Failures cross into durable history only as a user error's code and safe
 * text, or as a reference to the full error, which is logged here.
 */
for (const [name, fn] of Object.entries(ACTIVITY_FUNCTIONS) as [string, ActivityFunction][]) {
  df.app.activity(name, {
    handler: async (input: unknown, context) => {
      const services = appServices();
      try {
        return await fn(input as never, services.activityPorts);
      } catch (error) {
        if (isUserError(error)) {
          services.log.warn(`activity ${name}: ${error.code}`, { invocationId: context.invocationId });
          // eslint-disable-next-line preserve-caught-error -- the cause must not travel into durable history
          throw new Error(encodeUserFailure(error.code, error.safeMessage, error.hint));
        }
        const reference = randomBytes(4).toString('hex');
        services.log.error(`activity ${name} failed`, { reference, invocationId: context.invocationId, error: describeError(error) });
        // eslint-disable-next-line preserve-caught-error -- the full error is logged above under the reference
        throw new Error(encodeUnexpectedFailure(reference));
      }
    },
  });
}
