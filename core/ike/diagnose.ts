import { deviceLogProvenance, type DeviceLogProvenance } from './device-log-provenance';
import type { ConnectionFacts, Diagnosis, DiagnosisCause, DiagnosisConfidence, DiagnosisEvidence, DiagnosisNote, DiagnosisRemedy, DiagnoseInput } from './diagnosis';
import { MAX_ACTION_TEXT, MAX_ACTIONS, MAX_EVIDENCE, MAX_EVIDENCE_TEXT, MAX_HEADLINE, MAX_LATEST_EVENTS, MAX_NOTE_EVIDENCE, MAX_NOTE_TEXT, MAX_NOTES } from './diagnosis';
import type { IkeEvent, IkeEventKind, OutboundCertificateProblem, TrafficSelectorRange, TunnelEvent } from './ike-event';
import { commonProposals, formatIkeProposal, normalizeIkeProposal, type IkeProposal } from './ike-proposal';
import { azurePolicyCanPin, customPolicyText, isStrongProposal, proposalToPin, STRONG_PROPOSAL_ADVICE, strongestFirst, weaknessSummary, type ProposalPhase } from './proposal-strength';
import { sameIdentity } from './same-identity';
import { sanitizeLogText } from './sanitize-log-text';
import { cidrToRange, formatSelector, rangeWithin } from './traffic-selectors';
import { windowsIkeError } from './windows-ike-errors';

/** Kinds that mean an attempt failed (retransmits alone do not: one lost packet is normal). */
const FAILURE_KINDS: ReadonlySet<IkeEventKind> = new Set<IkeEventKind>([
  'auth-failed-notify-sent',
  'auth-failed-notify-received',
  'credentials-unacceptable',
  'signature-verify-failed',
  'policy-mismatch',
  'ts-unacceptable',
  'negotiation-timeout',
  'invalid-payload',
  'invalid-ke',
  'unsupported-ike-version',
  'dpd-timeout',
  'peer-not-responding',
  'tunnel-closed',
  'psk-mismatch',
  'psk-missing',
  'auth-method-mismatch',
  'certificate-untrusted',
  'certificate-expired',
  'certificate-not-yet-valid',
  'certificate-outside-validity',
  'identity-mismatch',
  'no-peer-config',
  'outbound-certificate-unusable',
  'key-too-weak',
  'child-sa-failed',
]);

/** How far back from the latest Azure failure the same incident reaches (retries of one problem). */
const INCIDENT_WINDOW_MS = 30 * 60_000;
/** Device IKE SAs with failures that we read, latest first. */
const DEVICE_FAILED_SAS = 3;
/** Events diagnose looks at per side at most; more than that is trimmed to the latest. */
const MAX_INPUT_EVENTS = 20_000;

const isFailure = (e: IkeEvent): boolean => FAILURE_KINDS.has(e.kind) && !(e.kind === 'tunnel-closed' && /success/i.test(e.status ?? ''));
const isChildUp = (e: IkeEvent): boolean => e.kind === 'sa-established' && e.sa === 'child';
const ms = (iso: string | undefined): number | undefined => {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
};
const day = (iso: string | undefined): string | undefined => (iso && /^\d{4}-\d{2}-\d{2}/.test(iso) ? iso.slice(0, 10) : undefined);
const clip = (text: string, max: number): string => sanitizeLogText(text, max);
export { sameIdentity };

const list = (items: readonly string[], max = 4): string => (items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', '));

function evidenceOf(e: IkeEvent): DiagnosisEvidence {
  const ev: DiagnosisEvidence = { source: e.source, text: clip(e.text, MAX_EVIDENCE_TEXT) };
  const time = e.at ?? e.stamp;
  if (time) ev.time = time;
  if (e.line !== undefined && !e.at) ev.line = e.line;
  if (e.instance) ev.instance = e.instance;
  return ev;
}

function tunnelEvidence(t: TunnelEvent): DiagnosisEvidence {
  const ev: DiagnosisEvidence = { source: 'azure', time: t.at, text: clip(`Tunnel ${t.status}${t.reason ? `: ${t.reason}` : ''}`, MAX_EVIDENCE_TEXT) };
  if (t.instance) ev.instance = t.instance;
  return ev;
}

/** Azure events of the latest failing incident: the sessions that failed within INCIDENT_WINDOW_MS of the last failure. */
function azureIncident(events: IkeEvent[]): { focus: IkeEvent[]; childUpAfter: boolean } {
  let last: number | undefined;
  for (const e of events) {
    const t = ms(e.at);
    if (t !== undefined && isFailure(e) && (last === undefined || t > last)) last = t;
  }
  const undated = events.filter((e) => e.at === undefined);
  if (last === undefined) return { focus: undated.some(isFailure) ? undated : [], childUpAfter: false };
  const from = last - INCIDENT_WINDOW_MS;
  const sessions = new Set<string>();
  for (const e of events) {
    const t = ms(e.at);
    if (t !== undefined && t >= from && isFailure(e) && e.sessionId) sessions.add(e.sessionId);
  }
  const focus = events.filter((e) => {
    if (e.sessionId && sessions.has(e.sessionId)) return true;
    const t = ms(e.at);
    return !e.sessionId && t !== undefined && t >= from && t <= last + 60_000;
  });
  const childUpAfter = events.some((e) => isChildUp(e) && (ms(e.at) ?? -Infinity) > last);
  return { focus, childUpAfter };
}

/** Device events of the last few IKE SAs that failed, and whether a later SA came up. */
function deviceIncident(events: IkeEvent[]): { focus: IkeEvent[]; childUpAfter: boolean } {
  const order: string[] = [];
  const bySa = new Map<string, IkeEvent[]>();
  for (const e of events) {
    const key = e.sessionId ?? '';
    let group = bySa.get(key);
    if (!group) {
      group = [];
      bySa.set(key, group);
      order.push(key);
    }
    group.push(e);
  }
  const failed = order.filter((k) => (bySa.get(k) ?? []).some(isFailure)).slice(-DEVICE_FAILED_SAS);
  const focus = events.filter((e) => failed.includes(e.sessionId ?? ''));
  const lastFailureLine = focus.reduce((max, e) => (isFailure(e) && (e.line ?? -1) > max ? (e.line ?? -1) : max), -1);
  const childUpAfter = events.some((e) => isChildUp(e) && (e.line ?? -1) > lastFailureLine);
  return { focus, childUpAfter };
}

/** Connected / not connected as the connection resource or the latest tunnel rows say; undefined when unknown. */
function connectedNow(input: DiagnoseInput, tunnels: TunnelEvent[]): boolean | undefined {
  const status = input.connection?.status?.toLowerCase();
  const tunnelStates = (input.connection?.tunnels ?? []).map((t) => t.status?.toLowerCase()).filter((s): s is string => !!s);
  if (status === 'connected') return tunnelStates.every((s) => s === 'connected');
  if (status === 'notconnected' || status === 'connecting') return false;
  if (tunnels.length > 0) {
    const latest = new Map<string, TunnelEvent>();
    for (const t of tunnels) {
      const key = t.instance ?? '';
      const prev = latest.get(key);
      if (!prev || t.at >= prev.at) latest.set(key, t);
    }
    return [...latest.values()].every((t) => t.status === 'Connected');
  }
  return undefined;
}

interface Finding {
  cause: DiagnosisCause;
  headline: string;
  confidence: DiagnosisConfidence;
  rejectedBy?: 'azure' | 'device';
  evidence: IkeEvent[];
  extraEvidence?: DiagnosisEvidence[];
  actions: string[];
  remedy?: DiagnosisRemedy;
}

/** Resolves a certificate-outside-validity event to expired / not yet valid using its own time, else `now`. */
function validityKind(e: IkeEvent, now: number | undefined): 'certificate-expired' | 'certificate-not-yet-valid' | undefined {
  if (e.kind === 'certificate-expired' || e.kind === 'certificate-not-yet-valid') return e.kind;
  if (e.kind !== 'certificate-outside-validity') return undefined;
  const at = ms(e.at) ?? now;
  if (at === undefined) return undefined;
  const from = ms(e.validFrom);
  const to = ms(e.validTo);
  if (to !== undefined && at > to) return 'certificate-expired';
  if (from !== undefined && at < from) return 'certificate-not-yet-valid';
  return undefined;
}

const OUTBOUND_PROBLEMS: Record<OutboundCertificateProblem, { what: string; action: string }> = {
  'key-vault-access': {
    what: "the gateway's managed identity cannot read it from Key Vault",
    action:
      "Give the gateway's user-assigned identity read access to the certificate: the Key Vault Secrets User and Key Vault Certificate User roles on the vault (or get/list access policies on secrets and certificates).",
  },
  eku: {
    what: 'it lacks the Server Authentication and Client Authentication extended key usages',
    action: 'Reissue the outbound certificate with both Server Authentication and Client Authentication EKUs, then point the connection at the new version.',
  },
  key: {
    what: 'its private key is not an exportable RSA key of at least 2048 bits',
    action: 'Reissue the outbound certificate with an exportable RSA key of 2048 bits or more, then point the connection at the new version.',
  },
  expired: {
    what: 'it has expired',
    action: "Rotate the gateway's outbound certificate (the bot's rotate command) and give the device the new certificate's root if it changed.",
  },
  chain: {
    what: 'its chain in Key Vault does not reach its root (the secret holds the certificate without all its issuers)',
    action:
      'Put the whole chain into Key Vault with the certificate: import a PFX (or PEM) holding every issuer up to the root, or, for a request signed by your CA, merge the signed certificate together with its issuers (the full x5c chain); then point the connection at the new version.',
  },
  'not-found': {
    what: 'Key Vault has no such certificate (version)',
    action: 'Point the connection at an existing, versioned Key Vault certificate identifier (https://<vault>.vault.azure.net/certificates/<name>/<version>).',
  },
};

function last<T>(items: readonly T[], predicate: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i]!)) return items[i];
  return undefined;
}

function selectorsText(ranges: TrafficSelectorRange[] | undefined): string {
  return ranges && ranges.length > 0 ? list(ranges.map(formatSelector), 3) : 'none';
}

/**
 * Explains why a site-to-site tunnel is down, from Azure's IKE and tunnel logs, tunnel metrics, optionally the
 * device's own log, and the connection's configuration. Reasoning order: the side that rejects a certificate or a
 * proposal logs the reason, so a specific reason from either log wins; when Azure only shows AUTHENTICATION_FAILED /
 * 13801, the configuration (e.g. the configured inbound subject vs the subject seen) decides when it can; otherwise the
 * cause is `unknown` with the latest events, never a guess. The result is small and bounded: it travels through
 * durable history.
 */
export function diagnose(input: DiagnoseInput): Diagnosis {
  const nowMs = input.now instanceof Date ? (Number.isFinite(input.now.getTime()) ? input.now.getTime() : undefined) : ms(String(input.now));
  const azureAll = [...(input.azure ?? [])].slice(-MAX_INPUT_EVENTS);
  azureAll.sort((a, b) => (a.at ?? '').localeCompare(b.at ?? ''));
  const deviceAll = [...(input.device ?? [])].slice(-MAX_INPUT_EVENTS);
  const tunnels = [...(input.tunnels ?? [])].slice(-MAX_INPUT_EVENTS).sort((a, b) => a.at.localeCompare(b.at));
  const connection = input.connection ?? {};
  const metrics = input.metrics ?? {};
  const tsDrops = (metrics.ingressPacketDropTSMismatch ?? 0) + (metrics.egressPacketDropTSMismatch ?? 0);

  // A log from another peer must not decide anything: it is kept aside and only reported (see device-log-provenance.ts).
  const provenance = deviceAll.length > 0 ? deviceLogProvenance(deviceAll, connection) : undefined;
  const deviceUsed = provenance?.verdict === 'other-peer' ? [] : deviceAll;

  const az = azureIncident(azureAll);
  const dev = deviceIncident(deviceUsed);
  const up = connectedNow(input, tunnels);

  const combined =
    healthyFinding(up, az, dev, azureAll, deviceUsed, tunnels, tsDrops, metrics.ingressBytes, metrics.egressBytes) ??
    reasonFinding(az.focus, dev.focus, deviceUsed, connection, nowMs, tsDrops);
  // What Azure's log says on its own, once: it may keep the verdict, or become a note, when a device log was pasted.
  const azureOnly = provenance ? reasonFinding(az.focus, [], [], connection, nowMs, tsDrops) : undefined;
  const finding = azureLeads(combined, azureOnly, deviceUsed);
  const diagnosis = finding ? present(finding) : unknownDiagnosis(azureAll, deviceUsed, tunnels, az.focus, input.device !== undefined && deviceUsed.length > 0);
  if (finding && diagnosis.cause === 'unknown') diagnosis.latestEvents = latestEvents(azureAll, deviceUsed, tunnels);
  const notes = provenance ? deviceNotes(diagnosis, provenance, deviceAll, az.focus, azureOnly, connection, nowMs) : [];
  if (notes.length > 0) diagnosis.notes = notes.slice(0, MAX_NOTES);
  return diagnosis;
}

/**
 * Causes Azure's own log shows in full, whichever side refused: the proposals, traffic selectors, its own outbound
 * certificate, and a pre-shared key arriving where a certificate was expected. With `rejectedBy: 'azure'` (Azure
 * refused the device and logged why) these are the findings a pasted device log cannot overrule.
 */
const AZURE_SEES_IN_FULL: ReadonlySet<DiagnosisCause> = new Set(['proposal-mismatch', 'traffic-selector-mismatch', 'outbound-unusable', 'psk-one-side']);

/**
 * Azure's log is the live record of this connection; a pasted device log may be older or from another tunnel. When
 * Azure's log alone names a cause it sees in full, and the log-combined finding names another, Azure's stays the
 * verdict (the device's becomes a note). A device log only decides what Azure cannot see: why the device refused.
 * E.g. Azure failing at IKE_SA_INIT on proposals while the device log shows a certificate or PSK failure at IKE_AUTH:
 * the device cannot have reached IKE_AUTH in this window.
 */
function azureLeads(combined: Finding | undefined, azureOnly: Finding | undefined, deviceUsed: IkeEvent[]): Finding | undefined {
  if (!combined || combined.cause === 'healthy' || deviceUsed.length === 0) return combined;
  if (!azureOnly || azureOnly.cause === 'unknown' || azureOnly.cause === combined.cause) return combined;
  return azureOnly.rejectedBy === 'azure' || AZURE_SEES_IN_FULL.has(azureOnly.cause) ? azureOnly : combined;
}

/** A finding's headline as a clause inside a note ("the device does not trust ..."). */
function clause(headline: string): string {
  const text = headline.replace(/\.\s*$/, '');
  return text.startsWith('The ') ? `the ${text.slice(4)}` : text;
}

/** A finding worth a note: a named cause, or an `unknown` that still says something specific (e.g. PSKs differ). */
const specific = (f: Finding | undefined): f is Finding => !!f && (f.cause !== 'unknown' || f.confidence !== 'low');

function note(text: string, events: readonly (IkeEvent | DiagnosisEvidence | undefined)[]): DiagnosisNote {
  const evidence: DiagnosisEvidence[] = [];
  for (const e of events) {
    if (!e || evidence.length >= MAX_NOTE_EVIDENCE) continue;
    const ev = 'kind' in e ? evidenceOf(e) : e;
    if (!evidence.some((x) => x.source === ev.source && x.text === ev.text && x.line === ev.line)) evidence.push(ev);
  }
  return { text: clip(text, MAX_NOTE_TEXT), evidence };
}

/**
 * Never drop silently what a pasted device log says. Notes, in order: where the log seems to come from (when it is
 * not this connection's, or it saw another gateway certificate); the device's own finding when the headline does not
 * already say it (Azure up, log from another peer, or a different cause); Azure's own finding when the device's log
 * decided the headline and Azure's log names another cause. The headline stays with the stronger evidence: Azure's
 * live state and logs, unless the device's log names a reason Azure's does not.
 */
function deviceNotes(
  diagnosis: Diagnosis,
  provenance: DeviceLogProvenance,
  deviceAll: IkeEvent[],
  azureFocus: IkeEvent[],
  azureFinding: Finding | undefined,
  connection: ConnectionFacts,
  now: number | undefined,
): DiagnosisNote[] {
  const notes: DiagnosisNote[] = [];
  const foreign = provenance.verdict === 'other-peer';
  const seen = provenance.gatewayCertificateSeen;
  if (foreign) {
    notes.push(
      note(`The attached device log talks to ${list(provenance.peers, 3)}, not this gateway (${list(provenance.gatewayIps, 3)}): check it is the right device's log. It was left out of this diagnosis.`, [
        provenance.peerEvent,
      ]),
    );
  } else if (seen) {
    notes.push(note(`The device log shows the gateway presenting ${seen.seen}, but this connection's outbound certificate is ${seen.configured}: the log may be older than the current certificate or from another peer.`, [seen.event]));
  }
  // For a foreign log, other certificate names support the verdict; they come after its finding (the least needed).
  const sent = provenance.deviceCertificateSent;
  const foreignNames = foreign
    ? [
        seen ? `the gateway presented ${seen.seen} (this connection's outbound certificate is ${seen.configured})` : undefined,
        sent ? `the device presented ${sent.sent} (the connection expects ${sent.configured})` : undefined,
      ].filter((x): x is string => !!x)
    : [];

  const dev = deviceIncident(deviceAll);
  const deviceFailing = dev.focus.some(isFailure) && !dev.childUpAfter;
  // A foreign log is read on its own terms: this connection's configuration says nothing about its peers.
  const deviceFinding = deviceFailing ? reasonFinding([], dev.focus, deviceAll, foreign ? {} : connection, now, 0) : undefined;
  const deviceEvidence = (f: Finding | undefined): (IkeEvent | DiagnosisEvidence)[] => {
    const lines = f ? present(f).evidence.filter((e) => e.source === 'device') : [];
    const lastFailure = last(dev.focus, isFailure);
    return lines.length > 0 ? lines : lastFailure ? [lastFailure] : [];
  };
  const says = (f: Finding | undefined): string => (specific(f) ? `a failure: ${clause(f.headline)}` : 'failed IKE negotiations that none of the known causes explains');
  if (deviceFailing) {
    if (foreign) {
      notes.push(note(`That log shows ${says(deviceFinding)}.`, deviceEvidence(deviceFinding)));
    } else if (diagnosis.cause === 'healthy') {
      const when =
        provenance.verdict === 'this-connection'
          ? 'so that log is probably from before the current tunnel came up: check its timestamps'
          : 'so that log may be older than the current tunnel or from another peer';
      notes.push(note(`The device log you attached shows ${says(deviceFinding)}. Azure's side is up now, ${when}.`, deviceEvidence(deviceFinding)));
    } else if (specific(deviceFinding) && deviceFinding.cause !== diagnosis.cause) {
      notes.push(note(`The device log points to another cause: ${clause(deviceFinding.headline)}. Azure's own log of this window names the verdict above: check that log's time and that it is this device's.`, deviceEvidence(deviceFinding)));
    }
  } else if (!foreign && diagnosis.cause !== 'healthy') {
    // A log of a working tunnel on a connection that is down now: older than the failure, or another tunnel's.
    const working = last(deviceAll, isChildUp) ?? last(deviceAll, (e) => e.kind === 'proposal-selected');
    if (working) notes.push(note("The device log you attached shows the negotiation succeeding, but Azure's side is failing now: that log is probably from before the failure (check its timestamps) or from another tunnel.", [working]));
  }
  if (!foreign) {
    // The device's own certificate in its log, against what Azure received (or, failing that, what the connection expects).
    const deviceOwn = last(deviceAll, (e) => e.kind === 'certificate-sent' && !!e.subject);
    const azureSeen = last(azureFocus, (e) => e.kind === 'certificate-received' && !!e.subject);
    if (deviceOwn?.subject && azureSeen?.subject && !sameIdentity(deviceOwn.subject, azureSeen.subject)) {
      notes.push(note(`In the device log the device presents ${deviceOwn.subject}, but Azure received ${azureSeen.subject}: the log is from another device or an older certificate.`, [deviceOwn, azureSeen]));
    } else if (!azureSeen && sent && diagnosis.cause !== 'subject-mismatch') {
      notes.push(note(`In the device log the device presents ${sent.sent}; the connection expects ${sent.configured}.`, [sent.event]));
    }
  }

  if (!foreign && diagnosis.cause !== 'healthy' && specific(deviceFinding) && deviceFinding.cause === diagnosis.cause) {
    // The device's log decided the headline: Azure's own finding, when it names another cause, must still show.
    if (specific(azureFinding) && azureFinding.cause !== diagnosis.cause) {
      notes.push(note(`Azure's log points to another cause: ${clause(azureFinding.headline)}.`, present(azureFinding).evidence.filter((e) => e.source === 'azure')));
    }
  }
  if (foreignNames.length > 0) notes.push(note(`In that log ${foreignNames.join('; ')}.`, [seen?.event, sent?.event]));
  // A line already quoted as evidence is not quoted again under a note.
  const quoted = (e: DiagnosisEvidence) => diagnosis.evidence.some((x) => x.source === e.source && x.text === e.text && x.line === e.line && x.time === e.time);
  return notes.map((n) => ({ ...n, evidence: n.evidence.filter((e) => !quoted(e)) }));
}

/** The latest recognised events of both sides and the last tunnel rows, oldest first: what a person reads next. */
function latestEvents(azureAll: IkeEvent[], deviceAll: IkeEvent[], tunnels: TunnelEvent[]): DiagnosisEvidence[] {
  const interesting = (e: IkeEvent): boolean => e.kind !== 'other';
  const azureLatest = azureAll.filter(interesting).slice(-MAX_LATEST_EVENTS).map(evidenceOf);
  const deviceLatest = deviceAll.filter(interesting).slice(-MAX_LATEST_EVENTS).map(evidenceOf);
  const timed = [...azureLatest, ...tunnels.slice(-2).map(tunnelEvidence)].sort((a, b) => (a.time ?? '').localeCompare(b.time ?? ''));
  // Device lines often have no comparable time: keep their own order and give each side half the room (or all of
  // it when the other side has nothing).
  const half = Math.ceil(MAX_LATEST_EVENTS / 2);
  const azureRoom = deviceLatest.length > 0 ? Math.max(half, MAX_LATEST_EVENTS - deviceLatest.length) : MAX_LATEST_EVENTS;
  const azurePart = azureRoom > 0 ? timed.slice(-azureRoom) : [];
  const deviceRoom = MAX_LATEST_EVENTS - azurePart.length;
  const devicePart = deviceRoom > 0 ? deviceLatest.slice(-deviceRoom) : [];
  return [...azurePart, ...devicePart];
}

function healthyFinding(
  up: boolean | undefined,
  az: ReturnType<typeof azureIncident>,
  dev: ReturnType<typeof deviceIncident>,
  azureAll: IkeEvent[],
  deviceAll: IkeEvent[],
  tunnels: TunnelEvent[],
  tsDrops: number,
  ingress: number | undefined,
  egress: number | undefined,
): Finding | undefined {
  if (tsDrops > 0 || up === false) return undefined;
  if (up === undefined) {
    // Without a status from Azure, the logs must show the IPsec SA coming up after the last failure.
    const azureUp = azureAll.length > 0 && (az.focus.length === 0 ? azureAll.some(isChildUp) : az.childUpAfter);
    const deviceUp = azureAll.length === 0 && deviceAll.length > 0 && (dev.focus.length === 0 ? deviceAll.some(isChildUp) : dev.childUpAfter);
    if (!azureUp && !deviceUp) return undefined;
  }
  const evidence = [last(azureAll, isChildUp), last(deviceAll, isChildUp)].filter((e): e is IkeEvent => !!e);
  const connectedRow = last(tunnels, (t) => t.status === 'Connected');
  const flowing = (ingress ?? 0) > 0 || (egress ?? 0) > 0;
  return {
    cause: 'healthy',
    headline: `The tunnel is up: IKE and IPsec security associations are established${flowing ? ' and traffic is flowing' : ''}.`,
    confidence: up === true || evidence.length > 0 ? 'high' : 'medium',
    evidence,
    extraEvidence: connectedRow ? [tunnelEvidence(connectedRow)] : [],
    actions: flowing ? [] : ['If traffic still does not pass, check routes and network security groups on both sides; the tunnel itself is up.'],
  };
}

/** What every reason rule reads: both sides' incident events, the configuration, and what each side saw and refused. */
interface ReasonContext {
  readonly azure: IkeEvent[];
  readonly device: IkeEvent[];
  readonly deviceAll: IkeEvent[];
  readonly connection: NonNullable<DiagnoseInput['connection']>;
  readonly now: number | undefined;
  readonly tsDrops: number;
  /** The latest Azure (device) event of a kind in the incident, optionally matching `extra`. */
  azFind(kind: IkeEventKind, extra?: (e: IkeEvent) => boolean): IkeEvent | undefined;
  devFind(kind: IkeEventKind, extra?: (e: IkeEvent) => boolean): IkeEvent | undefined;
  readonly deviceOwnCert: string | undefined;
  readonly gatewayCertSeenByDevice: string | undefined;
  readonly deviceCertSeenByAzure: IkeEvent | undefined;
  readonly deviceSubject: string | undefined;
  readonly gatewaySubject: string | undefined;
  readonly remoteIp: string | undefined;
  readonly azureSawRejection: IkeEvent | undefined;
  readonly azureRejectedAuth: IkeEvent | undefined;
  readonly deviceSawRejection: IkeEvent | undefined;
  readonly deviceRejectedAuth: IkeEvent | undefined;
  /** Azure refused the device, by its own notify or the device's view of it. */
  readonly azureRejects: IkeEvent | undefined;
  closing(events: IkeEvent[]): IkeEvent[];
}

function reasonContext(azure: IkeEvent[], device: IkeEvent[], deviceAll: IkeEvent[], connection: NonNullable<DiagnoseInput['connection']>, now: number | undefined, tsDrops: number): ReasonContext {
  const azFind = (kind: IkeEventKind, extra: (e: IkeEvent) => boolean = () => true): IkeEvent | undefined => last(azure, (e) => e.kind === kind && extra(e));
  const devFind = (kind: IkeEventKind, extra: (e: IkeEvent) => boolean = () => true): IkeEvent | undefined => last(device, (e) => e.kind === kind && extra(e));

  // Certificates as each side saw them.
  const deviceOwnCert = last(deviceAll, (e) => e.kind === 'certificate-sent' && !!e.subject)?.subject;
  const gatewayCertSeenByDevice = last(deviceAll, (e) => e.kind === 'certificate-received' && !!e.subject)?.subject;
  const deviceCertSeenByAzure = last(azure, (e) => e.kind === 'certificate-received' && !!e.subject);
  const deviceSubject = deviceCertSeenByAzure?.subject ?? deviceOwnCert;
  const gatewaySubject = gatewayCertSeenByDevice ?? connection.outboundCertificateSubject;
  const remoteIp = last(azure, (e) => !!e.remoteIp)?.remoteIp ?? connection.deviceIp;
  // 13801 alone does not say who refused whom: Windows logs it both when it rejects the peer and when the peer's
  // AUTHENTICATION_FAILED notify arrives. The notify's direction decides.
  const azureSawRejection = azFind('auth-failed-notify-received');
  const azureRejectedAuth = azFind('auth-failed-notify-sent') ?? azFind('signature-verify-failed') ?? (azureSawRejection ? undefined : azFind('credentials-unacceptable'));
  const deviceSawRejection = devFind('auth-failed-notify-received');
  const deviceRejectedAuth = devFind('auth-failed-notify-sent');
  const closing = (events: IkeEvent[]): IkeEvent[] =>
    [last(events, (e) => e.kind === 'tunnel-closed'), last(events, (e) => e.errorCode !== undefined && e.kind !== 'tunnel-closed')].filter((e): e is IkeEvent => !!e);

  // Azure refused the device: its own notify, or the device saw the refusal.
  const azureRejects = azureRejectedAuth ?? deviceSawRejection;
  return { azure, device, deviceAll, connection, now, tsDrops, azFind, devFind, deviceOwnCert, gatewayCertSeenByDevice, deviceCertSeenByAzure, deviceSubject, gatewaySubject, remoteIp, azureSawRejection, azureRejectedAuth, deviceSawRejection, deviceRejectedAuth, azureRejects, closing };
}

/** Azure cannot use its own certificate: nothing else can work until that is fixed. */
function outboundUnusable(ctx: ReasonContext): Finding | undefined {
  const { azure, azFind, closing } = ctx;
  const unusable = azFind('outbound-certificate-unusable', (e) => !!e.problem) ?? azFind('outbound-certificate-unusable');
  if (unusable) {
    const problem = unusable.problem ? OUTBOUND_PROBLEMS[unusable.problem] : undefined;
    return {
      cause: 'outbound-unusable',
      headline: `Azure cannot use the connection's outbound certificate${problem ? `: ${problem.what}` : ''}, so it cannot authenticate to the device.`,
      confidence: problem ? 'high' : 'medium',
      evidence: [unusable, ...closing(azure)],
      actions: problem
        ? [problem.action]
        : [
            "Check the connection's outbound certificate in Key Vault: it must exist (versioned identifier), be readable by the gateway's managed identity, be unexpired, have an exportable RSA key of at least 2048 bits and both Server and Client Authentication EKUs, and come with its issuers up to the root.",
          ],
    };
  }
  return undefined;
}

/** One side uses a pre-shared key, the other a certificate (or both use keys that differ). */
function authenticationMethod(ctx: ReasonContext): Finding | undefined {
  const { connection, azFind, devFind, azureRejectedAuth, deviceSawRejection, deviceRejectedAuth } = ctx;
  const azureMethod = azFind('auth-method-mismatch') ?? azFind('psk-used', (e) => e.direction === 'RECEIVED');
  const devicePskSelf = devFind('psk-used', (e) => e.direction === 'SEND');
  const deviceMethod = devFind('auth-method-mismatch') ?? devFind('psk-missing') ?? devFind('psk-used', (e) => e.direction === 'RECEIVED');
  const certConnection = connection.authenticationType === undefined || /cert/i.test(connection.authenticationType);
  if (azureMethod || (devicePskSelf && certConnection)) {
    return {
      cause: 'psk-one-side',
      headline: 'The device authenticates with a pre-shared key, but the connection uses certificate authentication.',
      confidence: 'high',
      rejectedBy: 'azure',
      evidence: [azureMethod, devicePskSelf, azureRejectedAuth ?? deviceSawRejection].filter((e): e is IkeEvent => !!e),
      actions: [
        `Configure the device for certificate (RSA signature) authentication with its certificate${connection.inboundSubject ? ` (subject ${connection.inboundSubject})` : ''} and remove the pre-shared key from its IKE profile.`,
      ],
    };
  }
  if (deviceMethod && !devicePskSelf) {
    const pskConnection = connection.authenticationType !== undefined && /psk|shared/i.test(connection.authenticationType);
    return {
      cause: 'psk-one-side',
      headline: 'The gateway authenticates with a pre-shared key, but the device expects a certificate.',
      confidence: 'high',
      rejectedBy: 'device',
      evidence: [deviceMethod, deviceRejectedAuth].filter((e): e is IkeEvent => !!e),
      actions: [
        pskConnection
          ? 'Switch the connection to certificate authentication (outbound certificate in Key Vault, inbound subject and chain), or configure the same pre-shared key on the device.'
          : "Make both sides use the same method: the connection's authentication type and the device's IKE profile must both be certificate (or both pre-shared key).",
      ],
    };
  }

  // Both sides use pre-shared keys and they differ: not one of the certificate causes, but known, so say it.
  const pskMismatch = devFind('psk-mismatch') ?? azFind('psk-mismatch');
  if (pskMismatch) {
    return {
      cause: 'unknown',
      headline: 'Both sides authenticate with pre-shared keys, and the keys differ.',
      confidence: 'medium',
      rejectedBy: pskMismatch.source,
      evidence: [pskMismatch, deviceRejectedAuth ?? azureRejectedAuth].filter((e): e is IkeEvent => !!e),
      actions: ['Switch both sides to certificate authentication, or set the same pre-shared key on the device and the connection.'],
    };
  }
  return undefined;
}

/** A certificate outside its validity period, on whichever side checked it. */
function certificateValidity(ctx: ReasonContext): Finding | undefined {
  const { azure, device, now, devFind, deviceSubject, gatewaySubject, azureSawRejection, azureRejectedAuth, deviceSawRejection } = ctx;
  for (const e of [...azure].reverse()) {
    const kind = validityKind(e, now);
    if (!kind) continue;
    const subject = e.subject ?? deviceSubject;
    const date = day(kind === 'certificate-expired' ? e.validTo : e.validFrom);
    return {
      cause: kind,
      headline:
        kind === 'certificate-expired'
          ? `The device's certificate${subject ? ` ${subject}` : ''} has expired${date ? ` (on ${date})` : ''}, so Azure rejects it.`
          : `The device's certificate${subject ? ` ${subject}` : ''} is not valid yet${date ? ` (valid from ${date})` : ''}, so Azure rejects it.`,
      confidence: 'high',
      rejectedBy: 'azure',
      evidence: [e, azureRejectedAuth, deviceSawRejection].filter((x): x is IkeEvent => !!x),
      actions:
        kind === 'certificate-expired'
          ? [`Renew the device certificate${subject ? ` ${subject}` : ''} and install it on the device; the connection's inbound chain only changes if the issuing CA changed.`]
          : [`Check the device's clock and the certificate's start date${date ? ` (${date})` : ''}; reissue it with a start date in the past if needed.`],
    };
  }
  for (const e of [...device].reverse()) {
    const kind = validityKind(e, now);
    if (!kind) continue;
    const subject = e.subject ?? gatewaySubject;
    const date = day(kind === 'certificate-expired' ? e.validTo : e.validFrom);
    return {
      cause: kind,
      headline:
        kind === 'certificate-expired'
          ? `The gateway's outbound certificate${subject ? ` ${subject}` : ''} has expired${date ? ` (on ${date})` : ''}, so the device rejects it.`
          : `The gateway's outbound certificate${subject ? ` ${subject}` : ''} is not valid yet${date ? ` (valid from ${date})` : ''} by the device's clock, so the device rejects it.`,
      confidence: 'high',
      rejectedBy: 'device',
      evidence: [e, devFind('certificate-received'), azureSawRejection].filter((x): x is IkeEvent => !!x),
      actions:
        kind === 'certificate-expired'
          ? ["Rotate the gateway's outbound certificate (the bot's rotate command); if its root changes, add the new root to the device's trusted CAs."]
          : ["Check the device's clock (NTP); if it is right, wait for the certificate's start date or reissue the outbound certificate with a start date in the past."],
    };
  }
  return undefined;
}

/** The certificate is trusted but is not the name the other side expects. */
function identity(ctx: ReasonContext): Finding | undefined {
  const { deviceAll, connection, azFind, devFind, deviceCertSeenByAzure, deviceSubject, gatewaySubject, azureSawRejection, azureRejectedAuth, deviceSawRejection, azureRejects } = ctx;
  const azureIdentity = azFind('identity-mismatch');
  if (azureIdentity) {
    const seen = azureIdentity.peerId ?? deviceSubject;
    const expected = azureIdentity.expectedId ?? connection.inboundSubject;
    return subjectMismatchByAzure(seen, expected, [azureIdentity, azureRejectedAuth, deviceSawRejection], 'high');
  }
  const deviceIdentity = devFind('identity-mismatch');
  if (deviceIdentity) {
    const seen = deviceIdentity.peerId ?? gatewaySubject;
    return {
      cause: 'subject-mismatch',
      headline: `The device expects the gateway to identify as ${deviceIdentity.expectedId ?? 'another name'}, but the gateway's certificate is ${seen ?? 'a different name'}.`,
      confidence: 'high',
      rejectedBy: 'device',
      evidence: [deviceIdentity, devFind('certificate-received'), azureSawRejection].filter((e): e is IkeEvent => !!e),
      actions: [
        `Set the device's expected remote identity to ${seen ?? "the subject of the gateway's outbound certificate"} (it is ${deviceIdentity.expectedId ?? 'something else'} now).`,
      ],
    };
  }
  const deviceNoConfig = devFind('no-peer-config');
  if (deviceNoConfig) {
    return {
      cause: 'subject-mismatch',
      headline: `The device has no connection configured for the identities it was offered (${deviceNoConfig.localId ?? '?'} and ${deviceNoConfig.peerId ?? '?'}), so it refuses the gateway.`,
      confidence: 'medium',
      rejectedBy: 'device',
      evidence: [deviceNoConfig, devFind('certificate-received'), azureSawRejection].filter((e): e is IkeEvent => !!e),
      actions: [
        `On the device, make the connection's local and remote identities match the certificates in use: the gateway presents ${gatewaySubject ?? deviceNoConfig.peerId ?? "its outbound certificate's subject"}.`,
      ],
    };
  }
  if (azureRejects && deviceSubject && connection.inboundSubject && !sameIdentity(deviceSubject, connection.inboundSubject)) {
    return subjectMismatchByAzure(deviceSubject, connection.inboundSubject, [deviceCertSeenByAzure, last(deviceAll, (e) => e.kind === 'certificate-sent'), azureRejectedAuth, deviceSawRejection], 'high');
  }
  return undefined;
}

/** The side that rejects the chain says so; or the chain Azure holds lacks the issuer it saw. */
function trust(ctx: ReasonContext): Finding | undefined {
  const { azure, connection, azFind, devFind, deviceOwnCert, deviceCertSeenByAzure, deviceSubject, gatewaySubject, azureSawRejection, azureRejectedAuth, deviceSawRejection, deviceRejectedAuth, closing, azureRejects } = ctx;
  const azureUntrusted = azFind('certificate-untrusted');
  if (azureUntrusted) {
    const subject = azureUntrusted.subject ?? deviceSubject;
    const issuer = azureUntrusted.issuer ?? deviceCertSeenByAzure?.issuer;
    return inboundUntrusted(subject, issuer, [azureUntrusted, deviceCertSeenByAzure, azureRejectedAuth, deviceSawRejection], 'high');
  }
  if (azureRejects && deviceCertSeenByAzure?.issuer && connection.inboundChainSubjects && connection.inboundChainSubjects.length > 0 && !connection.inboundChainSubjects.some((s) => sameIdentity(s, deviceCertSeenByAzure.issuer))) {
    return inboundUntrusted(deviceCertSeenByAzure.subject, deviceCertSeenByAzure.issuer, [deviceCertSeenByAzure, azureRejectedAuth, deviceSawRejection], 'high');
  }
  const deviceUntrusted = devFind('certificate-untrusted', (e) => !deviceOwnCert || !sameIdentity(e.subject, deviceOwnCert));
  if (deviceUntrusted) {
    const issuerEvent = devFind('certificate-untrusted', (e) => !!e.issuer);
    const issuer = issuerEvent?.issuer;
    const subject = deviceUntrusted.subject ?? gatewaySubject;
    return {
      cause: 'outbound-rejected-by-device',
      headline: `The device does not trust the gateway's certificate${subject ? ` ${subject}` : ''}${issuer ? `: its issuer ${issuer} is not among the device's trusted CAs` : ''}.`,
      confidence: 'high',
      rejectedBy: 'device',
      evidence: [issuerEvent, deviceUntrusted, devFind('certificate-received'), azureSawRejection].filter((e): e is IkeEvent => !!e),
      actions: [
        `Install the root CA${issuer ? ` ${issuer}` : ''} that issued the gateway's outbound certificate${subject ? ` (${subject})` : ''} on the device as a trusted CA, with any intermediate CA.`,
      ],
    };
  }
  const weakKey = devFind('key-too-weak');
  if (weakKey) {
    const subject = weakKey.subject ?? gatewaySubject;
    const key = weakKey.keyType && weakKey.keyBits ? `${weakKey.keyType}-${weakKey.keyBits}` : 'its';
    return {
      cause: 'outbound-rejected-by-device',
      headline: `The device refuses the gateway's certificate${subject ? ` ${subject}` : ''}: ${key} key is weaker than the device accepts.`,
      confidence: 'high',
      rejectedBy: 'device',
      evidence: [weakKey, devFind('certificate-received'), azureSawRejection].filter((e): e is IkeEvent => !!e),
      actions: [
        "Give the connection an outbound certificate with an RSA key of at least 2048 bits (Azure requires 2048 too) from a CA the device trusts; do not lower the device's key-size requirement.",
      ],
    };
  }
  const deviceRefused = azureSawRejection ?? deviceRejectedAuth;
  if (deviceRefused && !azureRejectedAuth) {
    return {
      cause: 'outbound-rejected-by-device',
      headline: `The device rejected the gateway's authentication (it sent AUTHENTICATION_FAILED)${gatewaySubject ? ` for the certificate ${gatewaySubject}` : ''}; Azure's log cannot say why.`,
      confidence: 'medium',
      rejectedBy: 'device',
      evidence: [deviceRefused, ...closing(azure)],
      actions: [
        "Check on the device that the root CA of the gateway's outbound certificate is trusted, that the expected remote identity is the certificate's subject, and that the certificate is in its validity period.",
        "Paste the device's IKE log into diagnose: the side that rejects a certificate logs the reason.",
      ],
    };
  }
  return undefined;
}

/** No shared IKE or IPsec proposal. */
function proposals(ctx: ReasonContext): Finding | undefined {
  const { azure, device, deviceAll, connection, azFind, devFind } = ctx;
  const azurePolicy = azFind('policy-mismatch') ?? azFind('invalid-ke');
  const devicePolicy = devFind('policy-mismatch') ?? devFind('invalid-ke');
  if (azurePolicy || devicePolicy) {
    const azureOffers =
      last(azure, (e) => e.kind === 'proposals-offered' && e.phase !== 'ipsec')?.proposals ??
      last(deviceAll, (e) => e.kind === 'proposals-received')?.proposals ??
      (connection.ikePolicies && connection.ikePolicies.length > 0 ? connection.ikePolicies : undefined);
    const deviceOffers = last(deviceAll, (e) => e.kind === 'proposals-offered')?.proposals ?? last(azure, (e) => e.kind === 'proposals-received')?.proposals;
    const ipsec = (azurePolicy?.tags.includes('QUICK_MODE') ?? false) || last(azure, (e) => e.kind === 'proposals-received')?.phase === 'ipsec';
    return proposalMismatch(azureOffers, deviceOffers, ipsec, [azurePolicy, devicePolicy, last(azure, (e) => e.kind === 'proposals-offered' || e.kind === 'proposals-received'), last(device, (e) => e.kind === 'proposals-received' || e.kind === 'proposals-offered')]);
  }
  return undefined;
}

/** Traffic selectors refused, or traffic dropped for not matching them. */
function trafficSelectors(ctx: ReasonContext): Finding | undefined {
  const { azure, connection, tsDrops, azFind, devFind } = ctx;
  const azureTs = azFind('ts-unacceptable');
  const deviceTs = devFind('ts-unacceptable', (e) => !!e.tsi) ?? devFind('ts-unacceptable');
  const tsRequest = last(azure, (e) => e.kind === 'traffic-selectors' && e.direction !== 'SEND' && !!e.tsi);
  const tsThenTimeout = tsRequest && azFind('negotiation-timeout', (e) => !e.sessionId || e.sessionId === tsRequest.sessionId);
  if (azureTs || deviceTs || tsThenTimeout || tsDrops > 0) {
    const withSelectors = [tsRequest, azureTs, deviceTs].find((e) => e?.tsi && e.tsi.length > 0);
    return tsMismatch(withSelectors, azureTs ?? deviceTs, [azureTs, tsRequest, deviceTs, tsThenTimeout].filter((e): e is IkeEvent => !!e), connection, tsDrops);
  }
  return undefined;
}

/** Nobody answers. */
function peerSilent(ctx: ReasonContext): Finding | undefined {
  const { azure, device, azFind, devFind, remoteIp } = ctx;
  const azureTimeout = azFind('negotiation-timeout') ?? azFind('peer-not-responding') ?? azFind('dpd-timeout');
  const azureHeardPeer = azure.some((e) => e.direction === 'RECEIVED');
  const deviceTimeout = devFind('peer-not-responding') ?? devFind('dpd-timeout');
  if ((azureTimeout && !azureHeardPeer) || deviceTimeout) {
    const retransmits = azure.filter((e) => e.kind === 'retransmit').length;
    const deviceRetransmits = device.filter((e) => e.kind === 'retransmit').length;
    const fromAzure = azureTimeout && !azureHeardPeer;
    return {
      cause: 'peer-not-responding',
      headline: fromAzure
        ? `The device${remoteIp ? ` at ${remoteIp}` : ''} does not answer IKE: Azure sent IKE_SA_INIT${retransmits > 0 ? `, retransmitted ${retransmits} times` : ''} and gave up.`
        : `The device gets no answer from the gateway${deviceTimeout?.remoteIp ? ` at ${deviceTimeout.remoteIp}` : ''}: it retransmitted${deviceRetransmits > 0 ? ` ${deviceRetransmits} times` : ''} and gave up.`,
      confidence: fromAzure && deviceTimeout ? 'high' : 'medium',
      evidence: [azureTimeout, last(azure, (e) => e.kind === 'retransmit'), deviceTimeout, last(device, (e) => e.kind === 'retransmit')].filter((e): e is IkeEvent => !!e),
      actions: [
        `Check that the device${remoteIp ? ` at ${remoteIp}` : ''} is up and that UDP 500 and 4500 between it and the gateway's public IPs pass every firewall and NAT on the way.`,
        "Check that the local network gateway's IP address is the device's current public IP.",
      ],
    };
  }
  return undefined;
}

/** Azure refused the device's authentication but its log does not say why: say so, without guessing. */
function unexplainedRejection(ctx: ReasonContext): Finding | undefined {
  const { azure, deviceAll, connection, deviceCertSeenByAzure, closing, azureRejects } = ctx;
  if (azureRejects) {
    const code = azureRejects.errorCode ?? last(azure, (e) => e.errorCode !== undefined)?.errorCode;
    const known = windowsIkeError(code);
    return {
      cause: 'unknown',
      headline: `Azure rejected the device's authentication${known ? ` (${known.message})` : ''}, but its log does not say which certificate rule failed.`,
      confidence: 'low',
      rejectedBy: 'azure',
      evidence: [azureRejects, deviceCertSeenByAzure, last(deviceAll, (e) => e.kind === 'certificate-sent'), ...closing(azure)].filter((e): e is IkeEvent => !!e),
      actions: [
        `Check the device's certificate against the connection: its root (and intermediates) in the inbound chain, its subject equal to the inbound subject${connection.inboundSubject ? ` (${connection.inboundSubject})` : ''}, and its validity dates.`,
        "Paste the device's IKE log into diagnose to see both sides.",
      ],
    };
  }
  return undefined;
}

/**
 * The reason rules, in priority order: the first that names a finding decides. A specific reason from either log
 * comes before what only the configuration suggests, and nothing is guessed when no rule applies.
 */
const REASON_RULES: readonly ((ctx: ReasonContext) => Finding | undefined)[] = [outboundUnusable, authenticationMethod, certificateValidity, identity, trust, proposals, trafficSelectors, peerSilent, unexplainedRejection];

function reasonFinding(azure: IkeEvent[], device: IkeEvent[], deviceAll: IkeEvent[], connection: NonNullable<DiagnoseInput['connection']>, now: number | undefined, tsDrops: number): Finding | undefined {
  const ctx = reasonContext(azure, device, deviceAll, connection, now, tsDrops);
  for (const rule of REASON_RULES) {
    const finding = rule(ctx);
    if (finding) return finding;
  }
  return undefined;
}

function subjectMismatchByAzure(seen: string | undefined, expected: string | undefined, evidence: (IkeEvent | undefined)[], confidence: DiagnosisConfidence): Finding {
  return {
    ...(seen && seen.length <= 256 ? { remedy: { kind: 'set-inbound-subject' as const, subject: seen } } : {}),
    cause: 'subject-mismatch',
    headline: `The device's certificate subject ${seen ?? '(not logged)'} is not the inbound subject the connection expects${expected ? ` (${expected})` : ''}.`,
    confidence,
    rejectedBy: 'azure',
    evidence: evidence.filter((e): e is IkeEvent => !!e),
    actions: [
      seen
        ? `Set the connection's inbound certificate subject name to ${seen}${expected ? ` (it is ${expected} now)` : ''}, or install a device certificate whose subject is ${expected ?? 'the configured name'}.`
        : "Make the connection's inbound certificate subject name equal to the subject of the device's certificate.",
    ],
  };
}

function inboundUntrusted(subject: string | undefined, issuer: string | undefined, evidence: (IkeEvent | undefined)[], confidence: DiagnosisConfidence): Finding {
  return {
    remedy: { kind: 'update-inbound-chain', ...(issuer ? { issuer } : {}) },
    cause: 'inbound-untrusted',
    headline: `Azure does not trust the device's certificate${subject ? ` ${subject}` : ''}: ${issuer ? `its issuer ${issuer} does not chain` : 'it does not chain'} to a root in the connection's inbound certificate chain.`,
    confidence,
    rejectedBy: 'azure',
    evidence: evidence.filter((e): e is IkeEvent => !!e),
    actions: [
      `Add the CA that issued ${subject ?? "the device's certificate"}${issuer ? ` (${issuer})` : ''}, and the root above it if it is an intermediate, to the connection's inbound certificate chain (root first, then intermediates; at most 5 certificates).`,
    ],
  };
}

function proposalMismatch(azureOffers: IkeProposal[] | undefined, deviceOffers: IkeProposal[] | undefined, ipsec: boolean, evidence: (IkeEvent | undefined)[]): Finding {
  const azureList = azureOffers && azureOffers.length > 0 ? azureOffers : undefined;
  const deviceList = deviceOffers && deviceOffers.length > 0 ? deviceOffers : undefined;
  const phaseName = ipsec ? 'IPsec (phase 2)' : 'IKE (phase 1)';
  const shared = azureList && deviceList ? commonProposals(azureList, deviceList) : [];
  const headline =
    azureList && deviceList && shared.length === 0
      ? `The device and Azure share no ${phaseName} proposal: Azure offers ${list(azureList.map(formatIkeProposal), 3)}; the device accepts ${list(deviceList.map(formatIkeProposal), 3)}.`
      : shared.length > 0
        ? `The ${phaseName} proposals were refused, although both sides list ${list(shared.map(formatIkeProposal), 3)}.`
        : `The ${phaseName} proposals do not match: the two sides found no common encryption, integrity and DH group.`;
  // Only an IKE (phase 1) mismatch is pinned by the button: the policy's IPsec half follows the IKE proposal's strength.
  const pin = !ipsec && deviceList ? proposalToPin(deviceList) : undefined;
  return {
    cause: 'proposal-mismatch',
    headline,
    confidence: azureList || deviceList ? 'high' : 'medium',
    evidence: evidence.filter((e): e is IkeEvent => !!e),
    actions: proposalActions(azureList, deviceList, shared, ipsec ? 'ipsec' : 'ike'),
    ...(pin ? { remedy: { kind: 'pin-ipsec-policy' as const, proposal: normalizeIkeProposal(pin) } } : {}),
  };
}

/**
 * What to change for a proposal mismatch. The fix is never "match the weaker side": recommend only strong proposals
 * (see proposal-strength.ts), pinned on the connection with a custom IPsec/IKE policy, because Azure's default policy
 * offers only DH group 2 proposals when it initiates, whatever it would accept as responder.
 */
function proposalActions(azureList: IkeProposal[] | undefined, deviceList: IkeProposal[] | undefined, shared: IkeProposal[], phase: ProposalPhase): string[] {
  const kind = phase === 'ipsec' ? 'IPsec' : 'IKE';
  const azureStrong = (azureList ?? []).filter((p) => isStrongProposal(p, phase));
  const deviceStrong = strongestFirst((deviceList ?? []).filter((p) => isStrongProposal(p, phase) && azurePolicyCanPin(p, phase)));
  const actions: string[] = [];
  if (azureStrong.length > 0) {
    const [first, ...rest] = azureStrong.map(formatIkeProposal);
    actions.push(`Set the device's ${kind} proposal to ${first}${rest.length > 0 ? ` (or ${list(rest, 3)})` : ''}, which the connection's IPsec/IKE policy offers.`);
  }
  if (deviceStrong.length > 0) {
    const p = deviceStrong[0]!;
    actions.push(
      `${azureStrong.length > 0 ? 'Or pin' : 'Pin'} the device's proposal ${formatIkeProposal(p)} on the connection with a custom IPsec/IKE policy: ${customPolicyText(p, phase)}${phase === 'ike' ? ' (give the device the same ESP proposal)' : ''}. Azure then offers exactly that.`,
    );
  }
  if (azureStrong.length === 0 && deviceStrong.length === 0) {
    actions.push(`Configure one strong ${kind} proposal on the device and pin the same on the connection with a custom IPsec/IKE policy: ${STRONG_PROPOSAL_ADVICE[phase]}.`);
  }
  const weakShared = shared.filter((p) => !isStrongProposal(p, phase));
  if (weakShared.length > 0 && weakShared.length === shared.length) {
    actions.push(`The only ${kind} proposals both sides have in common (${list(weakShared.map(formatIkeProposal), 3)}) use ${weaknessSummary(weakShared, phase)}, which are weak: do not settle on them.`);
  } else if (azureList && azureStrong.length === 0) {
    actions.push(`Do not add Azure's proposals to the device to make them match: they use ${weaknessSummary(azureList, phase)}, which are weak.`);
  }
  if (deviceList && deviceList.every((p) => !isStrongProposal(p, phase))) {
    actions.push(`The device offers only weak ${kind} proposals (${list(deviceList.map(formatIkeProposal), 3)}, with ${weaknessSummary(deviceList, phase)}): replace them on the device rather than allowing them on the connection.`);
  }
  return actions;
}

function tsMismatch(withSelectors: IkeEvent | undefined, refusal: IkeEvent | undefined, evidence: IkeEvent[], connection: NonNullable<DiagnoseInput['connection']>, tsDrops: number): Finding {
  const ranges = (prefixes: string[] | undefined): TrafficSelectorRange[] => (prefixes ?? []).map((p) => cidrToRange(p)).filter((r): r is TrafficSelectorRange => !!r);
  const lng = ranges(connection.localNetworkPrefixes);
  const vnet = ranges(connection.vnetPrefixes);
  // TSi is the initiator's side: the device's when Azure received the request or the device log says it initiated.
  const deviceInitiated = withSelectors?.source === 'azure' || withSelectors?.role !== 'responder';
  const onPrem = deviceInitiated ? withSelectors?.tsi : withSelectors?.tsr;
  const azureSide = deviceInitiated ? withSelectors?.tsr : withSelectors?.tsi;
  const outsideOf = (side: TrafficSelectorRange[] | undefined, space: TrafficSelectorRange[]): TrafficSelectorRange[] =>
    side && space.length > 0 ? side.filter((r) => !space.some((p) => rangeWithin(r, p))) : [];
  const onPremOutside = outsideOf(onPrem, lng);
  const azureOutside = outsideOf(azureSide, vnet);
  // Who refused: a LOCAL/SEND refusal is the logging side's own, a RECEIVED one the other side's.
  const rejectedBy: 'azure' | 'device' | undefined = refusal ? ((refusal.direction === 'RECEIVED') === (refusal.source === 'azure') ? 'device' : 'azure') : undefined;
  const why =
    azureOutside.length > 0
      ? `, but ${list(azureOutside.map(formatSelector), 3)} is not in the virtual network's address space (${list(connection.vnetPrefixes ?? [], 4)})`
      : onPremOutside.length > 0
        ? `, but ${list(onPremOutside.map(formatSelector), 3)} is not in the local network gateway's address space (${list(connection.localNetworkPrefixes ?? [], 4)})`
        : rejectedBy
          ? `, which ${rejectedBy === 'azure' ? 'Azure' : 'the device'} does not accept`
          : '';
  const headline = withSelectors
    ? `The traffic selectors do not match: the tunnel is negotiated for on-premises ${selectorsText(onPrem)} to Azure ${selectorsText(azureSide)}${why}.`
    : tsDrops > 0
      ? `The traffic selectors do not match: the gateway dropped ${tsDrops} packets for traffic-selector mismatch.`
      : rejectedBy
        ? `The traffic selectors do not match: ${rejectedBy === 'azure' ? 'Azure' : 'the device'} refused the other side's with TS_UNACCEPTABLE.`
        : 'The traffic selectors do not match.';
  const extra: DiagnosisEvidence[] = tsDrops > 0 ? [{ source: 'azure', text: `TunnelIngress/EgressPacketDropTSMismatch: ${tsDrops} packets` }] : [];
  const finding: Finding = {
    cause: 'traffic-selector-mismatch',
    headline,
    confidence: evidence.length > 0 ? 'high' : 'medium',
    evidence,
    extraEvidence: extra,
    actions: [
      `Make the device's local selectors the local network gateway's address space${connection.localNetworkPrefixes?.length ? ` (${list(connection.localNetworkPrefixes, 6)})` : ''} and its remote selectors the virtual network's prefixes${connection.vnetPrefixes?.length ? ` (${list(connection.vnetPrefixes, 6)})` : ''}, or change the local network gateway's prefixes to what the device protects.`,
      'For a policy-based device, enable policy-based traffic selectors on the connection, or configure the device for route-based (any-to-any) selectors.',
    ],
  };
  if (rejectedBy) finding.rejectedBy = rejectedBy;
  return finding;
}

function present(f: Finding): Diagnosis {
  const seen = new Set<string>();
  const evidence: DiagnosisEvidence[] = [];
  for (const e of [...f.evidence.map(evidenceOf), ...(f.extraEvidence ?? [])]) {
    const key = `${e.source}|${e.time ?? ''}|${e.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    evidence.push(e);
    if (evidence.length >= MAX_EVIDENCE) break;
  }
  const diagnosis: Diagnosis = {
    cause: f.cause,
    headline: clip(f.headline, MAX_HEADLINE),
    confidence: f.confidence,
    evidence,
    actions: f.actions.slice(0, MAX_ACTIONS).map((a) => clip(a, MAX_ACTION_TEXT)),
  };
  if (f.rejectedBy) diagnosis.rejectedBy = f.rejectedBy;
  if (f.remedy) diagnosis.remedy = f.remedy;
  return diagnosis;
}

function unknownDiagnosis(azureAll: IkeEvent[], deviceAll: IkeEvent[], tunnels: TunnelEvent[], azureFocus: IkeEvent[], deviceLogUsed: boolean): Diagnosis {
  const nothing = azureAll.length === 0 && deviceAll.length === 0 && tunnels.length === 0;
  const actions = nothing
    ? [
        "Send the gateway's IKEDiagnosticLog and TunnelDiagnosticLog to a Log Analytics workspace (diagnostic setting) and try again after the next connection attempt.",
        "Paste the device's IKE log into diagnose.",
      ]
    : [
        deviceLogUsed ? 'Reset the connection and diagnose again right after the next attempt, so the logs show the failure.' : "Paste the device's IKE log into diagnose: the side that rejects the other logs the reason.",
        'Check that the device and the connection agree on IKEv2, certificate authentication, proposals and traffic selectors.',
      ];
  return {
    cause: 'unknown',
    headline: nothing
      ? 'There are no IKE or tunnel logs for this connection in the period, so the cause cannot be told.'
      : azureFocus.length === 0 && !deviceAll.some(isFailure)
        ? 'The logs show no failed IKE negotiation, but the tunnel is not connected.'
        : 'The logs show failed IKE negotiations, but none of the known causes.',
    confidence: 'low',
    evidence: [],
    actions,
    latestEvents: latestEvents(azureAll, deviceAll, tunnels),
  };
}
