import type { AdaptiveCard } from '../cards/adaptive-card';
import { AUDIT_PAGE_SIZE, auditCard } from '../cards/audit-card';
import type { BotDeps } from './bot-deps';

/** One page of the audit trail (newest first), for `audit` and its Older/Newer buttons. */
export async function auditPage(query: { readonly site?: string; readonly days: number; readonly page: number }, deps: BotDeps): Promise<AdaptiveCard> {
  const until = deps.now();
  const since = new Date(until.getTime() - query.days * 86_400_000);
  const wanted = (query.page + 1) * AUDIT_PAGE_SIZE + 1;
  const records = await deps.audit.recent({ since, until, ...(query.site ? { target: query.site } : {}), limit: wanted });
  const page = records.slice(query.page * AUDIT_PAGE_SIZE, (query.page + 1) * AUDIT_PAGE_SIZE);
  return auditCard({ records: page, ...(query.site ? { site: query.site } : {}), days: query.days, page: query.page, more: records.length === wanted });
}
