import { randomUUID } from 'node:crypto';
import type { KeyVaultStore } from '../key-vault/key-vault-store';
import type { SimClock } from '../sim-clock';
import { tryParseSimCertificate } from '../x509/sim-certificate';

/**
 * Event Grid for the simulated Key Vaults, delivering the way Event Grid does to a webhook (Event Grid schema):
 * - a subscription is validated first: a `Microsoft.EventGrid.SubscriptionValidationEvent` POSTed with
 *   `aeg-event-type: SubscriptionValidation`, which the endpoint must answer with `{ validationResponse: <code> }`;
 * - events are POSTed as a JSON array with `aeg-event-type: Notification`, `aeg-subscription-name`,
 *   `aeg-delivery-count`, `aeg-data-version` and `aeg-metadata-version`; anything but 2xx is delivered again with
 *   growing delays (Event Grid's retry policy, shortened here: a few attempts a second or so apart);
 * - Key Vault's certificate events carry `topic` (the vault's resource id), `subject` (the certificate name) and
 *   `data` `{ Id, VaultName, ObjectType: 'Certificate', ObjectName, Version, NBF, EXP }` (Unix seconds).
 *
 * Key Vault publishes `CertificateNearExpiry` 30 days before a version expires and `CertificateExpired` when it has:
 * `scan()` publishes the crossings since the last scan (a version already past them when watching began is not
 * announced, as Key Vault announces only when the moment comes); `publishCertificateEvent` publishes one now.
 */
export type KeyVaultCertificateEventType = 'Microsoft.KeyVault.CertificateNearExpiry' | 'Microsoft.KeyVault.CertificateExpired' | 'Microsoft.KeyVault.CertificateNewVersionCreated';

export interface EventGridEvent {
  readonly id: string;
  readonly topic: string;
  readonly subject: string;
  readonly eventType: string;
  readonly eventTime: string;
  readonly data: Record<string, unknown>;
  readonly dataVersion: string;
  readonly metadataVersion: '1';
}

export interface SimEventGridSubscription {
  readonly name: string;
  readonly endpoint: string;
  /** Event types delivered (default: every Key Vault certificate event). */
  readonly includedEventTypes?: readonly string[];
}

export interface DeliveryRecord {
  readonly subscription: string;
  readonly eventType: string;
  readonly subject: string;
  readonly status: number | 'unreachable';
  readonly attempt: number;
}

const NEAR_EXPIRY_MS = 30 * 86_400_000;
const ATTEMPTS = 4;

export class SimEventGrid {
  readonly #subscriptions: SimEventGridSubscription[] = [];
  readonly deliveries: DeliveryRecord[] = [];
  #lastScan: Date;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly vaults: KeyVaultStore,
    private readonly vaultNames: () => readonly string[],
    private readonly clock: SimClock,
    private readonly retryDelayMs = 1_000,
  ) {
    this.#lastScan = clock.now();
  }

  /** Validates the endpoint (the handshake) and starts delivering to it; throws when the endpoint does not validate. */
  async subscribe(subscription: SimEventGridSubscription): Promise<void> {
    const code = randomUUID();
    const validation: EventGridEvent = {
      id: randomUUID(),
      topic: '',
      subject: '',
      eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
      eventTime: this.clock.now().toISOString(),
      data: { validationCode: code, validationUrl: '' },
      dataVersion: '2',
      metadataVersion: '1',
    };
    const response = await fetch(subscription.endpoint, { method: 'POST', headers: { 'content-type': 'application/json', 'aeg-event-type': 'SubscriptionValidation', 'aeg-subscription-name': subscription.name.toUpperCase() }, body: JSON.stringify([validation]) });
    const body = (await response.json().catch(() => ({}))) as { validationResponse?: unknown };
    if (!response.ok || body.validationResponse !== code) throw new Error(`Event Grid subscription '${subscription.name}': the endpoint did not validate (HTTP ${response.status}).`);
    this.#subscriptions.push(subscription);
  }

  /** Scans every `intervalMs` of real time (the sandbox); stopped by `stop()`. */
  watch(intervalMs = 60_000): void {
    this.#timer ??= setInterval(() => void this.scan(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Publishes the near-expiry and expiry moments of enabled certificate versions that passed since the last scan. */
  async scan(): Promise<number> {
    const from = this.#lastScan.getTime();
    const to = this.clock.now().getTime();
    this.#lastScan = new Date(to);
    const events: EventGridEvent[] = [];
    for (const vault of this.vaultNames()) {
      for (const record of this.vaults.certificateRecords(vault)) {
        for (const version of record.versions) {
          if (!version.enabled || !version.der) continue;
          const cert = tryParseSimCertificate(version.der);
          if (!cert) continue;
          const exp = cert.notAfter.getTime();
          if (exp - NEAR_EXPIRY_MS > from && exp - NEAR_EXPIRY_MS <= to) events.push(this.certificateEvent(vault, record.name, version.version, 'Microsoft.KeyVault.CertificateNearExpiry'));
          if (exp > from && exp <= to) events.push(this.certificateEvent(vault, record.name, version.version, 'Microsoft.KeyVault.CertificateExpired'));
        }
      }
    }
    if (events.length > 0) await this.publish(events);
    return events.length;
  }

  /** Key Vault publishes `type` for the certificate's current (or given) version now. */
  async publishCertificateEvent(vaultName: string, certificateName: string, type: KeyVaultCertificateEventType, version?: string): Promise<EventGridEvent> {
    const record = this.vaults.certificateRecord(vaultName, certificateName);
    const chosen = version ?? [...record.versions].reverse().find((v) => v.der && v.enabled)?.version;
    if (!chosen) throw new Error(`No completed version of ${certificateName} in ${vaultName}.`);
    const event = this.certificateEvent(vaultName, record.name, chosen, type);
    await this.publish([event]);
    return event;
  }

  certificateEvent(vaultName: string, name: string, version: string, type: KeyVaultCertificateEventType): EventGridEvent {
    const record = this.vaults.certificateRecord(vaultName, name).versions.find((v) => v.version === version);
    const cert = record?.der ? tryParseSimCertificate(record.der) : undefined;
    const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
    return {
      id: randomUUID(),
      topic: this.vaults.resourceIdOf(vaultName),
      subject: name,
      eventType: type,
      eventTime: this.clock.now().toISOString(),
      data: {
        Id: `${this.vaults.vaultUrl(vaultName)}/certificates/${name}/${version}`,
        VaultName: vaultName,
        ObjectType: 'Certificate',
        ObjectName: name,
        Version: version,
        ...(cert ? { NBF: seconds(cert.notBefore), EXP: seconds(cert.notAfter) } : {}),
      },
      dataVersion: '1',
      metadataVersion: '1',
    };
  }

  /** Delivers to every subscription that takes the events' types, retrying what was not accepted. */
  async publish(events: readonly EventGridEvent[]): Promise<void> {
    await Promise.all(
      this.#subscriptions.map(async (subscription) => {
        const batch = events.filter((e) => !subscription.includedEventTypes || subscription.includedEventTypes.includes(e.eventType));
        if (batch.length === 0) return;
        for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
          let status: number | 'unreachable';
          try {
            const response = await fetch(subscription.endpoint, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                'aeg-event-type': 'Notification',
                'aeg-subscription-name': subscription.name.toUpperCase(),
                'aeg-delivery-count': String(attempt - 1),
                'aeg-data-version': batch[0]!.dataVersion,
                'aeg-metadata-version': '1',
              },
              body: JSON.stringify(batch),
            });
            status = response.status;
            await response.arrayBuffer().catch(() => undefined);
          } catch {
            status = 'unreachable';
          }
          for (const e of batch) this.deliveries.push({ subscription: subscription.name, eventType: e.eventType, subject: e.subject, status, attempt });
          if (typeof status === 'number' && status >= 200 && status < 300) return;
          await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * attempt));
        }
      }),
    );
  }
}
