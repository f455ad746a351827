/**
 * The expiry report (`expiry`, the daily channel report, the Key Vault alert): every certificate a certificate
 * connection in scope depends on, by how soon it stops working, worst first. Pure: the reads happen in
 * activities/expiry-activities.ts, which hand over what Key Vault and the connection list say.
 *
 * What is reported per connection: the outbound certificate at the version the connection references (its expiry;
 * a newer enabled version Key Vault has that the connection does not use yet: drift; the referenced version disabled
 * or gone), each certificate of the inbound chain (a root or issuing CA that expires takes the device down), and once
 * for the fleet the vault CA that issues outbound certificates.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** Default tiers, in days: expired, then within 7, 14 and 30 days (`EXPIRY_TIERS`). */
export const DEFAULT_EXPIRY_TIERS: readonly number[] = [7, 14, 30];
/** The largest threshold a report or subscription may ask for. */
export const MAX_EXPIRY_DAYS = 365;

/** One version of a certificate as Key Vault lists it (no content). */
export interface VersionFacts {
  readonly version: string;
  readonly enabled: boolean;
  /** ISO time; absent while a request is pending. */
  readonly expiresOn?: string;
  readonly createdOn?: string;
}

/** What Key Vault says about one outbound certificate (all its versions), or why it could not be read. */
export type CertificateFacts = { readonly versions: readonly VersionFacts[] } | { readonly problem: string };

/** A certificate of an inbound chain, parsed once however many connections carry it. */
export interface ChainCertificateFacts {
  readonly subject: string;
  readonly notAfter: string;
  /** A root (self-issued) or an issuing CA under it. */
  readonly root: boolean;
}

/** A certificate connection in scope, as the list calls show it. */
export interface ConnectionFacts {
  readonly site: string;
  readonly connectionName: string;
  readonly outbound?: {
    /** The versioned identifier the connection references. */
    readonly id: string;
    readonly vaultName: string;
    /** `vaultUrl/name`: the key into `certificates`. */
    readonly certificateKey: string;
    readonly certificateName: string;
    /** Absent: the reference has no version (Azure resolves the current one). */
    readonly version?: string;
  };
  /** Why the outbound reference could not be understood, when it could not. */
  readonly outboundProblem?: string;
  /** Root first, as Azure holds it; `undefined` entries could not be parsed. */
  readonly inboundChain: readonly (ChainCertificateFacts | undefined)[];
}

export interface VaultCaFacts {
  readonly vaultName: string;
  readonly certificateName: string;
  readonly subject: string;
  readonly notAfter: string;
  readonly enabled: boolean;
}

export interface ExpiryFacts {
  readonly connections: readonly ConnectionFacts[];
  /** By `certificateKey`. */
  readonly certificates: Readonly<Record<string, CertificateFacts>>;
  readonly vaultCa?: VaultCaFacts | { readonly problem: string };
  /** Reads that failed for part of the scope: shown, never hidden. */
  readonly gaps: readonly string[];
  /** ISO time the facts were read. */
  readonly checkedAt: string;
}

/** How bad a row is; the order of this list is the order of the report. */
export const EXPIRY_TIERS = ['broken', 'expired', 'tier-1', 'tier-2', 'tier-3', 'drift'] as const;
export type ExpiryTier = (typeof EXPIRY_TIERS)[number];

export type ExpiryItemKind = 'outbound' | 'inbound' | 'vault-ca';

/** One line of the report: who, what, when and what to do. JSON-safe and small (cards and durable history). */
export interface ExpiryRow {
  /** The site, or `vault CA` for the fleet's CA. */
  readonly site: string;
  readonly kind: ExpiryItemKind;
  readonly tier: ExpiryTier;
  /** What expires: `outbound certificate outbound-site-paris (version 1a2b…)`, `inbound root CA CN=…`. */
  readonly what: string;
  /** ISO time it expires (absent for a referenced version that is gone). */
  readonly expiresAt?: string;
  /** Whole days left (negative: expired). */
  readonly days?: number;
  /** What to do, in one sentence. */
  readonly action: string;
  /** The outbound certificate can be rotated from the row: `drift` moves to the newest enabled version. */
  readonly rotate?: { readonly drift: boolean };
}

export interface ExpiryCounts {
  readonly broken: number;
  readonly expired: number;
  /** Per configured tier bound (e.g. 7, 14, 30), rows in (previous bound, bound]. */
  readonly tiers: readonly { readonly days: number; readonly count: number }[];
  readonly drift: number;
  /** Certificates checked that expire after the threshold and need nothing. */
  readonly fine: number;
}

export interface ExpiryReport {
  /** Worst first. */
  readonly rows: readonly ExpiryRow[];
  readonly counts: ExpiryCounts;
  /** Rows shown expire within this many days. */
  readonly thresholdDays: number;
  readonly tierBounds: readonly number[];
  readonly gaps: readonly string[];
  readonly checkedAt: string;
  /** Set when the report was cut to one site. */
  readonly site?: string;
}

export interface ExpiryOptions {
  /** Show what expires within this many days (default: the largest tier). */
  readonly thresholdDays?: number;
  /** Ascending tier bounds in days (default 7, 14, 30). */
  readonly tierBounds?: readonly number[];
  /** Only these sites (already resolved names); the vault CA is kept, since every site depends on it. */
  readonly sites?: readonly string[];
}

/** Whole days from `now` to `iso`, rounded down (0 on the last day, negative once past). */
export function daysUntil(iso: string, now: Date): number {
  return Math.floor((Date.parse(iso) - now.getTime()) / DAY_MS);
}

/** Checks configured tier bounds: ascending whole days, 1 to MAX_EXPIRY_DAYS, at most 5. */
export function parseTierBounds(text: string | undefined): { readonly bounds: readonly number[] } | { readonly problem: string } {
  if (text === undefined || text.trim() === '') return { bounds: DEFAULT_EXPIRY_TIERS };
  const parts = text.split(',').map((p) => p.trim());
  const bounds = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : Number.NaN));
  if (bounds.some((b) => !Number.isInteger(b) || b < 1 || b > MAX_EXPIRY_DAYS) || bounds.length > 5 || bounds.some((b, i) => i > 0 && b <= bounds[i - 1]!)) {
    return { problem: `EXPIRY_TIERS must be up to 5 ascending whole days between 1 and ${MAX_EXPIRY_DAYS}, separated by commas (e.g. 7,14,30); got '${text.slice(0, 40)}'.` };
  }
  return { bounds };
}

function short(version: string): string {
  return version.length > 8 ? `${version.slice(0, 8)}…` : version;
}

function tierOf(days: number, bounds: readonly number[]): ExpiryTier | undefined {
  if (days < 0) return 'expired';
  const index = bounds.findIndex((b) => days <= b);
  if (index < 0) return undefined;
  // Tiers beyond the third share the last named tier (configuration allows up to 5 bounds).
  return (['tier-1', 'tier-2', 'tier-3'] as const)[Math.min(index, 2)];
}

function when(days: number): string {
  if (days < 0) return days === -1 ? 'expired yesterday' : `expired ${-days} days ago`;
  if (days === 0) return 'expires today';
  return days === 1 ? 'expires tomorrow' : `expires in ${days} days`;
}

/**
 * The report over the facts: rows within the threshold (and every broken reference and drift), worst first; the
 * rest counted as fine.
 */
export function buildExpiryReport(facts: ExpiryFacts, now: Date, options: ExpiryOptions = {}): ExpiryReport {
  const bounds = options.tierBounds && options.tierBounds.length > 0 ? options.tierBounds : DEFAULT_EXPIRY_TIERS;
  const threshold = options.thresholdDays ?? bounds[bounds.length - 1]!;
  const wanted = options.sites ? new Set(options.sites.map((s) => s.toLowerCase())) : undefined;
  const rows: ExpiryRow[] = [];
  let fine = 0;

  const dated = (base: Omit<ExpiryRow, 'tier' | 'days' | 'expiresAt'>, expiresAt: string, drift?: ExpiryRow): void => {
    const days = daysUntil(expiresAt, now);
    const tier = days <= threshold ? tierOf(days, [...bounds.filter((b) => b < threshold), threshold]) : undefined;
    if (tier) rows.push({ ...base, tier, expiresAt, days });
    else if (drift) rows.push(drift);
    else fine++;
  };

  for (const c of facts.connections) {
    if (wanted && !wanted.has(c.site.toLowerCase())) continue;
    // Outbound: the version the connection references.
    if (c.outboundProblem || !c.outbound) {
      rows.push({ site: c.site, kind: 'outbound', tier: 'broken', what: 'outbound certificate reference', action: c.outboundProblem ?? 'The connection names no outbound certificate: set one (rotate with --source vault once Key Vault has it).' });
    } else {
      const o = c.outbound;
      const facts_ = facts.certificates[o.certificateKey];
      const label = `outbound certificate ${o.certificateName}`;
      if (!facts_) {
        // Not read (a gap is listed): nothing is claimed.
      } else if ('problem' in facts_) {
        rows.push({ site: c.site, kind: 'outbound', tier: 'broken', what: label, action: `Key Vault ${o.vaultName} could not be read: ${facts_.problem}` });
      } else {
        // Newest first; versions made in the same second (Key Vault's resolution) by the later expiry.
        const newestEnabled = facts_.versions
          .filter((v) => v.enabled && v.expiresOn)
          .sort((a, b) => (Date.parse(b.createdOn ?? '') || 0) - (Date.parse(a.createdOn ?? '') || 0) || Date.parse(b.expiresOn!) - Date.parse(a.expiresOn!))[0];
        const referenced = o.version ? facts_.versions.find((v) => v.version.toLowerCase() === o.version!.toLowerCase()) : newestEnabled;
        if (!referenced) {
          rows.push({
            site: c.site,
            kind: 'outbound',
            tier: 'broken',
            what: `${label} (version ${short(o.version ?? '?')})`,
            action: `The version the connection references is gone from Key Vault ${o.vaultName}: the gateway cannot present it. Rotate to move the connection to a version that exists.`,
            rotate: { drift: newestEnabled !== undefined },
          });
        } else if (!referenced.enabled) {
          rows.push({
            site: c.site,
            kind: 'outbound',
            tier: 'broken',
            what: `${label} (version ${short(referenced.version)})`,
            ...(referenced.expiresOn ? { expiresAt: referenced.expiresOn, days: daysUntil(referenced.expiresOn, now) } : {}),
            action: `The version the connection references is disabled in Key Vault ${o.vaultName}: the gateway cannot read it at its next renewal. Re-enable it, or Rotate.`,
            rotate: { drift: newestEnabled !== undefined && newestEnabled.version !== referenced.version },
          });
        } else if (referenced.expiresOn) {
          const newer =
            newestEnabled && newestEnabled.version !== referenced.version && Date.parse(newestEnabled.expiresOn!) > Date.parse(referenced.expiresOn) && daysUntil(newestEnabled.expiresOn!, now) >= 0 ? newestEnabled : undefined;
          const what = `${label} (version ${short(referenced.version)})`;
          const driftRow: ExpiryRow | undefined = newer
            ? {
                site: c.site,
                kind: 'outbound',
                tier: 'drift',
                what,
                expiresAt: referenced.expiresOn,
                days: daysUntil(referenced.expiresOn, now),
                action: `Key Vault has a newer enabled version (${short(newer.version)}, until ${newer.expiresOn!.slice(0, 10)}) the connection does not use yet: rotate to it.`,
                rotate: { drift: true },
              }
            : undefined;
          dated(
            {
              site: c.site,
              kind: 'outbound',
              what,
              action: newer
                ? `Key Vault already has a newer version (${short(newer.version)}): rotate the connection to it.`
                : 'Rotate: a new certificate from the CA, approved by someone else, verified on both tunnels.',
              rotate: { drift: newer !== undefined },
            },
            referenced.expiresOn,
            driftRow,
          );
        }
      }
    }
    // Inbound chain: each certificate Azure validates the device's certificate with.
    c.inboundChain.forEach((cert, index) => {
      if (!cert) {
        rows.push({ site: c.site, kind: 'inbound', tier: 'broken', what: `inbound chain certificate ${index + 1}`, action: 'Azure holds a chain certificate that cannot be read: replace the chain with rotate <site> inbound.' });
        return;
      }
      const role = cert.root ? 'root CA' : 'issuing CA';
      dated(
        {
          site: c.site,
          kind: 'inbound',
          what: `inbound ${role} ${cert.subject}`,
          action: `Device owner: get the ${role} renewed (or a new one), re-issue the device certificate under it, then rotate ${c.site} inbound with the new chain.`,
        },
        cert.notAfter,
      );
    });
  }

  // The vault CA: every outbound certificate it issued stops validating with it.
  if (facts.vaultCa) {
    if ('problem' in facts.vaultCa) {
      rows.push({ site: 'vault CA', kind: 'vault-ca', tier: 'broken', what: 'the CA that issues outbound certificates', action: facts.vaultCa.problem });
    } else {
      const ca = facts.vaultCa;
      if (!ca.enabled) {
        rows.push({ site: 'vault CA', kind: 'vault-ca', tier: 'broken', what: `CA ${ca.subject} (${ca.certificateName} in ${ca.vaultName})`, action: 'The CA certificate is disabled in Key Vault: new outbound certificates cannot be issued. Re-enable it.' });
      } else {
        dated(
          {
            site: 'vault CA',
            kind: 'vault-ca',
            what: `CA ${ca.subject} (${ca.certificateName} in ${ca.vaultName})`,
            action: 'Renew the CA in Key Vault and get the new root onto every device before this date; certificates it issued stop validating with it.',
          },
          ca.notAfter,
        );
      }
    }
  }

  const order = (r: ExpiryRow) => EXPIRY_TIERS.indexOf(r.tier);
  rows.sort((a, b) => order(a) - order(b) || (a.days ?? Number.MIN_SAFE_INTEGER) - (b.days ?? Number.MIN_SAFE_INTEGER) || a.site.localeCompare(b.site) || a.what.localeCompare(b.what));

  const effective = [...bounds.filter((b) => b < threshold), threshold];
  const tierCounts = effective.map((days, i) => ({
    days,
    count: rows.filter((r) => r.tier !== 'broken' && r.tier !== 'drift' && r.days !== undefined && r.days >= 0 && r.days <= days && (i === 0 || r.days > effective[i - 1]!)).length,
  }));
  return {
    rows,
    counts: {
      broken: rows.filter((r) => r.tier === 'broken').length,
      expired: rows.filter((r) => r.tier === 'expired').length,
      tiers: tierCounts,
      drift: rows.filter((r) => r.tier === 'drift' || (r.rotate?.drift === true && r.tier !== 'broken')).length,
      fine,
    },
    thresholdDays: threshold,
    tierBounds: effective,
    gaps: facts.gaps,
    checkedAt: facts.checkedAt,
    ...(options.sites && options.sites.length === 1 ? { site: options.sites[0]! } : {}),
  };
}

/** Whether the report has anything for people to act on (else: one "all fine" line). */
export function hasFindings(report: ExpiryReport): boolean {
  return report.rows.length > 0;
}

/** A row's one-line "when": `expires in 10 days (2026-12-15)`. */
export function describeWhen(row: ExpiryRow): string {
  if (row.days === undefined || !row.expiresAt) return row.tier === 'broken' ? 'unusable now' : '';
  return `${when(row.days)} (${row.expiresAt.slice(0, 10)})`;
}

/** A report cut to the rows of the given sites (the vault CA kept): for alerts about some sites only. */
export function reportForSites(report: ExpiryReport, sites: readonly string[]): ExpiryReport {
  const wanted = new Set(sites.map((s) => s.toLowerCase()));
  return { ...report, rows: report.rows.filter((r) => wanted.has(r.site.toLowerCase())) };
}

/**
 * The same report for a smaller threshold (a subscription with `--days 7` when the fleet was read for 30): rows beyond
 * it become fine (or drift, when Key Vault has a newer version the connection does not use); broken references stay.
 * A larger threshold than the report's is not widened (those certificates were counted as fine).
 */
export function narrowReport(report: ExpiryReport, thresholdDays: number): ExpiryReport {
  if (thresholdDays >= report.thresholdDays) return report;
  const bounds = [...report.tierBounds.filter((b) => b < thresholdDays), thresholdDays];
  let fine = report.counts.fine;
  const rows: ExpiryRow[] = [];
  for (const row of report.rows) {
    if (row.tier === 'broken' || row.tier === 'drift' || row.days === undefined) {
      rows.push(row);
      continue;
    }
    const tier = row.days <= thresholdDays ? tierOf(row.days, bounds) : undefined;
    if (tier) rows.push({ ...row, tier });
    else if (row.rotate?.drift) rows.push({ ...row, tier: 'drift' });
    else fine++;
  }
  const order = (r: ExpiryRow) => EXPIRY_TIERS.indexOf(r.tier);
  rows.sort((a, b) => order(a) - order(b) || (a.days ?? Number.MIN_SAFE_INTEGER) - (b.days ?? Number.MIN_SAFE_INTEGER) || a.site.localeCompare(b.site) || a.what.localeCompare(b.what));
  return {
    ...report,
    rows,
    thresholdDays,
    tierBounds: bounds,
    counts: {
      broken: report.counts.broken,
      expired: rows.filter((r) => r.tier === 'expired').length,
      tiers: bounds.map((days, i) => ({ days, count: rows.filter((r) => r.tier !== 'broken' && r.tier !== 'drift' && r.days !== undefined && r.days >= 0 && r.days <= days && (i === 0 || r.days > bounds[i - 1]!)).length })),
      drift: report.counts.drift,
      fine,
    },
  };
}

/** The label of a tier for cards: `Expired`, `Within 7 days`, `Drift`. */
export function tierLabel(row: ExpiryRow, bounds: readonly number[]): string {
  switch (row.tier) {
    case 'broken':
      return 'Unusable';
    case 'expired':
      return 'Expired';
    case 'drift':
      return 'Drift';
    default: {
      const bound = bounds.find((b) => row.days !== undefined && row.days <= b);
      return bound !== undefined ? `≤ ${bound} days` : 'Expiring';
    }
  }
}

/** Rows per page of an expiry card: with two buttons and three lines per row a page stays well under 28 KB (measured in the card tests). */
export const EXPIRY_PAGE_SIZE = 10;

/** One page of a report's rows: the one place pages are cut, for the job's own card and the paging buttons. */
export function expiryPageOf<Row>(rows: readonly Row[], page: number): { readonly rows: readonly Row[]; readonly page: number; readonly pageCount: number } {
  const pageCount = Math.max(1, Math.ceil(rows.length / EXPIRY_PAGE_SIZE));
  const shown = Math.min(Math.max(0, Math.floor(page)), pageCount - 1);
  return { rows: rows.slice(shown * EXPIRY_PAGE_SIZE, (shown + 1) * EXPIRY_PAGE_SIZE), page: shown, pageCount };
}

/** A change that, once applied and verified, closes a site's outbound row on posted expiry reports: `rotate <site> outbound`. */
export function closesExpiryRow(plan: { readonly kind: string; readonly details: Readonly<Record<string, string>> }): boolean {
  return plan.kind === 'rotate-certificate' && plan.details.side === 'outbound';
}
