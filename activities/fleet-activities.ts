import { parseKeyVaultCertificateId } from '../adapters/azure/key-vault';
import { isUserError } from '../core/errors/user-error';
import { daysUntilExpiry } from '../core/pki/days-until-expiry';
import { parseCertificate } from '../core/pki/parse-certificate';
import type { FleetRow } from '../core/status/fleet-status';
import type { FleetRef, InspectFleetChunkInput, InspectFleetChunkOutput, ListFleetOutput, ReadFleetCertificatesInput, ReadFleetCertificatesOutput } from './activity-names';
import type { ActivityPorts } from './activity-ports';
import { mapConcurrent } from '../core/async/map-concurrent';
import { listScopeConnections } from './site-directory';

/** Connection reads in flight per chunk; several chunks run at once, and ARM throttling is per principal. */
const READS_PER_CHUNK = 5;

/**
 * The fleet from the list calls: which connections exist, their certificate references and the inbound chain's
 * expiry (the chain is in the list result, so it costs no extra call).
 */
export async function listFleet(_input: Record<string, never>, ports: ActivityPorts): Promise<ListFleetOutput> {
  const now = ports.now();
  const { connections, gaps } = await listScopeConnections(ports);
  // Connections usually share their chain's root: parse each distinct certificate once.
  const parsed = new Map<string, { days: number } | { problem: true }>();
  const expiryOf = (entry: string) => {
    let known = parsed.get(entry);
    if (!known) {
      try {
        known = { days: daysUntilExpiry(parseCertificate(entry), now) };
      } catch {
        known = { problem: true };
      }
      parsed.set(entry, known);
    }
    return known;
  };
  const refs: FleetRef[] = connections.map((c) => {
    let inboundDays: number | undefined;
    let inboundProblem: string | undefined;
    const chain = c.certificate?.inboundChain ?? [];
    if (chain.length === 0) inboundProblem = 'no inbound chain';
    for (const entry of chain) {
      const expiry = expiryOf(entry);
      if ('days' in expiry) inboundDays = inboundDays === undefined ? expiry.days : Math.min(inboundDays, expiry.days);
      else inboundProblem = 'unreadable inbound certificate';
    }
    return {
      site: c.site,
      connectionName: c.name,
      connectionId: c.id,
      subscriptionId: c.subscriptionId,
      resourceGroup: c.resourceGroup,
      authenticationType: c.authenticationType,
      ...(c.certificate?.outboundCertificateUrl ? { outboundCertificateId: c.certificate.outboundCertificateUrl } : {}),
      ...(inboundDays !== undefined ? { inboundDays } : {}),
      ...(inboundProblem ? { inboundProblem } : {}),
    };
  });
  return { refs, gaps };
}

/** Live status of a chunk of the fleet: one connection GET each (the list result lacks connectionStatus). */
export async function inspectFleetChunk(input: InspectFleetChunkInput, ports: ActivityPorts): Promise<InspectFleetChunkOutput> {
  const details = await mapConcurrent(input.refs, READS_PER_CHUNK, async (ref) => {
    try {
      return { ok: true as const, value: await ports.network.getConnection(ref.connectionId) };
    } catch (error) {
      if (!isUserError(error)) throw error;
      return { ok: false as const, problem: error.safeMessage };
    }
  });
  const rows: FleetRow[] = input.refs.map((ref, index) => {
    const d = details[index]!;
    const problem = !d.ok ? `could not read the connection: ${d.problem}` : ref.inboundProblem;
    return {
      site: ref.site,
      connectionName: ref.connectionName,
      subscriptionId: ref.subscriptionId,
      resourceGroup: ref.resourceGroup,
      status: d.ok ? d.value.status : 'Unknown',
      tunnelsUp: d.ok ? d.value.tunnels.filter((t) => t.status === 'Connected').length : 0,
      tunnelsTotal: d.ok ? Math.max(d.value.tunnels.length, 1) : 1,
      authenticationType: ref.authenticationType,
      ...(ref.outboundCertificateId ? { outboundCertificateId: ref.outboundCertificateId } : {}),
      ...(ref.inboundDays !== undefined ? { inboundDays: ref.inboundDays } : {}),
      ...(problem ? { problem } : {}),
    };
  });
  return { rows };
}

/** Key Vault reads per activity in flight; Key Vault allows thousands of GETs per 10 s per vault. */
const CERTIFICATE_READS = 16;

/** The fleet's outbound certificates, each read once (many connections may share one). */
export async function readFleetCertificates(input: ReadFleetCertificatesInput, ports: ActivityPorts): Promise<ReadFleetCertificatesOutput> {
  const now = ports.now();
  const entries = await mapConcurrent(input.certificateIds, CERTIFICATE_READS, async (id) => {
    try {
      const cert = await ports.keyVault.getCertificate(parseKeyVaultCertificateId(id));
      return [id, { days: daysUntilExpiry(cert.certificate, now) }] as const;
    } catch (error) {
      if (!isUserError(error)) throw error;
      return [id, { problem: 'outbound certificate unreadable' }] as const;
    }
  });
  return { certificates: Object.fromEntries(entries) };
}
