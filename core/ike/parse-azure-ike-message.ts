import type { IkeDirection, IkeEvent, IkeEventKind, OutboundCertificateProblem } from './ike-event';
import { parseAzureLogPolicies } from './ike-proposal';
import { MAX_SCANNED_LINE, sanitizeLogText } from './sanitize-log-text';
import { parseAzureTrafficSelectors } from './traffic-selectors';
import { windowsIkeError, windowsIkeErrorByMessage } from './windows-ike-errors';

/** One AzureDiagnostics row of category IKEDiagnosticLog, as the logs adapter returns it. */
export interface AzureIkeRow {
  timeGenerated: Date | string;
  message: string;
  instance?: string;
  level?: string;
}

const SESSION = /^SESSION_ID\s*:?\s*\{?([0-9A-Fa-f-]{8,40})\}?\s*/;
const ENDPOINTS = /^Remote\s+(\S{1,60}):(\d{1,5}):\s*Local\s+(\S{1,60}):(\d{1,5}):\s*/;

/**
 * `Remote 52.1.2.3:500: Local 20.1.2.3:500: ` read by hand (the common case, every row) with the regex as fallback
 * for odd spacing; the hand-written path is what keeps parsing above 200,000 lines/s.
 */
function readEndpoints(text: string): { remote?: string; local?: string; length: number } | undefined {
  const localAt = text.indexOf(': Local ', 7);
  if (localAt > 7 && localAt < 80) {
    const remotePart = text.slice(7, localAt);
    const colon = remotePart.lastIndexOf(':');
    const end = text.indexOf(': ', localAt + 8);
    if (colon > 0 && end > 0 && end - localAt < 80) {
      const localPart = text.slice(localAt + 8, end);
      const localColon = localPart.lastIndexOf(':');
      if (localColon > 0) {
        const out: { remote?: string; local?: string; length: number } = { length: end + 2 };
        const remote = ipOrUndefined(remotePart.slice(0, colon));
        const local = ipOrUndefined(localPart.slice(0, localColon));
        if (remote) out.remote = remote;
        if (local) out.local = local;
        return out;
      }
    }
  }
  const m = ENDPOINTS.exec(text);
  if (!m) return undefined;
  const out: { remote?: string; local?: string; length: number } = { length: m[0].length };
  const remote = ipOrUndefined(m[1]);
  const local = ipOrUndefined(m[3]);
  if (remote) out.remote = remote;
  if (local) out.local = local;
  return out;
}
const WFP = /\[ikeext\]\s+[^|\s]{0,20}\|([0-9A-Fa-f.:]{2,45})\|(.*)$/;
const TAG_NAME = /^[A-Z_]{1,24}$/;

// Hoisted: a regex literal inside a function is a new object on every call, which at 200,000 lines/s is garbage.
const CODE_LABELLED = /\[ErrorCode\]\s*(0x[0-9A-Fa-f]{1,8}|\d{1,10})/;
const CODE_WINDOWS = /(?:Windows error|called with error|failed with error)\s+(0x[0-9A-Fa-f]{1,8}|\d{1,10})/;
const CODE_WFP = /error code\s*:?\s*(0x[0-9A-Fa-f]{1,8}|\d{1,10})/i;
const CODE_BEFORE_MESSAGE = /\b(1[34]\d{3})\s*\[ErrorMessage\]/;
const CODE_CRYPTOAPI = /(0x800B01[0-9A-Fa-f]{2})/i;
const IKE_EVENT_LABEL = /\[IkeEvent\]\s*([A-Z_]{2,40})/;
const STARTS_SENDING = /^(sending|sent|proposed)\b/;
const STARTS_RECEIVING = /^(received|receiving)\b/;
const STARTS_IKE_MESSAGE = /^(sending|received) ike\b/;
const EXCHANGE_TAGS = new Set(['SA_INIT', 'SA_AUTH', 'IKE_SA_INIT', 'IKE_AUTH', 'INFORMATIONAL', 'CHILD_SA', 'CREATE_CHILD_SA', 'NOTIFY']);
const IP_LIKE = /^[0-9A-Fa-f.:]{2,45}$/;

const DIRECTIONS: Record<string, IkeDirection> = { SEND: 'SEND', SENT: 'SEND', RECEIVED: 'RECEIVED', RECEIVE: 'RECEIVED', RECV: 'RECEIVED', LOCAL: 'LOCAL', LOCAL_MSG: 'LOCAL' };

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

// Every row repeats the same instance and level names: remember the last few cleaned values.
const shortCache = new Map<string, string>();
function cleanShort(value: string, max: number): string {
  let clean = shortCache.get(value);
  if (clean === undefined) {
    clean = sanitizeLogText(value, max);
    if (shortCache.size >= 64) shortCache.clear();
    if (value.length <= max) shortCache.set(value, clean);
  }
  return clean;
}

function toIso(value: Date | string | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  // Log Analytics returns ISO UTC already; re-parsing every row through Date costs more than the rest of the parse.
  if (typeof value === 'string' && ISO_UTC.test(value)) {
    const month = Number(value.slice(5, 7));
    const dayOfMonth = Number(value.slice(8, 10));
    if (month >= 1 && month <= 12 && dayOfMonth >= 1 && dayOfMonth <= 31 && Number(value.slice(11, 13)) < 24) return value.length === 20 ? `${value.slice(0, 19)}.000Z` : value;
  }
  const date = value instanceof Date ? value : new Date(String(value));
  const time = date.getTime();
  return Number.isFinite(time) ? date.toISOString() : undefined;
}

function ipOrUndefined(text: string | undefined): string | undefined {
  return text !== undefined && IP_LIKE.test(text) && (text.includes('.') || text.includes(':')) ? text : undefined;
}

function parseCode(text: string): number | undefined {
  const value = text.startsWith('0x') || text.startsWith('0X') ? Number.parseInt(text.slice(2), 16) : Number.parseInt(text, 10);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** The first Windows/CryptoAPI error code a message carries, in any of the ways Azure prints one. */
function extractErrorCode(scan: string): number | undefined {
  let m: RegExpExecArray | null = null;
  if (scan.includes('ErrorCode]')) m = CODE_LABELLED.exec(scan);
  if (!m && scan.includes('rror ')) m = CODE_WINDOWS.exec(scan);
  if (!m && scan.includes('rror code')) m = CODE_WFP.exec(scan);
  if (!m && scan.includes('[ErrorMessage]')) m = CODE_BEFORE_MESSAGE.exec(scan);
  if (!m && (scan.includes('0x800B01') || scan.includes('0x800b01'))) m = CODE_CRYPTOAPI.exec(scan);
  return m ? parseCode(m[1]!) : undefined;
}

function quoted(scan: string, label: RegExp): string | undefined {
  const m = label.exec(scan);
  return m ? sanitizeLogText(m[1]!, 300) : undefined;
}

function outboundProblem(lower: string): OutboundCertificateProblem | undefined {
  if (/access|forbidden|denied|permission/.test(lower)) return 'key-vault-access';
  // Azure's ...OutBoundAuthenticationCertificateChainFault / ChainDoesNotHaveRootCert / ChainCreationIssue.
  if (/\bchain\b|chainfault|chaindoesnothaverootcert|chaincreationissue/.test(lower)) return 'chain';
  if (/key usage|\beku\b|client authentication|server authentication/.test(lower)) return 'eku';
  if (/private key|rsa|key size|key length/.test(lower)) return 'key';
  if (lower.includes('expired')) return 'expired';
  if (lower.includes('not found') || lower.includes('notfound')) return 'not-found';
  return undefined;
}

/** What a notify line announces, from Azure's wording ("Sending Notify Message - Policy Mismatch"). */
function notifyKind(lower: string, sending: boolean): { kind: IkeEventKind; notify?: string } {
  if (lower.includes('authentication failed') || lower.includes('authentication_failed')) {
    return { kind: sending ? 'auth-failed-notify-sent' : 'auth-failed-notify-received', notify: 'AUTHENTICATION_FAILED' };
  }
  if (lower.includes('policy mismatch') || lower.includes('no proposal chosen') || lower.includes('no_proposal_chosen')) return { kind: 'policy-mismatch', notify: 'NO_PROPOSAL_CHOSEN' };
  if (lower.includes('ts_unacceptable') || lower.includes('traffic selector unacceptable')) return { kind: 'ts-unacceptable', notify: 'TS_UNACCEPTABLE' };
  if (lower.includes('invalid_ke') || lower.includes('invalid ke')) return { kind: 'invalid-ke', notify: 'INVALID_KE_PAYLOAD' };
  if (lower.includes('invalid_syntax') || lower.includes('invalid payload')) return { kind: 'invalid-payload', notify: 'INVALID_SYNTAX' };
  return { kind: 'exchange' };
}

/**
 * Parses the Message of one IKEDiagnosticLog row. Handles the shape the gateway writes
 * (`SESSION_ID :{GUID} Remote <ip>:500: Local <ip>:500: [SEND][SA_INIT] ...`), the same without SESSION_ID as Network
 * Watcher's IKElogs.txt shows it, bare lines (`IkeCleanupQMNegotiation called with error 13868 and flags a`), Network
 * Watcher's IKEErrors summaries and wfpdiag trace lines. Never throws; unknown text becomes kind `other`.
 */
export function parseAzureIkeMessage(row: AzureIkeRow): IkeEvent {
  const raw = typeof row?.message === 'string' ? row.message : String(row?.message ?? '');
  let rest = raw.length > MAX_SCANNED_LINE ? raw.slice(0, MAX_SCANNED_LINE) : raw;
  const event: IkeEvent = { source: 'azure', kind: 'other', tags: [], text: '' };
  const at = toIso(row?.timeGenerated);
  if (at) event.at = at;
  if (typeof row?.instance === 'string' && row.instance) event.instance = cleanShort(row.instance, 80);
  if (typeof row?.level === 'string' && row.level) event.level = cleanShort(row.level, 40);

  rest = rest.trimStart();
  if (rest.startsWith('SESSION_ID')) {
    const session = SESSION.exec(rest);
    if (session) {
      event.sessionId = session[1]!.toLowerCase();
      rest = rest.slice(session[0].length);
    }
  }
  if (rest.startsWith('Remote ')) {
    const endpoints = readEndpoints(rest);
    if (endpoints) {
      if (endpoints.remote) event.remoteIp = endpoints.remote;
      if (endpoints.local) event.localIp = endpoints.local;
      rest = rest.slice(endpoints.length);
    }
  } else if (rest.includes('[ikeext]')) {
    const wfp = WFP.exec(rest);
    if (wfp) {
      const remote = ipOrUndefined(wfp[1]);
      if (remote) event.remoteIp = remote;
      rest = wfp[2]!;
    }
  }
  // Leading `[SEND][SA_INIT]`-style tags, read by hand (a regex per tag was a measurable share of the parse).
  while (rest.charCodeAt(0) === 91) {
    const close = rest.indexOf(']');
    if (close < 2 || close > 25) break;
    // Upper-case only: `[ErrorCode]`, `[ErrorMessage]` and `[IkeEvent]` are labels inside the text, not tags.
    const name = rest.slice(1, close);
    if (!TAG_NAME.test(name)) break;
    const direction = DIRECTIONS[name];
    if (direction) event.direction ??= direction;
    else if (!event.tags.includes(name)) event.tags.push(name);
    let next = close + 1;
    while (rest.charCodeAt(next) === 32) next++;
    rest = rest.slice(next);
  }
  // Windows names the phase in the cleanup call: main mode is the IKE SA, quick mode the IPsec (child) SA.
  if (rest.startsWith('IkeCleanupMM')) event.tags.push('MAIN_MODE');
  else if (rest.startsWith('IkeCleanupQM')) event.tags.push('QUICK_MODE');
  const ikeEvent = rest.includes('[IkeEvent]') ? IKE_EVENT_LABEL.exec(rest) : null;
  if (ikeEvent && !event.tags.includes(ikeEvent[1]!)) event.tags.push(ikeEvent[1]!);

  event.text = sanitizeLogText(rest);
  const scan = rest;
  // Keywords classify the message, never a quoted name in it: a device certificate `CN=ts-mismatch.contoso.example`
  // is not an identity mismatch. Values (subject, issuer, expected name) are still read from `scan`.
  const lower = scan.replace(/"[^"]{0,300}"/g, '""').toLowerCase();
  if (!event.direction) {
    if (STARTS_SENDING.test(lower)) event.direction = 'SEND';
    else if (STARTS_RECEIVING.test(lower)) event.direction = 'RECEIVED';
  }
  const code = extractErrorCode(scan);
  if (code !== undefined) event.errorCode = code;
  classify(event, scan, lower);
  return event;
}

// Every phrase the rules below look for. Most lines (plain exchange messages) contain none of them: one scan for
// all of them lets those lines skip the rule chain.
const ANY_PHRASE =
  /notify message|peer failed with|tunnel closed|number of tsis|traffic selector|cipher=|shared key|certificate|retransmit|dpd|dead peer|no response from peer|not responding|invalid_ke|invalid ke|unsupported ike version|invalid_major_version|established|invalid payload|failed to verify signature|deleted|deleting|received delete|authentication failed/;

function classify(event: IkeEvent, scan: string, lower: string): void {
  const set = (kind: IkeEventKind): void => {
    event.kind = kind;
  };
  if (!ANY_PHRASE.test(lower)) {
    classifyByCode(event, lower, set);
    return;
  }

  if (lower.includes('notify message')) {
    const sending = event.direction === 'SEND' || /\bsending notify/.test(lower);
    if (!event.direction) event.direction = sending ? 'SEND' : 'RECEIVED';
    if (!event.tags.includes('NOTIFY')) event.tags.push('NOTIFY');
    const { kind, notify } = notifyKind(lower, sending);
    set(kind);
    if (notify) event.notify = notify;
    return;
  }
  if (lower.includes('peer failed with')) {
    event.direction ??= 'RECEIVED';
    const known = windowsIkeError(event.errorCode);
    set(known?.kind === 'credentials-unacceptable' || event.errorCode === undefined ? 'auth-failed-notify-received' : known?.kind ?? 'other');
    return;
  }
  if (lower.includes('tunnel closed')) {
    set('tunnel-closed');
    const status = /with status\s+(.{1,300})$/i.exec(scan);
    if (status) {
      event.status = sanitizeLogText(status[1]!, 300);
      if (event.errorCode === undefined) {
        const known = windowsIkeErrorByMessage(status[1]!);
        if (known) event.errorCode = known.code;
      }
    }
    return;
  }
  if (lower.includes('number of tsis') || (lower.includes('traffic selector') && lower.includes('startaddress'))) {
    const ts = parseAzureTrafficSelectors(scan);
    if (ts) {
      event.tsi = ts.tsi;
      event.tsr = ts.tsr;
    }
    set(/unacceptable|not within|mismatch|failed/.test(lower) ? 'ts-unacceptable' : 'traffic-selectors');
    return;
  }
  if (lower.includes('traffic selector') && /unacceptable|not within|mismatch|failed/.test(lower)) {
    set('ts-unacceptable');
    return;
  }
  if (lower.includes('cipher=')) {
    const proposals = parseAzureLogPolicies(scan);
    if (proposals.length > 0) {
      event.proposals = proposals;
      event.phase = /ipsec|quick mode|child|esp/.test(lower) ? 'ipsec' : 'ike';
      if (lower.includes('selected')) set('proposal-selected');
      else set(event.direction === 'RECEIVED' ? 'proposals-received' : 'proposals-offered');
      return;
    }
  }
  if (lower.includes('shared key')) {
    if (/requires? certificate|certificate authentication/.test(lower)) set('auth-method-mismatch');
    else if (lower.includes('check shared key')) set('credentials-unacceptable');
    else if (/mismatch|does not match|incorrect/.test(lower)) set('psk-mismatch');
    else if (/not found|no shared key|missing|not configured/.test(lower)) set('psk-missing');
    else set('psk-used');
    return;
  }
  if (lower.includes('certificate')) {
    const subject = quoted(scan, /subject\s+"([^"]{1,300})"/i);
    const issuer = quoted(scan, /issuer\s+"([^"]{1,300})"/i);
    if (subject) event.subject = subject;
    if (issuer) event.issuer = issuer;
    if (lower.includes('outbound')) {
      set('outbound-certificate-unusable');
      const problem = outboundProblem(lower);
      if (problem) event.problem = problem;
      return;
    }
    if (/does not match|doesn't match|mismatch/.test(lower) || event.errorCode === 0x800b010f) {
      set('identity-mismatch');
      const expected = quoted(scan, /subject name\s+"([^"]{1,300})"/i);
      if (expected) event.expectedId = expected;
      if (subject) event.peerId = subject;
      return;
    }
    const notBefore = /NotBefore\s+(\d{4}-\d{2}-\d{2}T[\d:.]+Z?)/.exec(scan);
    const notAfter = /NotAfter\s+(\d{4}-\d{2}-\d{2}T[\d:.]+Z?)/.exec(scan);
    if (notBefore) event.validFrom = notBefore[1]!;
    if (notAfter) event.validTo = notAfter[1]!;
    if (lower.includes('not yet valid')) return set('certificate-not-yet-valid');
    if (lower.includes('expired')) return set('certificate-expired');
    if (lower.includes('validity period') || event.errorCode === 0x800b0101) return set('certificate-outside-validity');
    if (/untrusted|not trusted|could not be built|chain validation failed|revoked/.test(lower) || event.errorCode === 0x800b0109 || event.errorCode === 0x800b010a) {
      return set('certificate-untrusted');
    }
    if (/validated|trusted/.test(lower)) return set('certificate-trusted');
    if (/^(sending|sent)\b/.test(lower) || event.direction === 'SEND') return set('certificate-sent');
    if (/received|peer certificate/.test(lower)) return set('certificate-received');
  }
  if (lower.includes('retransmit')) {
    set('retransmit');
    const attempt = /(?:attempt|retransmit(?:ting)?[^\d]{0,40})\s*#?(\d{1,3})/.exec(lower);
    if (attempt) event.attempt = Number(attempt[1]);
    return;
  }
  if (lower.includes('dpd') || lower.includes('dead peer')) {
    if (/timed out|timeout|expired|no response/.test(lower)) return set('dpd-timeout');
  }
  if (lower.includes('no response from peer') || lower.includes('not responding')) return set('peer-not-responding');
  if (lower.includes('invalid_ke') || lower.includes('invalid ke')) {
    event.notify = 'INVALID_KE_PAYLOAD';
    return set('invalid-ke');
  }
  if (lower.includes('unsupported ike version') || lower.includes('invalid_major_version')) return set('unsupported-ike-version');
  if (/\bsa established|tunnel established|\bsa is established/.test(lower)) {
    event.sa = /child|quick mode|ipsec sa|qm sa/.test(lower) ? 'child' : 'ike';
    return set('sa-established');
  }
  if (lower.includes('invalid payload')) return set('invalid-payload');
  if (lower.includes('failed to verify signature')) return set('signature-verify-failed');
  if (classifyByCode(event, lower, set, false)) return;
  if (/\bsa\b.*\bdeleted|deleting .*\bsa\b|received delete/.test(lower)) return set('sa-deleted');
  if (lower.includes('authentication failed')) return set('credentials-unacceptable');
  classifyExchange(event, lower, set);
}

/** By the Windows error code or message the line carries; then, unless told otherwise, as a plain exchange message. */
function classifyByCode(event: IkeEvent, lower: string, set: (kind: IkeEventKind) => void, orExchange = true): boolean {
  const known = windowsIkeError(event.errorCode) ?? windowsIkeErrorByMessage(lower);
  if (known) {
    if (event.errorCode === undefined) event.errorCode = known.code;
    if (known.kind === 'outbound-certificate-unusable') {
      const problem = outboundProblem(lower);
      if (problem) event.problem = problem;
    }
    set(known.kind);
    return true;
  }
  if (orExchange) classifyExchange(event, lower, set);
  return false;
}

function classifyExchange(event: IkeEvent, lower: string, set: (kind: IkeEventKind) => void): void {
  if (event.tags.some((t) => EXCHANGE_TAGS.has(t)) || STARTS_IKE_MESSAGE.test(lower)) set('exchange');
}
