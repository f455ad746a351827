import { ACTIVITIES } from '../activities/activity-names';
import type { EnableDiagnosticsOutput } from '../core/jobs/job-catalog';
import { ORCHESTRATIONS } from '../core/jobs/job-catalog';
import { decodeActivityFailure } from './activity-failure';
import type { Orchestration, OrchestrationContext } from './orchestration-context';
import { activity, failureView, jobInput, setProgress, showCard } from './orchestration-context';

/** The diagnose card's "Enable diagnostics" button: a change, so it is audited whatever the outcome. */
export function* enableDiagnosticsOrchestrator(context: OrchestrationContext): Orchestration<EnableDiagnosticsOutput> {
  const envelope = jobInput(context, ORCHESTRATIONS.enableDiagnostics);
  const { site } = envelope.payload;
  setProgress(context, { step: 'creating diagnostic setting', detail: site });
  let result: EnableDiagnosticsOutput;
  try {
    result = yield* activity(context, ACTIVITIES.enableDiagnostics, { site });
  } catch (error) {
    yield* activity(context, ACTIVITIES.recordAudit, { envelope, action: 'enable-diagnostics', target: site, outcome: 'failed', detail: decodeActivityFailure(error).code });
    yield* showCard(context, envelope, failureView(`Could not enable diagnostics for ${site}`, error));
    throw error;
  }
  if (result.kind === 'site-not-found') {
    yield* showCard(context, envelope, { kind: 'site-not-found', typed: result.typed, suggestions: result.suggestions });
    return result;
  }
  yield* activity(context, ACTIVITIES.recordAudit, {
    envelope,
    action: 'enable-diagnostics',
    target: site,
    outcome: 'succeeded',
    detail: result.alreadyEnabled ? 'already enabled' : `logs to ${result.workspaceName}`,
  });
  yield* showCard(context, envelope, { kind: 'diagnostics-enabled', site: result.site, gatewayName: result.gatewayName, workspaceName: result.workspaceName, alreadyEnabled: result.alreadyEnabled });
  return result;
}
