import { card, paragraph } from '../cards/adaptive-card';
import { expiryReportCard } from '../cards/expiry-report-card';
import { isUserError } from '../core/errors/user-error';
import { reportForSites } from '../core/expiry/expiry-report';
import { readExpiryReport } from './expiry-activities';
import type { ActivityPorts } from './activity-ports';
import { listScopeConnections } from './site-directory';
import { parseKeyVaultCertificateId } from '../adapters/azure/key-vault';

/** Key Vault's certificate events the bot alerts on (Event Grid `eventType`). */
export const ALERTED_EVENTS = { 'Microsoft.KeyVault.CertificateNearExpiry': 'expires soon', 'Microsoft.KeyVault.CertificateExpired': 'has expired' } as const;

/** What the bot takes from a Key Vault Event Grid event: which certificate version, what happened. */
export interface KeyVaultCertificateEvent {
  readonly id: string;
  readonly eventType: keyof typeof ALERTED_EVENTS;
  readonly vaultName: string;
  readonly certificateName: string;
  readonly version?: string;
  /** Unix seconds. */
  readonly exp?: number;
}

const NAME = /^[0-9a-zA-Z-]{1,127}$/;

/**
 * Reads an Event Grid event (Event Grid schema, as the trigger hands it) as a Key Vault certificate event; anything
 * else (another event type, another object type, a malformed body) is undefined and ignored. Key Vault writes the data
 * in PascalCase (`VaultName`, `ObjectName`, `EXP`); camelCase is accepted too.
 */
export function readKeyVaultCertificateEvent(event: unknown): KeyVaultCertificateEvent | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const e = event as Record<string, unknown>;
  const type = e.eventType ?? e.type;
  if (typeof type !== 'string' || !(type in ALERTED_EVENTS)) return undefined;
  const data = (typeof e.data === 'object' && e.data !== null ? e.data : {}) as Record<string, unknown>;
  const pick = (...names: string[]) => names.map((n) => data[n]).find((v) => v !== undefined);
  const objectType = pick('ObjectType', 'objectType');
  const vaultName = pick('VaultName', 'vaultName');
  const certificateName = pick('ObjectName', 'objectName');
  const version = pick('Version', 'version');
  const exp = pick('EXP', 'exp');
  if (objectType !== undefined && String(objectType).toLowerCase() !== 'certificate') return undefined;
  if (typeof vaultName !== 'string' || !/^[0-9a-zA-Z-]{3,24}$/.test(vaultName) || typeof certificateName !== 'string' || !NAME.test(certificateName)) return undefined;
  return {
    id: typeof e.id === 'string' ? e.id.slice(0, 100) : '',
    eventType: type as KeyVaultCertificateEvent['eventType'],
    vaultName,
    certificateName,
    ...(typeof version === 'string' && /^[0-9a-zA-Z]{1,64}$/.test(version) ? { version } : {}),
    ...(typeof exp === 'number' && Number.isFinite(exp) ? { exp } : {}),
  };
}

export type AlertOutcome = { readonly kind: 'posted'; readonly sites: readonly string[]; readonly conversations: number } | { readonly kind: 'ignored'; readonly why: string };

/**
 * An immediate alert for a Key Vault near-expiry or expiry event: the sites whose connections reference that
 * certificate version (none: nothing to say), their rows of the expiry report, posted to every subscribed
 * conversation whose threshold the certificate is within (an expired one reaches all). Event Grid delivers at least
 * once: each (event, conversation) is posted once.
 */
export async function postKeyVaultAlert(event: KeyVaultCertificateEvent, ports: ActivityPorts): Promise<AlertOutcome> {
  const store = ports.subscriptions;
  if (!store) return { kind: 'ignored', why: 'no subscription store' };
  const subscriptions = await store.list();
  if (subscriptions.length === 0) return { kind: 'ignored', why: 'no conversation is subscribed' };
  const now = ports.now();
  const listeners = subscriptions.filter((s) => wantsAlert(s.days, event, now));
  if (listeners.length === 0) return { kind: 'ignored', why: `${event.certificateName} expires beyond every subscribed conversation's threshold` };
  const { connections } = await listScopeConnections(ports);
  const sites = connections
    .filter((c) => {
      const url = c.certificate?.outboundCertificateUrl;
      if (!url) return false;
      try {
        const ref = parseKeyVaultCertificateId(url);
        return ports.keyVault.vaultName(ref.vaultUrl).toLowerCase() === event.vaultName.toLowerCase() && ref.name.toLowerCase() === event.certificateName.toLowerCase() && (!event.version || !ref.version || ref.version.toLowerCase() === event.version.toLowerCase());
      } catch {
        return false;
      }
    })
    .map((c) => c.site);
  if (sites.length === 0) return { kind: 'ignored', why: `no connection uses ${event.certificateName}${event.version ? ` version ${event.version}` : ''}` };
  const read = await readExpiryReport({ thresholdDays: Math.max(...listeners.map((s) => s.days), ports.expiry?.tierBounds.at(-1) ?? 30) }, ports);
  if (read.kind !== 'report') return { kind: 'ignored', why: 'the fleet could not be read' };
  const report = reportForSites(read.report, sites);
  const happened = ALERTED_EVENTS[event.eventType];
  const title = `Key Vault alert: ${event.certificateName} ${happened}`;
  const note = `Key Vault ${event.vaultName} says the outbound certificate of ${sites.join(', ')} ${happened}${event.exp ? ` (${new Date(event.exp * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC)` : ''}. Rotate it now:`;
  const built = report.rows.length > 0 ? expiryReportCard({ report, page: 0, title, note }) : card([paragraph(title, { tone: 'warning' }), paragraph(note)]);
  let posted = 0;
  for (const subscription of listeners) {
    const once = `alert-${event.id.toLowerCase().replace(/[^a-z0-9-]/g, '').slice(0, 50)}-${subscription.conversationKey}`;
    if (event.id && !(await store.claimOnce(once))) continue;
    try {
      const known = ports.conversations ? (await ports.conversations.get(subscription.conversationKey)) !== undefined : true;
      if (known) await ports.messenger.post(subscription.conversationKey, built);
      else {
        const via = await store.teamConversation();
        if (!via) continue;
        await ports.messenger.postTo(via, { channelId: subscription.conversationId }, built);
      }
      posted++;
    } catch (error) {
      ports.log.warn('Key Vault alert not posted', { conversationKey: subscription.conversationKey, problem: isUserError(error) ? error.code : 'unexpected' });
    }
  }
  return { kind: 'posted', sites, conversations: posted };
}

/**
 * Whether a conversation subscribed with a threshold of `days` hears of this event now: an expiry always; a
 * near-expiry when the certificate expires within the threshold (Key Vault sends it 30 days ahead, so a `--days 7`
 * channel hears of it from its daily report when it gets there). An event without its expiry reaches everyone.
 */
export function wantsAlert(days: number, event: KeyVaultCertificateEvent, now: Date): boolean {
  if (event.eventType !== 'Microsoft.KeyVault.CertificateNearExpiry' || event.exp === undefined) return true;
  return event.exp * 1000 - now.getTime() <= days * 86_400_000;
}
