import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AdaptiveCard } from '../../cards/adaptive-card';
import { cardSizeBytes, MAX_CARD_BYTES } from '../../cards/adaptive-card';
import { approvalsCard } from '../../cards/approvals-card';
import { auditCard } from '../../cards/audit-card';
import type { ChangeCardAudience } from '../../cards/change-card';
import { approvalReminderCard, changeCard, requesterNoticeCard } from '../../cards/change-card';
import { renderJobCard } from '../../cards/job-card-view';
import type { ChangePhase } from '../../core/change/change-state';
import { CARD_NOW, cardBuilders, realistic } from '../cards/card-fixtures';
import type { Untrusted } from '../cards/card-fixtures';
import { cardProblems, markdownTexts } from '../cards/card-inspect';
import { lisbonModel, lisbonPlan } from '../core/change/change-fixtures';
import { fuzz } from './fuzz';

/**
 * Every card, with generated values in every field that comes from a person, Azure, a certificate or a log (up to
 * 10,000 characters each, any Unicode): under 28 KB, valid, and untrusted text only ever in literal runs.
 */
const PHASES: ChangePhase[] = ['awaiting-approval', 'approved', 'applying', 'verifying', 'done', 'rolled-back', 'failed', 'rejected', 'expired', 'withdrawn'];
const AUDIENCES: ChangeCardAudience[] = ['requester', 'approver', 'observer'];

/** The change pipeline's cards and the job cards of a change, with untrusted plan, names and reasons. */
function changeCardBuilders(u: Untrusted): Record<string, () => AdaptiveCard> {
  const plan = lisbonPlan({
    title: u('Enable diagnostics on site-lisbon'),
    site: u('site-lisbon'),
    target: { connectionId: u('/subscriptions/x/connections/cn-site-lisbon'), connectionName: u('cn-site-lisbon') },
    changes: Array.from({ length: 3 }, () => ({ resource: u('vpngw-hub'), field: u('IKEDiagnosticLog'), before: u('not sent anywhere'), after: u('sent to workspace log-vpn') })),
    risk: u('No tunnel is touched.'),
    verify: u('Read the settings back.'),
    rollback: u('Remove the setting.'),
  });
  const cards: Record<string, () => AdaptiveCard> = {};
  for (const phase of PHASES) {
    const model = lisbonModel({ phase, expiresAt: CARD_NOW.toISOString(), decidedBy: { aadObjectId: 'x', name: u('Megan Bowen') }, decidedAt: CARD_NOW.toISOString(), reason: u('change freeze'), detail: u('applied') }, { plan, requestedBy: u('Alex Wilber'), jobId: u('change~x'), fingerprint: u('0123456789abcdef') });
    for (const audience of AUDIENCES) cards[`change ${phase} (${audience})`] = () => changeCard(model, audience);
    cards[`reminder ${phase}`] = () => approvalReminderCard(model);
    cards[`notice ${phase}`] = () => requesterNoticeCard(model);
  }
  const ref = { jobId: u('enable-diagnostics-site-lisbon-1a2b'), commandLine: u('enable-diagnostics site-lisbon'), requestedBy: { aadObjectId: 'x', name: u('Alex Wilber') }, conversationKey: 'k', cardActivityId: 'a', requestedAt: CARD_NOW.toISOString() };
  cards['change refused'] = () => renderJobCard(ref, { kind: 'change-refused', title: u('Enable diagnostics'), running: { jobId: u('change~x'), requestedBy: u('Patti'), state: u('awaiting approval'), commandLine: u('enable-diagnostics site-lisbon') } }, CARD_NOW);
  cards['nothing to change'] = () => renderJobCard(ref, { kind: 'nothing-to-change', title: u('Enable diagnostics'), site: u('site-lisbon'), why: u('already on') }, CARD_NOW);
  cards['site not found'] = () => renderJobCard(ref, { kind: 'site-not-found', typed: u('pari'), suggestions: [u('site-paris'), u('dc-paris'), u('x'), u('y'), u('z'), u('w')] }, CARD_NOW);
  cards['site ambiguous'] = () => renderJobCard(ref, { kind: 'site-not-found', typed: u('paris'), suggestions: [u('site-paris'), u('dc-paris')], ambiguous: true }, CARD_NOW);
  cards['failed job'] = () => renderJobCard(ref, { kind: 'failed', title: u('Could not plan'), problem: u('Azure refused'), fix: u('Try again'), code: u('AzureForbidden') }, CARD_NOW);
  const pending = Array.from({ length: 12 }, () => ({ requestId: u('r'), jobId: u('change~x'), title: u('Enable diagnostics on site-lisbon'), site: u('site-lisbon'), requesterId: 'x', requesterName: u('Alex Wilber'), fingerprint: u('f'), requestedAt: CARD_NOW.toISOString(), expiresAt: CARD_NOW.toISOString() }));
  cards.approvals = () => approvalsCard({ pending, ownWaiting: 2 });
  const records = Array.from({ length: 25 }, () => ({ action: u('enable-diagnostics'), actor: { name: u('Megan Bowen') }, target: u('site-lisbon'), outcome: 'approved' as const, jobId: u('change~x'), detail: u('plan 0123'), at: CARD_NOW.toISOString() }));
  cards.audit = () => auditCard({ records, site: u('site-lisbon'), days: 7, page: 1, more: true });
  return cards;
}

/** Values as Azure, certificates, logs and people could give them: short and plain mostly, sometimes 10,000 characters of anything. */
const value = fc.oneof(
  { weight: 12, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('x', '\u{1F600}', '"', '\\', '<', '\u0000', '\u202E', '**', '[a](b)'), fc.integer({ min: 300, max: 10_000 })).map(([c, n]) => c.repeat(n)) },
);

const NAMES = [...Object.keys(cardBuilders(realistic)), ...Object.keys(changeCardBuilders(realistic))];

describe('fuzz: card size and safety', () => {
  it('every card stays under 28 KB, valid, with untrusted text only in literal runs, whatever the values', () => {
    expect(NAMES.length).toBeGreaterThan(60);
    // Each case: a few cards (every card is drawn about 400 times per run), their untrusted fields from the values.
    fuzz(fc.tuple(fc.subarray(NAMES, { minLength: 1, maxLength: 3 }), fc.array(value, { minLength: 1, maxLength: 12 })), ([names, values]) => {
      let next = 0;
      const u: Untrusted = () => values[next++ % values.length]!;
      const builders = { ...cardBuilders(u), ...changeCardBuilders(u) };
      for (const name of names) {
        const card = builders[name]!();
        const size = cardSizeBytes(card);
        if (size > MAX_CARD_BYTES) throw new Error(`${name} is ${size} bytes`);
        const problems = cardProblems(card);
        if (problems.length > 0) throw new Error(`${name}: ${problems.join('; ')}`);
        // Markdown holds only the bot's own words: no generated value reaches it.
        const leaked = markdownTexts(card).filter((t) => values.some((v) => v.trim().length >= 8 && t.includes(v)));
        if (leaked.length > 0) throw new Error(`${name} shows a value as markdown: ${leaked[0]!.slice(0, 80)}`);
      }
    });
  });
});
