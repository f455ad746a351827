import type { EnableDiagnosticsOutput } from '../activities/activity-names';
import { ACTIVITIES } from '../activities/activity-names';
import { decodeActivityFailure } from './activity-failure';
import type { JobEnvelope } from './job-envelope';
import type { Orchestration, OrchestrationContext } from './orchestration-context';
import { failureView, setProgress, showCard } from './orchestration-context';

export interface EnableDiagnosticsPayload {
  readonly site: string;
}

/** The diagnose card's "Enable diagnostics" button: a change, so it is audited whatever the outcome. */
export function* enableDiagnosticsOrchestrator(context: OrchestrationContext): Orchestration<EnableDiagnosticsOutput> {
  const envelope = context.df.getInput<JobEnvelope<EnableDiagnosticsPayload>>();
  const { site } = envelope.payload;
  setProgress(context, { step: 'creating diagnostic setting', detail: site });
  let result: EnableDiagnosticsOutput;
  try {
    result = (yield context.df.callActivity(ACTIVITIES.enableDiagnostics, { site })) as EnableDiagnosticsOutput;
  } catch (error) {
    yield context.df.callActivity(ACTIVITIES.recordAudit, { envelope, action: 'enable-diagnostics', target: site, outcome: 'failed', detail: decodeActivityFailure(error).code });
    yield showCard(context, envelope, failureView(`Could not enable diagnostics for ${site}`, error));
    throw error;
  }
  if (result.kind === 'site-not-found') {
    yield showCard(context, envelope, result);
    return result;
  }
  yield context.df.callActivity(ACTIVITIES.recordAudit, {
    envelope,
    action: 'enable-diagnostics',
    target: site,
    outcome: 'succeeded',
    detail: result.alreadyEnabled ? 'already enabled' : `logs to ${result.workspaceName}`,
  });
  yield showCard(context, envelope, { kind: 'diagnostics-enabled', site: result.site, gatewayName: result.gatewayName, workspaceName: result.workspaceName, alreadyEnabled: result.alreadyEnabled });
  return result;
}
