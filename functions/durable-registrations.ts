import * as df from 'durable-functions';
import type { DurableClient } from 'durable-functions';
import type { ActivityFunctions } from '../activities/create-activities';
import { ACTIVITY_FUNCTIONS } from '../activities/create-activities';
import type { ActivityPorts } from '../activities/activity-ports';
import { describeError } from '../bot/present-error';
import { isUserError } from '../core/errors/user-error';
import type { OrchestrationName } from '../core/jobs/job-catalog';
import { ORCHESTRATIONS } from '../core/jobs/job-catalog';
import type { Logger } from '../core/ports/logger';
import { encodeUnexpectedFailure, encodeUserFailure } from '../orchestrations/activity-failure';
import { diagnoseSiteOrchestrator } from '../orchestrations/diagnose-site';
import { changeOrchestrator } from '../orchestrations/change';
import { changeRequestOrchestrator } from '../orchestrations/change-request';
import { fleetStatusOrchestrator } from '../orchestrations/fleet-status';
import { siteStatusOrchestrator } from '../orchestrations/site-status';
import { expiryDeliveryOrchestrator, expiryReportOrchestrator } from '../orchestrations/expiry-report';

/** Every orchestration the bot can start, by name; a missing one is a compile error. */
export const ORCHESTRATORS = {
  [ORCHESTRATIONS.siteStatus]: siteStatusOrchestrator,
  [ORCHESTRATIONS.fleetStatus]: fleetStatusOrchestrator,
  [ORCHESTRATIONS.diagnoseSite]: diagnoseSiteOrchestrator,
  [ORCHESTRATIONS.changeRequest]: changeRequestOrchestrator,
  [ORCHESTRATIONS.change]: changeOrchestrator,
  [ORCHESTRATIONS.expiryReport]: expiryReportOrchestrator,
  [ORCHESTRATIONS.expiryDelivery]: expiryDeliveryOrchestrator,
} satisfies Record<OrchestrationName, df.OrchestrationHandler>;

export interface DurableRegistrationOptions {
  /**
   * The ports activities run over (real adapters in production, fakes in the orchestration tests). `durableClient`
   * is the invocation's Durable client binding (the one activity that starts change jobs uses it).
   */
  ports(durableClient: () => DurableClient): ActivityPorts;
  log(): Logger;
  /** The activities to register; production registers ACTIVITY_FUNCTIONS, tests may script some. */
  readonly activities?: ActivityFunctions;
  /** Reference for an unexpected failure, under which its full text is logged. */
  newReference(): string;
}

/**
 * Registers every orchestration and activity with the Functions host. Side-effect free until called: production
 * (functions/durable-functions.ts) and the orchestration tests call it, so both run the same registrations and the
 * same failure wrapper.
 *
 * Activity failures cross into durable history only as a user error's code and safe text, or as a reference to the
 * full error, which is logged here.
 */
export function registerDurableFunctions(options: DurableRegistrationOptions): void {
  for (const [name, handler] of Object.entries(ORCHESTRATORS)) df.app.orchestration(name, handler);
  const activities = options.activities ?? ACTIVITY_FUNCTIONS;
  for (const [name, fn] of Object.entries(activities) as [string, (input: never, ports: ActivityPorts) => Promise<unknown>][]) {
    df.app.activity(name, {
      extraInputs: [df.input.durableClient()],
      handler: async (input: unknown, context) => {
        try {
          return await fn(input as never, options.ports(() => df.getClient(context)));
        } catch (error) {
          if (isUserError(error)) {
            options.log().warn(`activity ${name}: ${error.code}`, { invocationId: context.invocationId });
            // eslint-disable-next-line preserve-caught-error -- the cause must not travel into durable history
            throw new Error(encodeUserFailure(error.code, error.safeMessage, error.hint, error.findings));
          }
          const reference = options.newReference();
          options.log().error(`activity ${name} failed`, { reference, invocationId: context.invocationId, error: describeError(error) });
          // eslint-disable-next-line preserve-caught-error -- the full error is logged above under the reference
          throw new Error(encodeUnexpectedFailure(reference));
        }
      },
    });
  }
}
