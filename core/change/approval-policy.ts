import type { Destination } from '../ports/messaging';
import type { ChangeKind } from './change-kind';
import { ALWAYS_APPROVED, CHANGE_KINDS, isChangeKind } from './change-kind';

/** Which changes need an approver, how long approvers have, and where the request is posted. */
export interface ApprovalPolicy {
  /** Per kind: whether an approver must approve first. Rotate and provision are always true. */
  readonly required: Readonly<Record<ChangeKind, boolean>>;
  readonly timeoutHours: number;
  /** The Teams channel (conversation id) for approval requests; without it each approver gets a personal card. */
  readonly channelId?: string;
}

export const DEFAULT_APPROVAL_TIMEOUT_HOURS = 24;
export const MAX_APPROVAL_TIMEOUT_HOURS = 14 * 24;

/**
 * Reads the approval settings: `CHANGES_WITHOUT_APPROVAL` (kinds, comma-separated; rotate-certificate and
 * provision-site cannot be listed), `APPROVAL_TIMEOUT_HOURS` (default 24) and `APPROVALS_CHANNEL_ID`. Every problem is
 * added to `problems` with how to fix it.
 */
export function readApprovalPolicy(get: (name: string) => string | undefined, problems: string[]): ApprovalPolicy {
  const required = Object.fromEntries(CHANGE_KINDS.map((k) => [k, true])) as Record<ChangeKind, boolean>;
  for (const raw of (get('CHANGES_WITHOUT_APPROVAL') ?? '').split(/[,;\s]+/).filter(Boolean)) {
    const kind = raw.toLowerCase();
    if (!isChangeKind(kind)) problems.push(`CHANGES_WITHOUT_APPROVAL lists "${raw.slice(0, 40)}", which is not a change kind (${CHANGE_KINDS.join(', ')}).`);
    else if (ALWAYS_APPROVED.has(kind)) problems.push(`CHANGES_WITHOUT_APPROVAL lists ${kind}, which always needs approval: remove it.`);
    else required[kind] = false;
  }
  const hoursText = get('APPROVAL_TIMEOUT_HOURS');
  let timeoutHours = DEFAULT_APPROVAL_TIMEOUT_HOURS;
  if (hoursText !== undefined) {
    const hours = Number(hoursText);
    if (!Number.isFinite(hours) || hours <= 0 || hours > MAX_APPROVAL_TIMEOUT_HOURS) problems.push(`APPROVAL_TIMEOUT_HOURS must be a number of hours above 0 and at most ${MAX_APPROVAL_TIMEOUT_HOURS} (default ${DEFAULT_APPROVAL_TIMEOUT_HOURS}).`);
    else timeoutHours = hours;
  }
  const channelId = get('APPROVALS_CHANNEL_ID');
  if (channelId !== undefined && (channelId.length > 200 || /[\s/\\#?]/.test(channelId))) {
    problems.push('APPROVALS_CHANNEL_ID must be the Teams channel id (e.g. 19:abc…@thread.tacv2), without spaces or slashes.');
  }
  return { required, timeoutHours, ...(channelId ? { channelId } : {}) };
}

/**
 * Where an approval request goes: the approvals channel when one is configured, else each approver's personal chat
 * except the requester's (they cannot approve their own change). The change job computes it, one card per
 * destination, so a retry posts only the card that failed.
 */
export function approvalDestinations(terms: { readonly approverIds: readonly string[]; readonly channelId?: string }, requesterId: string): Destination[] {
  if (terms.channelId) return [{ channelId: terms.channelId }];
  const requester = requesterId.toLowerCase();
  return terms.approverIds.filter((id) => id.toLowerCase() !== requester).map((id) => ({ personAadObjectId: id }));
}
