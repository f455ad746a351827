/**
 * A Functions app for the orchestration tests, loaded into the local host: the bot's REAL orchestrators and
 * activities, registered by the same module production uses (functions/durable-registrations.ts, same failure
 * wrapper), over fake ports. Tests script the read activities; cards, audit and the change steps are the real ones
 * (scriptable too), so the cards the orchestrations produce are the cards people would see.
 */
import type { ActivityName, JobCardView, ShowJobCardInput } from '../../activities/activity-names';
import type { ActivityFunctions } from '../../activities/create-activities';
import { ACTIVITY_FUNCTIONS } from '../../activities/create-activities';
import { createDurableJobService } from '../../adapters/durable/durable-job-service';
import { registerTestApp } from './test-app-registrations';
import { testPorts } from '../activities/fake-adapters';
import type { TestPorts } from '../activities/fake-adapters';

export type ScriptedActivity = (input: never) => Promise<unknown>;

/** What the tests control and observe; one app per process, so one state per test file. */
export const appState = {
  ports: testPorts() as TestPorts,
  /** The activities a test scripts; a call to one it did not script fails the activity. */
  scripts: {} as Partial<Record<ActivityName, ScriptedActivity>>,
  /** Every activity call, by name, with its input. */
  calls: [] as { name: string; input: unknown }[],
  /** Views shown by showJobCard, in order. */
  views: [] as JobCardView[],
  /** What the failure wrapper logged for unexpected errors (reference -> full text). */
  unexpected: new Map<string, string>(),
  references: 0,
};

export function resetAppState(): void {
  appState.ports = testPorts();
  appState.scripts = {};
  appState.calls = [];
  appState.views = [];
  appState.unexpected = new Map();
}

/**
 * The read activities each test scripts; every other activity (cards, audit, the change pipeline's steps) runs for
 * real over the fake ports unless a test scripts it.
 */
const SCRIPTED_ONLY: ReadonlySet<ActivityName> = new Set<ActivityName>(['inspectSite', 'listFleet', 'inspectFleetChunk', 'readFleetCertificates', 'diagnoseSite']);

/** Each activity: recorded, then the test's script, the real one (see REAL), or a failure. */
const scripted = Object.fromEntries(
  (Object.keys(ACTIVITY_FUNCTIONS) as ActivityName[]).map((name) => [
    name,
    async (input: never, ports: TestPorts['ports']) => {
      appState.calls.push({ name, input });
      if (name === 'showJobCard') appState.views.push((input as ShowJobCardInput).view);
      const script = appState.scripts[name];
      if (script) return script(input);
      if (!SCRIPTED_ONLY.has(name)) return (ACTIVITY_FUNCTIONS[name] as (input: never, ports: TestPorts['ports']) => Promise<unknown>)(input, ports);
      throw new Error(`the test did not script activity ${name}`);
    },
  ]),
) as unknown as ActivityFunctions;

registerTestApp({
  // Jobs the tests started on the host directly (a change job) are read from the host, as production reads them.
  ports: (durableClient) => {
    const { ports } = appState.ports;
    const fake = ports.jobs;
    return {
      ...ports,
      jobs: {
        start: (orchestration, envelope) => fake.start(orchestration, envelope),
        get: async (jobId) => (await fake.get(jobId)) ?? (await createDurableJobService(durableClient()).get(jobId)),
        cancel: (jobId, reason) => fake.cancel(jobId, reason),
        raise: (jobId, event, data) => fake.raise(jobId, event, data),
      },
    };
  },
  activities: scripted,
  onUnexpected: (reference, text) => appState.unexpected.set(reference, text),
  newReference: () => `0000${++appState.references}`.slice(-8),
});
