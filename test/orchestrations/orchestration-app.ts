/**
 * A Functions app for the orchestration tests, loaded into the local host: the bot's REAL orchestrators under their
 * real names, with activities the tests script. showJobCard and recordAudit are the real activities over fake
 * messenger and audit ports, so the cards the orchestrations produce are the cards people would see.
 *
 * Activity failures cross into durable history the way functions/durable-functions.ts makes them: a user error as
 * its code and safe text, anything else as a reference only.
 */
import type { HttpRequest } from '@azure/functions';
import * as df from 'durable-functions';
import type { DurableClient } from 'durable-functions';
import type { ActivityName, JobCardView, ShowJobCardInput } from '../../activities/activity-names';
import { ACTIVITIES } from '../../activities/activity-names';
import { recordAudit } from '../../activities/record-audit';
import { showJobCard } from '../../activities/show-job-card';
import { isUserError } from '../../core/errors/user-error';
import { encodeUnexpectedFailure, encodeUserFailure } from '../../orchestrations/activity-failure';
import { diagnoseSiteOrchestrator } from '../../orchestrations/diagnose-site';
import { enableDiagnosticsOrchestrator } from '../../orchestrations/enable-diagnostics';
import { fleetStatusOrchestrator } from '../../orchestrations/fleet-status';
import { ORCHESTRATIONS } from '../../orchestrations/orchestration-names';
import { siteStatusOrchestrator } from '../../orchestrations/site-status';
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

const REAL: Partial<Record<ActivityName, ScriptedActivity>> = {
  showJobCard: async (input: ShowJobCardInput) => {
    appState.views.push(input.view);
    await showJobCard(input, appState.ports.ports);
  },
  recordAudit: (input: never) => recordAudit(input, appState.ports.ports),
};

for (const name of Object.values(ACTIVITIES)) {
  df.app.activity(name, {
    handler: async (input: unknown) => {
      appState.calls.push({ name, input });
      const script = appState.scripts[name] ?? REAL[name];
      try {
        if (!script) throw new Error(`the test did not script activity ${name}`);
        return await script(input as never);
      } catch (error) {
        // As in production, the cause must not travel into durable history.
        // eslint-disable-next-line preserve-caught-error -- only the code and safe text may cross
        if (isUserError(error)) throw new Error(encodeUserFailure(error.code, error.safeMessage, error.hint));
        const reference = `0000${++appState.references}`.slice(-8);
        appState.unexpected.set(reference, String(error));
        // eslint-disable-next-line preserve-caught-error -- the detail stays here, under the reference
        throw new Error(encodeUnexpectedFailure(reference));
      }
    },
  });
}

df.app.orchestration(ORCHESTRATIONS.siteStatus, siteStatusOrchestrator);
df.app.orchestration(ORCHESTRATIONS.fleetStatus, fleetStatusOrchestrator);
df.app.orchestration(ORCHESTRATIONS.diagnoseSite, diagnoseSiteOrchestrator);
df.app.orchestration(ORCHESTRATIONS.enableDiagnostics, enableDiagnosticsOrchestrator);

/** Starts a job the way the bot does: its envelope as input, the job id as the instance id. */
df.app.client.http('StartJob', {
  route: 'start/{name}/{id}',
  methods: ['POST'],
  handler: async (request: HttpRequest, client: DurableClient) => {
    const id = await client.startNew(request.params.name ?? '', { instanceId: request.params.id ?? '', input: await request.json() });
    return { status: 202, jsonBody: { id } };
  },
});
