import { parseKeyVaultCertificateId } from '../adapters/azure/key-vault';
import type { ConnectionSummary } from '../adapters/azure/network';
import { createLimiter } from '../core/async/map-concurrent';
import { isUserError, PASSING_FAILURE_CODES } from '../core/errors/user-error';
import type { CertificateFacts, ChainCertificateFacts, ConnectionFacts, ExpiryFacts, VaultCaFacts } from '../core/expiry/expiry-report';
import { buildExpiryReport } from '../core/expiry/expiry-report';
import { parseCertificate } from '../core/pki/parse-certificate';
import { resolveSite } from '../core/status/site-name';
import type { ReadExpiryReportInput, ReadExpiryReportOutput } from './activity-names';
import type { ActivityPorts } from './activity-ports';
import { listScopeConnections } from './site-directory';

/**
 * Key Vault reads in flight (ARM is not involved). A vault takes 4,000 reads per 10 s: 64 at ~50 ms is about 1,300 a
 * second, so a scope of up to about 4,000 distinct certificates in one vault is read without throttling; beyond
 * that the vault's 429s are waited out (Retry-After). The cap is the app's own, to keep a few dozen connections open.
 */
const CERTIFICATE_READS = 64;

/**
 * The expiry report's reads: the fleet listed once (one ARM list call per resource group: the list result carries
 * each connection's outbound reference and inbound chain), each distinct outbound certificate's versions listed once
 * however many connections share it (expiry, enabled, which is newest), and the vault CA once. No per-connection
 * GET: live tunnel state is not part of an expiry report. Azure's refusals become rows and gaps, never a failed job;
 * throttling (429) is waited out by the adapters and, when it persists, fails the activity so the orchestration's
 * retry reads again.
 */
export async function readExpiryReport(input: ReadExpiryReportInput, ports: ActivityPorts): Promise<ReadExpiryReportOutput> {
  const now = ports.now();

  // Each distinct outbound certificate's versions, read once, CERTIFICATE_READS at a time.
  let throttled: unknown;
  const limit = createLimiter(CERTIFICATE_READS);
  const certificateReads = new Map<string, Promise<CertificateFacts>>();
  const readCertificate = (key: string, ref: { vaultUrl: string; name: string }): Promise<CertificateFacts> => {
    let read = certificateReads.get(key);
    if (!read) {
      read = limit(async (): Promise<CertificateFacts> => {
        try {
          const versions = await ports.keyVault.listCertificateVersions(ref.vaultUrl, ref.name);
          return {
            versions: versions.map((v) => ({
              version: v.version,
              enabled: v.enabled,
              ...(v.expiresOn ? { expiresOn: v.expiresOn.toISOString() } : {}),
              ...(v.createdOn ? { createdOn: v.createdOn.toISOString() } : {}),
            })),
          };
        } catch (error) {
          if (!isUserError(error)) throw error;
          if (PASSING_FAILURE_CODES.has(error.code)) throttled ??= error;
          return { problem: error.safeMessage };
        }
      });
      // Settled below, or dropped when the report ends early: never an unhandled rejection.
      read.catch(() => undefined);
      certificateReads.set(key, read);
    }
    return read;
  };
  const certificateOf = (url: string | undefined): { key: string; ref: { vaultUrl: string; name: string; version?: string } } | undefined => {
    if (!url) return undefined;
    try {
      const ref = parseKeyVaultCertificateId(url);
      return { key: `${ref.vaultUrl.toLowerCase()}/${ref.name.toLowerCase()}`, ref };
    } catch {
      return undefined;
    }
  };

  // The site index is written while Key Vault is read (awaited before returning), not before. For the whole scope,
  // each resource group's certificates are read as soon as its list arrives, not after the last group's.
  const { connections, gaps, passingGap, indexRefreshed } = await listScopeConnections(ports, {
    indexRefreshInBackground: true,
    ...(input.site === undefined
      ? {
          onListed: (listed: readonly ConnectionSummary[]) => {
            for (const c of listed) {
              const certificate = c.authenticationType === 'Certificate' ? certificateOf(c.certificate?.outboundCertificateUrl) : undefined;
              if (certificate) void readCertificate(certificate.key, certificate.ref);
            }
          },
        }
      : {}),
  });
  if (passingGap && connections.length === 0) {
    await indexRefreshed;
    throw passingGap;
  }

  let sites: string[] | undefined;
  if (input.site !== undefined) {
    const resolution = resolveSite(input.site, connections);
    if (resolution.kind !== 'found') await indexRefreshed;
    if (resolution.kind === 'not-found') return { kind: 'site-not-found', typed: input.site, suggestions: resolution.suggestions };
    if (resolution.kind === 'ambiguous') return { kind: 'site-not-found', typed: input.site, suggestions: resolution.matches.map((m) => m.site), ambiguous: true };
    sites = [resolution.item.site];
  }
  const inScope = sites ? connections.filter((c) => c.site === sites![0]) : connections;

  // Inbound chains: connections usually share roots; each distinct certificate is parsed once.
  const parsed = new Map<string, ChainCertificateFacts | undefined>();
  const chainEntry = (entry: string): ChainCertificateFacts | undefined => {
    if (!parsed.has(entry)) {
      try {
        const cert = parseCertificate(entry);
        parsed.set(entry, { subject: cert.subject, notAfter: cert.notAfter.toISOString(), root: cert.selfIssued });
      } catch {
        parsed.set(entry, undefined);
      }
    }
    return parsed.get(entry);
  };

  const certificateRefs = new Map<string, { vaultUrl: string; name: string }>();
  const facts: ConnectionFacts[] = inScope.map((c) => {
    const chain = (c.certificate?.inboundChain ?? []).map(chainEntry);
    const url = c.certificate?.outboundCertificateUrl;
    if (!url) return { site: c.site, connectionName: c.connectionName, outboundProblem: 'The connection names no outbound certificate in Key Vault.', inboundChain: chain };
    try {
      const ref = parseKeyVaultCertificateId(url);
      const certificateKey = `${ref.vaultUrl.toLowerCase()}/${ref.name.toLowerCase()}`;
      certificateRefs.set(certificateKey, { vaultUrl: ref.vaultUrl, name: ref.name });
      // Already under way when its list arrived (the whole scope); started now otherwise (one site).
      void readCertificate(certificateKey, { vaultUrl: ref.vaultUrl, name: ref.name });
      return {
        site: c.site,
        connectionName: c.connectionName,
        outbound: { id: url, vaultName: ports.keyVault.vaultName(ref.vaultUrl), certificateKey, certificateName: ref.name, ...(ref.version ? { version: ref.version } : {}) },
        inboundChain: chain,
      };
    } catch (error) {
      const problem = isUserError(error) ? error.safeMessage : 'The outbound certificate reference is not a Key Vault certificate identifier.';
      return { site: c.site, connectionName: c.connectionName, outboundProblem: problem, inboundChain: chain };
    }
  });

  // The vault CA is read alongside the certificates' versions (it needs none of them).
  const caId = ports.outboundRotation.caCertificateId;
  const readVaultCa = async (): Promise<VaultCaFacts | { problem: string } | { throttled: unknown } | undefined> => {
    if (!caId) return undefined;
    try {
      const ca = await ports.vaultCa.getCaCertificate(caId);
      return { vaultName: ports.keyVault.vaultName(ca.vaultUrl), certificateName: ca.name, subject: ca.certificate.subject, notAfter: ca.certificate.notAfter.toISOString(), enabled: ca.enabled };
    } catch (error) {
      if (!isUserError(error)) throw error;
      if (PASSING_FAILURE_CODES.has(error.code)) return { throttled: error };
      return { problem: `The vault CA could not be read: ${error.safeMessage}` };
    }
  };

  const readCertificates = async (): Promise<Record<string, CertificateFacts>> =>
    Object.fromEntries(await Promise.all([...certificateRefs].map(async ([key, ref]): Promise<[string, CertificateFacts]> => [key, await readCertificate(key, ref)])));
  const [certificates, caRead] = await Promise.all([readCertificates(), readVaultCa(), indexRefreshed]);
  // Key Vault still throttling after the SDK's retries: read again later rather than report certificates as unreadable.
  if (throttled) throw throttled;
  if (caRead && 'throttled' in caRead) throw caRead.throttled;
  const vaultCa = caRead;

  const all: ExpiryFacts = { connections: facts, certificates, ...(vaultCa ? { vaultCa } : {}), gaps, checkedAt: now.toISOString() };
  const tierBounds = input.tierBounds ?? ports.expiry?.tierBounds;
  const report = buildExpiryReport(all, now, { ...(input.thresholdDays !== undefined ? { thresholdDays: input.thresholdDays } : {}), ...(tierBounds ? { tierBounds } : {}), ...(sites ? { sites } : {}) });
  return { kind: 'report', report, reads: { connectionsListed: connections.length, certificateVersionLists: certificateRefs.size, vaultCa: caId ? 1 : 0 } };
}
