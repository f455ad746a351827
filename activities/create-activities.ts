import type { ActivityName } from './activity-names';
import type { ActivityPorts } from './activity-ports';
import { diagnoseSite } from './diagnose-site';
import { enableDiagnostics } from './enable-diagnostics';
import { inspectFleetChunk, listFleet, readFleetCertificates } from './fleet-activities';
import { inspectSite } from './inspect-site';
import { recordAudit } from './record-audit';
import { showJobCard } from './show-job-card';

export type ActivityFunction = (input: never, ports: ActivityPorts) => Promise<unknown>;

/** Every activity by name, over injected ports; a missing one is a compile error. */
export const ACTIVITY_FUNCTIONS = {
  inspectSite,
  listFleet,
  inspectFleetChunk,
  readFleetCertificates,
  diagnoseSite,
  enableDiagnostics,
  showJobCard,
  recordAudit,
} as const satisfies Record<ActivityName, ActivityFunction>;
