import type { IkeEvent, IkeEventKind, TrafficSelectorRange } from './ike-event';
import { parseCharonProposals } from './ike-proposal';
import { MAX_SCANNED_LINE, sanitizeLogText } from './sanitize-log-text';
import { parseCharonTrafficSelectors } from './traffic-selectors';

export interface CharonParseOptions {
  /** Year of timestamps written without one (`Nov 23 12:00:01`, charon's and syslog's default). */
  year?: number;
  /**
   * The device clock's offset from UTC in minutes. Timestamps without a zone get an absolute time (`at`) only when
   * this is given (and, for timestamps without a year, `year` too); otherwise they keep just the text (`stamp`).
   */
  utcOffsetMinutes?: number;
  /** The most events returned; the latest are kept. Default 2000. */
  maxEvents?: number;
}

export const DEFAULT_MAX_CHARON_EVENTS = 2000;

// charon's log groups (src/libstrongswan/utils/debug.h), as in `08[IKE]`; swanctl --log prints them without a thread.
const GROUPS = new Set(['DMN', 'MGR', 'IKE', 'CHD', 'JOB', 'CFG', 'KNL', 'NET', 'ASN', 'ENC', 'TNC', 'IMC', 'IMV', 'PTS', 'TLS', 'APP', 'ESP', 'LIB']);
/** How far into a line the marker may start (timestamp, host and program name come first). */
const MARKER_REACH = 200;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * Finds `NN[GRP] ` (thread optional) preceded by the line start, a space or a colon. A hand-written scan: a regex
 * with this alternation, retried at every position, was the slowest part of the parse.
 */
function findMarker(line: string): { start: number; end: number } | undefined {
  let open = line.indexOf('[');
  while (open >= 0 && open < MARKER_REACH) {
    if (line.charCodeAt(open + 4) === 93 && GROUPS.has(line.slice(open + 1, open + 4))) {
      let start = open;
      while (start > 0 && open - start < 3 && isDigit(line.charCodeAt(start - 1))) start--;
      const before = start === 0 ? 32 : line.charCodeAt(start - 1);
      if (before === 32 || before === 58 || before === 9) {
        const end = line.charCodeAt(open + 5) === 32 ? open + 6 : open + 5;
        return { start, end };
      }
    }
    open = line.indexOf('[', open + 1);
  }
  return undefined;
}
const SA_NAME = /^<(?:([^|<>]{1,64})\|)?(\d{1,10})>\s?/;
const ISO_STAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s?(Z|[+-]\d{2}:?\d{2})?/;
const SYSLOG_STAMP = /^([A-Z][a-z]{2})\s{1,2}(\d{1,2})\s(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?/;
const SYSLOG_HEADER = /^\S+\s+[\w./-]{1,64}(?:\[\d{1,10}\])?:\s+/;
// Hoisted: a regex literal inside a function is a new object on every call.
const RECEIVED_NOTIFY = /^received ([A-Z0-9_]{3,40}) (?:error )?notify/;
const MESSAGE_SUMMARY = /^(generating|parsed) ([A-Z_]{3,24}) (request|response) \d{1,10} \[ ?(.{0,600}?) ?\]$/;
const NOTIFY_IN_SUMMARY = /N\(([A-Z_]{2,24})\)/g;
const NO_PROPOSAL = /^no (?:acceptable|matching) (?:[A-Z]{2,3} )?proposal found/;
const RETRANSMIT = /^retransmit (\d{1,4}) of (?:request|response)/;
const VALIDITY = /^(subject|issuer|peer) certificate invalid \(valid from (.{8,40}) to (.{8,40})\)$/;
const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
// strongSwan's %T: `Oct 19 17:55:39 2025`.
const CHARON_TIME = /([A-Z][a-z]{2})\s{1,2}(\d{1,2})\s(\d{2}):(\d{2}):(\d{2})\s(\d{4})/;

interface SaState {
  role?: 'initiator' | 'responder';
  lookupLocal?: string;
  lookupPeer?: string;
  authenticatedPeer?: string;
  usingCertificate?: string;
  trustedCa?: string;
  untrusted?: IkeEvent;
}

function utcMillis(year: number, month: number, day: number, h: number, m: number, s: number, ms: number, offsetMinutes: number): number {
  return Date.UTC(year, month, day, h, m, s, ms) - offsetMinutes * 60_000;
}

function offsetFromZone(zone: string): number {
  if (zone === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!m) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

/** The timestamp at the start of `prefix`: its text, and the absolute time when it can be known without guessing. */
function readStamp(prefix: string, options: CharonParseOptions): { stamp?: string; at?: string } {
  const iso = ISO_STAMP.exec(prefix);
  if (iso) {
    const zone = iso[8];
    const offset = zone !== undefined ? offsetFromZone(zone) : options.utcOffsetMinutes;
    const stamp = iso[0].trim();
    if (offset === undefined) return { stamp };
    const ms = iso[7] ? Number(iso[7].slice(0, 3).padEnd(3, '0')) : 0;
    const t = utcMillis(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]), Number(iso[4]), Number(iso[5]), Number(iso[6]), ms, offset);
    return Number.isFinite(t) ? { stamp, at: new Date(t).toISOString() } : { stamp };
  }
  const sys = SYSLOG_STAMP.exec(prefix);
  if (sys) {
    const stamp = sys[0];
    const month = MONTHS[sys[1]!];
    if (month === undefined) return {};
    if (options.year === undefined || options.utcOffsetMinutes === undefined) return { stamp };
    const ms = sys[6] ? Number(sys[6].slice(0, 3).padEnd(3, '0')) : 0;
    const t = utcMillis(options.year, month, Number(sys[2]), Number(sys[3]), Number(sys[4]), Number(sys[5]), ms, options.utcOffsetMinutes);
    return Number.isFinite(t) ? { stamp, at: new Date(t).toISOString() } : { stamp };
  }
  return {};
}

/** strongSwan's `%T` (device-local time) as ISO, shifted by the known offset or read as UTC: day-accurate either way. */
function charonTime(text: string, options: CharonParseOptions): string | undefined {
  const m = CHARON_TIME.exec(text);
  if (!m) return undefined;
  const month = MONTHS[m[1]!];
  if (month === undefined) return undefined;
  const t = utcMillis(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), 0, options.utcOffsetMinutes ?? 0);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

const between = (text: string, open: string, close: string, from = 0): string | undefined => {
  const start = text.indexOf(open, from);
  if (start < 0) return undefined;
  const end = text.indexOf(close, start + open.length);
  if (end < 0 || end - start > 400) return undefined;
  return text.slice(start + open.length, end);
};
const dq = (text: string): string | undefined => {
  const v = between(text, '"', '"');
  return v === undefined ? undefined : sanitizeLogText(v, 300);
};
const sq = (text: string, from = 0): string | undefined => {
  const v = between(text, "'", "'", from);
  return v === undefined ? undefined : sanitizeLogText(v, 300);
};

const NOTIFY_KINDS: Record<string, IkeEventKind> = {
  AUTHENTICATION_FAILED: 'auth-failed-notify-received',
  NO_PROPOSAL_CHOSEN: 'policy-mismatch',
  TS_UNACCEPTABLE: 'ts-unacceptable',
  INVALID_KE_PAYLOAD: 'invalid-ke',
  INVALID_SYNTAX: 'invalid-payload',
  INVALID_MAJOR_VERSION: 'unsupported-ike-version',
};

// Short notify names charon prints in message summaries (`[ N(AUTH_FAILED) ]`) and what sending or receiving one means.
const SUMMARY_NOTIFY_KINDS: Record<string, { sent: IkeEventKind; received: IkeEventKind; notify: string }> = {
  AUTH_FAILED: { sent: 'auth-failed-notify-sent', received: 'auth-failed-notify-received', notify: 'AUTHENTICATION_FAILED' },
  NO_PROP: { sent: 'policy-mismatch', received: 'policy-mismatch', notify: 'NO_PROPOSAL_CHOSEN' },
  TS_UNACCEPT: { sent: 'ts-unacceptable', received: 'ts-unacceptable', notify: 'TS_UNACCEPTABLE' },
  INVAL_KE: { sent: 'invalid-ke', received: 'invalid-ke', notify: 'INVALID_KE_PAYLOAD' },
  INVAL_SYN: { sent: 'invalid-payload', received: 'invalid-payload', notify: 'INVALID_SYNTAX' },
};

/** charon's auth_cfg: `RSA-1024 signatures not acceptable`. */
const WEAK_SIGNATURE_KEY = /^(RSA|ECDSA|ED25519|ED448)-(\d{1,5}) signatures not acceptable$/;

function assignSelectors(event: IkeEvent, state: SaState, local: TrafficSelectorRange[], remote: TrafficSelectorRange[]): void {
  // TSi/TSr name the initiator's and responder's side; charon prints the logging side first.
  if (state.role === 'responder') {
    event.tsi = remote;
    event.tsr = local;
  } else {
    event.tsi = local;
    event.tsr = remote;
  }
  if (state.role) event.role = state.role;
}

/** Classifies one charon message (the text after `NN[GRP] <conn|id> `). Returns false when the line adds nothing. */
function classify(event: IkeEvent, t: string, state: SaState, options: CharonParseOptions): boolean {
  const set = (kind: IkeEventKind, direction?: IkeEvent['direction']): true => {
    event.kind = kind;
    if (direction) event.direction = direction;
    return true;
  };

  if (t.startsWith('received ') && t.includes(' notify')) {
    const m = RECEIVED_NOTIFY.exec(t);
    if (m) {
      event.notify = m[1]!;
      event.tags.push('NOTIFY');
      return set(NOTIFY_KINDS[m[1]!] ?? 'exchange', 'RECEIVED');
    }
  }
  if (t.startsWith('generating ') || t.startsWith('parsed ')) {
    const m = MESSAGE_SUMMARY.exec(t);
    if (m) {
      const sending = m[1] === 'generating';
      event.tags.push(m[2]!);
      const notifies = m[4]!.includes('N(') ? (m[4]!.match(NOTIFY_IN_SUMMARY) ?? []) : [];
      if (notifies.length > 0) event.tags.push('NOTIFY');
      // charon logs "received X notify error" for most notifies, but not for an AUTH_FAILED that arrives in an
      // INFORMATIONAL after the IKE_SA was established: the message summary is the only trace of it.
      for (const n of notifies) {
        const known = SUMMARY_NOTIFY_KINDS[n.slice(2, -1)];
        if (known) {
          event.notify = known.notify;
          return set(sending ? known.sent : known.received, sending ? 'SEND' : 'RECEIVED');
        }
      }
      return set('exchange', sending ? 'SEND' : 'RECEIVED');
    }
  }
  if (t.startsWith('received proposals: ') || t.startsWith('configured proposals: ') || t.startsWith('selected proposal: ')) {
    const colon = t.indexOf(': ');
    const { phase, proposals } = parseCharonProposals(t.slice(colon + 2));
    event.proposals = proposals;
    event.phase = phase;
    if (t.startsWith('received')) return set('proposals-received', 'RECEIVED');
    if (t.startsWith('configured')) return set('proposals-offered', 'LOCAL');
    return set('proposal-selected', 'LOCAL');
  }
  if (t === 'received proposals unacceptable' || (t.startsWith('no ') && NO_PROPOSAL.test(t)) || t === 'no proposal found') {
    event.notify = 'NO_PROPOSAL_CHOSEN';
    return set('policy-mismatch', 'LOCAL');
  }
  if (t.startsWith('traffic selectors ') && t.endsWith(' unacceptable')) {
    const ts = parseCharonTrafficSelectors(t);
    if (ts) assignSelectors(event, state, ts.local, ts.remote);
    return set('ts-unacceptable', 'LOCAL');
  }
  if (t.startsWith('no acceptable traffic selectors found')) return set('ts-unacceptable', 'LOCAL');
  if (t.startsWith('CHILD_SA ') && t.includes(' established')) {
    event.sa = 'child';
    const ts = parseCharonTrafficSelectors(t);
    if (ts) assignSelectors(event, state, ts.local, ts.remote);
    return set('sa-established');
  }
  if (t.startsWith('IKE_SA ') && t.includes(' established between ')) {
    event.sa = 'ike';
    const m = /established between ([^[\s]{1,60})\[([^\]]{0,300})\]\.\.\.([^[\s]{1,60})\[([^\]]{0,300})\]/.exec(t);
    if (m) {
      event.localIp = m[1]!;
      event.localId = sanitizeLogText(m[2]!, 300);
      event.remoteIp = m[3]!;
      event.peerId = sanitizeLogText(m[4]!, 300);
    }
    return set('sa-established');
  }
  if (t.startsWith('initiating IKE_SA ')) {
    state.role = 'initiator';
    event.role = 'initiator';
    event.tags.push('IKE_SA_INIT');
    const m = / to ([0-9A-Fa-f.:]{2,45})$/.exec(t);
    if (m) event.remoteIp = m[1]!;
    return set('exchange', 'SEND');
  }
  if (t.endsWith(' is initiating an IKE_SA')) {
    state.role = 'responder';
    event.role = 'responder';
    event.tags.push('IKE_SA_INIT');
    const ip = t.slice(0, t.indexOf(' '));
    if (/^[0-9A-Fa-f.:]{2,45}$/.test(ip)) event.remoteIp = ip;
    return set('exchange', 'RECEIVED');
  }
  if (t.startsWith('retransmit ')) {
    const m = RETRANSMIT.exec(t);
    if (m) {
      event.attempt = Number(m[1]);
      return set('retransmit', 'SEND');
    }
  }
  if (t.startsWith('giving up after ') || t.includes('peer not responding')) return set('peer-not-responding', 'LOCAL');
  if (t.includes('DPD') && /timed out|timeout/.test(t)) return set('dpd-timeout', 'LOCAL');
  if (t.startsWith('received end entity cert ') || t.startsWith('sending end entity cert ')) {
    const subject = dq(t);
    if (subject) event.subject = subject;
    if (t.startsWith('received')) {
      return set('certificate-received', 'RECEIVED');
    }
    return set('certificate-sent', 'SEND');
  }
  if (t.startsWith('using certificate ')) {
    state.usingCertificate = dq(t);
    return false;
  }
  if (t.startsWith('using trusted ') || t.startsWith('reached self-signed root ca')) {
    const ca = dq(t);
    if (ca) {
      state.trustedCa = ca;
      event.issuer = ca;
    }
    if (state.usingCertificate) event.subject = state.usingCertificate;
    return set('certificate-trusted', 'LOCAL');
  }
  if (t.startsWith('no issuer certificate found for ') || (t.startsWith('self-signed certificate ') && t.endsWith(' is not trusted'))) {
    const subject = dq(t);
    if (subject) event.subject = subject;
    state.untrusted = event;
    return set('certificate-untrusted', 'LOCAL');
  }
  if (t.startsWith('issuer is ')) {
    // The continuation of "no issuer certificate found": it names the CA the other side would have to trust.
    const issuer = dq(t);
    if (issuer) {
      event.issuer = issuer;
      if (state.untrusted && !state.untrusted.issuer) state.untrusted.issuer = issuer;
    }
    if (state.untrusted?.subject) event.subject = state.untrusted.subject;
    return set('certificate-untrusted', 'LOCAL');
  }
  if (t.startsWith('no trusted ') && t.includes(' public key found for ')) {
    const subject = sq(t);
    if (subject) event.subject = subject;
    return set('certificate-untrusted', 'LOCAL');
  }
  if (t.startsWith('certificate was revoked on ')) {
    if (state.usingCertificate) event.subject = state.usingCertificate;
    return set('certificate-untrusted', 'LOCAL');
  }
  const validity = t.includes(' certificate invalid (valid from ') ? VALIDITY.exec(t) : null;
  if (validity) {
    const from = charonTime(validity[2]!, options);
    const to = charonTime(validity[3]!, options);
    if (from) event.validFrom = from;
    if (to) event.validTo = to;
    const subject = validity[1] === 'issuer' ? state.trustedCa : state.usingCertificate;
    if (subject) event.subject = subject;
    if (event.at && from && to) {
      if (event.at > to) return set('certificate-expired', 'LOCAL');
      if (event.at < from) return set('certificate-not-yet-valid', 'LOCAL');
    }
    return set('certificate-outside-validity', 'LOCAL');
  }
  if (t.startsWith('constraint check failed: ')) {
    const identity = /identity '(.{1,300})' required/.exec(t);
    if (identity) {
      event.expectedId = sanitizeLogText(identity[1]!, 300);
      if (state.authenticatedPeer) event.peerId = state.authenticatedPeer;
      return set('identity-mismatch', 'LOCAL');
    }
    if (t.includes('peer not authenticated by CA')) {
      const ca = sq(t);
      if (ca) event.issuer = ca;
      if (state.authenticatedPeer) event.subject = state.authenticatedPeer;
      return set('certificate-untrusted', 'LOCAL');
    }
    return set('other', 'LOCAL');
  }
  if (t.startsWith('constraint requires ') && t.includes(' authentication, but ')) return set('auth-method-mismatch', 'LOCAL');
  if (t.startsWith('no shared key found for ')) {
    const a = sq(t);
    const b = a === undefined ? undefined : sq(t, t.indexOf(' - '));
    if (a) event.localId = a;
    if (b) event.peerId = b;
    return set('psk-missing', 'LOCAL');
  }
  if (t.startsWith('tried ') && t.includes(' shared key')) {
    const a = sq(t);
    const b = a === undefined ? undefined : sq(t, t.indexOf(' - '));
    if (a) event.localId = a;
    if (b) event.peerId = b;
    return set('psk-mismatch', 'LOCAL');
  }
  if (t.startsWith('authentication of ')) {
    const id = sq(t);
    const myself = t.includes(' (myself) ');
    if (t.includes(' with pre-shared key')) {
      if (myself) {
        if (id) event.localId = id;
        return set('psk-used', 'SEND');
      }
      if (id) event.peerId = id;
      return set('psk-used', 'RECEIVED');
    }
    if (!myself && t.endsWith(' successful') && id) state.authenticatedPeer = id;
    return set('other', myself ? 'SEND' : 'LOCAL');
  }
  if (t.startsWith('signature validation failed')) return set('signature-verify-failed', 'LOCAL');
  // The peer authenticated with a key smaller than this side's `remote.auth` (e.g. rsa-2048) allows.
  const weak = WEAK_SIGNATURE_KEY.exec(t);
  if (weak) {
    event.keyType = weak[1]!;
    event.keyBits = Number(weak[2]);
    if (state.authenticatedPeer) event.subject = state.authenticatedPeer;
    return set('key-too-weak', 'LOCAL');
  }
  // Older charon and IKEv1 wording for a key that does not verify.
  if (t.includes('pre-shared key') && /authentication failed|verification failed|mismatch/.test(t)) return set('psk-mismatch', 'LOCAL');
  if (t.startsWith('looking for ') && t.includes('peer configs matching ')) {
    const m = /matching [^[\s]{1,60}\[([^\]]{0,300})\]\.\.\.[^[\s]{1,60}\[([^\]]{0,300})\]/.exec(t);
    if (m) {
      state.lookupLocal = sanitizeLogText(m[1]!, 300);
      state.lookupPeer = sanitizeLogText(m[2]!, 300);
    }
    return set('other', 'LOCAL');
  }
  if (t === 'no matching peer config found' || t === 'no peer config found') {
    if (state.lookupLocal) event.localId = state.lookupLocal;
    if (state.lookupPeer) event.peerId = state.lookupPeer;
    return set('no-peer-config', 'LOCAL');
  }
  if (t.startsWith('failed to establish CHILD_SA') || t.startsWith('unable to install IPsec policies') || t.startsWith('unable to install inbound and outbound IPsec SA')) {
    event.sa = 'child';
    return set('child-sa-failed', 'LOCAL');
  }
  if (t.startsWith('deleting IKE_SA') || t.startsWith('received DELETE for IKE_SA') || t === 'IKE_SA deleted' || t.startsWith('sending DELETE for IKE_SA')) {
    event.sa = 'ike';
    return set('sa-deleted');
  }
  if (t.startsWith('closing CHILD_SA') || t.startsWith('received DELETE for ESP CHILD_SA') || t.startsWith('sending DELETE for ESP CHILD_SA')) {
    event.sa = 'child';
    return set('sa-deleted');
  }
  if (t.startsWith("peer didn't accept DH group") || (t.startsWith('requested DH group') && t.includes('not contained'))) return set('invalid-ke', 'LOCAL');
  if (t.startsWith('received unsupported IKE version')) return set('unsupported-ike-version', 'RECEIVED');
  return set('other');
}

/**
 * Parses a strongSwan charon log as charon writes it to a file or syslog (`Nov 23 12:00:01 08[IKE] <conn|1> ...`,
 * `... host charon: 08[IKE] ...`), as `swanctl --log` prints it (`[IKE] ...`), or bare (`08[IKE] ...`). Lines without a
 * charon marker (e.g. journal lines of charon-systemd) are kept only when they say something recognised. Never throws;
 * returns at most `maxEvents` events, the latest ones.
 */
export function parseCharonLog(text: string, options: CharonParseOptions = {}): IkeEvent[] {
  const input = typeof text === 'string' ? text : String(text ?? '');
  const max = Math.max(1, Math.min(options.maxEvents ?? DEFAULT_MAX_CHARON_EVENTS, 100_000));
  const events: IkeEvent[] = [];
  const states = new Map<string, SaState>();
  let lineNo = 0;
  let pos = 0;
  while (pos <= input.length) {
    let end = input.indexOf('\n', pos);
    if (end < 0) end = input.length;
    lineNo += 1;
    let line = input.slice(pos, Math.min(end, pos + MAX_SCANNED_LINE));
    pos = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.length < 4) continue;

    const marker = findMarker(line);
    let prefix: string;
    let rest: string;
    if (marker) {
      prefix = line.slice(0, marker.start);
      rest = line.slice(marker.end);
    } else {
      const stamp = ISO_STAMP.exec(line) ?? SYSLOG_STAMP.exec(line);
      prefix = stamp ? stamp[0] : '';
      rest = line.slice(prefix.length).trimStart();
      const header = prefix ? SYSLOG_HEADER.exec(rest) : null;
      if (header) rest = rest.slice(header[0].length);
    }

    const event: IkeEvent = { source: 'device', kind: 'other', tags: [], text: '', line: lineNo };
    const saName = SA_NAME.exec(rest);
    if (saName) {
      if (saName[1] !== undefined) event.connection = sanitizeLogText(saName[1], 64);
      event.sessionId = saName[2]!;
      rest = rest.slice(saName[0].length);
    }
    const message = rest.trim();
    if (message === '') continue;
    const { stamp, at } = readStamp(prefix.trimStart(), options);
    if (at) event.at = at;
    else if (stamp) event.stamp = stamp;
    event.text = sanitizeLogText(message);

    const key = event.sessionId ?? '';
    let state = states.get(key);
    if (!state) {
      state = {};
      if (states.size > 10_000) states.clear();
      states.set(key, state);
    }
    const keep = classify(event, message, state, options);
    if (!keep) continue;
    if (!marker && event.kind === 'other') continue;
    events.push(event);
    if (events.length >= max * 2) events.splice(0, events.length - max);
  }
  return events.length > max ? events.slice(events.length - max) : events;
}
