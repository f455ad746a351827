import type { AccessPolicy } from '../core/auth/access-policy';
import type { ApprovalStore } from '../core/ports/approvals';
import type { AuditLog } from '../core/ports/audit';
import type { CardMessenger } from '../core/ports/messaging';
import type { JobIndex, JobService } from '../core/ports/jobs';
import type { Logger } from '../core/ports/logger';
import type { SubscriptionStore } from '../core/ports/subscriptions';

/** Everything the bot's handlers use, injected (fakes in unit tests, real adapters in functions/). */
export interface BotDeps {
  readonly access: AccessPolicy;
  readonly environmentName: string;
  readonly jobs: JobService;
  readonly jobIndex: JobIndex;
  readonly approvals: ApprovalStore;
  readonly messenger: CardMessenger;
  readonly audit: AuditLog;
  readonly log: Logger;
  now(): Date;
  /** Short random hex for job ids and error references. */
  newId(): string;
  /** Expiry report subscriptions (absent: `subscribe` says it is not available here). */
  readonly subscriptions?: SubscriptionStore;
  /** Default threshold of a subscription without --days: the largest configured tier. */
  readonly expiryDefaultDays?: number;
  /** NCRONTAB of the daily report (EXPIRY_REPORT_SCHEDULE), said on the subscription card. */
  readonly expirySchedule?: string;
}
