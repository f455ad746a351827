import type { ActivityInput, ActivityName, ActivityOutput } from './activity-names';
import type { ActivityPorts } from './activity-ports';
import { diagnoseSite } from './diagnose-site';
import { applyChange, closeApproval, notifyRequester, openApproval, planChange, postApprovalCard, remindApprovers, rollbackChange, showChange, startChange, verifyChange, verifyUnchanged } from './changes/change-activities';
import { inspectFleetChunk, listFleet, readFleetCertificates } from './fleet-activities';
import { inspectSite } from './inspect-site';
import { recordAudit } from './record-audit';
import { showJobCard } from './show-job-card';
import { refreshSiteIndex } from './site-directory';
import { readExpiryReport } from './expiry-activities';
import { listExpirySubscriptions, markExpiryRotated, postExpiryReport } from './expiry-delivery';

/** Every activity of the catalog, each with exactly its catalog types. */
export type ActivityFunctions = { readonly [N in ActivityName]: (input: ActivityInput<N>, ports: ActivityPorts) => Promise<ActivityOutput<N>> };

/** Every activity by name, over injected ports; a missing or mistyped one is a compile error. */
export const ACTIVITY_FUNCTIONS = {
  inspectSite,
  listFleet,
  inspectFleetChunk,
  readFleetCertificates,
  diagnoseSite,
  showJobCard,
  recordAudit,
  planChange,
  startChange,
  applyChange,
  verifyChange,
  verifyUnchanged,
  rollbackChange,
  openApproval,
  postApprovalCard,
  remindApprovers,
  closeApproval,
  showChange,
  notifyRequester,
  refreshSiteIndex,
  readExpiryReport,
  listExpirySubscriptions,
  postExpiryReport,
  markExpiryRotated,
} as const satisfies ActivityFunctions;
