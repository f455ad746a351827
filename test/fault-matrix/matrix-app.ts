/**
 * The fault matrix's Functions app, loaded into the local host: the bot's REAL orchestrators and activities, registered
 * by the module production uses (functions/durable-registrations.ts), over ports the test builds: the real Azure
 * adapters against the simulator, the real Durable client, in-memory Table Storage and Teams that can be taken down.
 * Each activity tells the test when it starts and ends, so a fault is active during exactly one step.
 */
import type { DurableClient } from 'durable-functions';
import type { ActivityName } from '../../activities/activity-names';
import type { ActivityPorts } from '../../activities/activity-ports';
import type { ActivityFunctions } from '../../activities/create-activities';
import { ACTIVITY_FUNCTIONS } from '../../activities/create-activities';
import { registerTestApp } from '../orchestrations/test-app-registrations';

export const matrixApp = {
  /** The ports of one activity invocation (set by the test). */
  ports: undefined as ((durableClient: () => DurableClient) => ActivityPorts) | undefined,
  /** Called when an activity starts; the returned function when it ends. */
  enter: (_name: ActivityName): (() => void) => () => undefined,
  /** What the failure wrapper logged for unexpected errors (reference -> full text). */
  unexpected: new Map<string, string>(),
  references: 0,
};

const hooked = Object.fromEntries(
  (Object.keys(ACTIVITY_FUNCTIONS) as ActivityName[]).map((name) => [
    name,
    async (input: never, ports: ActivityPorts) => {
      const leave = matrixApp.enter(name);
      try {
        return await (ACTIVITY_FUNCTIONS[name] as (input: never, ports: ActivityPorts) => Promise<unknown>)(input, ports);
      } finally {
        leave();
      }
    },
  ]),
) as unknown as ActivityFunctions;

registerTestApp({ ports: (durableClient) => matrixApp.ports!(durableClient), activities: hooked, onUnexpected: (reference, text) => matrixApp.unexpected.set(reference, text), newReference: () => `0000${++matrixApp.references}`.slice(-8) });
