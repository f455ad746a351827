import { UserError } from '../errors/user-error';
import { CertificateCodes } from './certificate-violation';
import { classifyDer } from './der-containers';

/**
 * Turning what people paste (PEM, base64 lines, JSON arrays of base64, raw DER) into DER byte strings, with limits
 * so hostile input costs little and every failure says what was wrong without echoing the input.
 */

/** Largest certificate accepted; real ones are 1-8 KB, a huge SAN list stays well under this. */
export const MAX_CERTIFICATE_BYTES = 64 * 1024;
/** Largest text accepted for a chain: 16 large certificates as PEM. */
export const MAX_CHAIN_TEXT_CHARS = 16 * 90 * 1024;
/** More than this and it is not a chain someone meant to paste (Azure takes 5). */
export const MAX_CHAIN_CERTIFICATES = 16;

const PEM_LABEL = /^[A-Z0-9 ]{1,40}$/;
const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'X.509 CERTIFICATE']);
/** PEM labels of a PKCS#7 / CMS bundle of certificates (.p7b as OpenSSL and Windows write it). */
const PKCS7_LABELS = new Set(['PKCS7', 'PKCS #7 SIGNED DATA', 'CMS']);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function invalidCertificate(message: string, hint?: string, cause?: unknown): UserError {
  return new UserError(
    CertificateCodes.InvalidCertificate,
    message,
    hint ?? 'Paste the certificate exported as Base-64 encoded X.509 (.cer), or PEM text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.',
    cause === undefined ? undefined : { cause },
  );
}

function describeSize(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} bytes`;
}

export type DerEnvelope = { kind: 'complete'; total: number } | { kind: 'incomplete'; total?: number } | { kind: 'invalid'; reason: string };

/** Reads the outer DER SEQUENCE header: how long the certificate says it is. */
export function derEnvelope(bytes: Uint8Array): DerEnvelope {
  if (bytes.length === 0) return { kind: 'incomplete' };
  if (bytes[0] !== 0x30) return { kind: 'invalid', reason: 'it does not start with an ASN.1 SEQUENCE, so it is not DER certificate data' };
  if (bytes.length < 2) return { kind: 'incomplete' };
  const first = bytes[1] as number;
  if (first < 0x80) return { kind: 'complete', total: 2 + first };
  if (first === 0x80) return { kind: 'invalid', reason: 'it uses an indefinite length (BER), which certificates never do' };
  const octets = first & 0x7f;
  if (octets > 4) return { kind: 'invalid', reason: 'its length field is not a plausible certificate length' };
  if (bytes.length < 2 + octets) return { kind: 'incomplete' };
  let length = 0;
  for (let i = 0; i < octets; i++) length = length * 256 + (bytes[2 + i] as number);
  return { kind: 'complete', total: 2 + octets + length };
}

/** Checks that `bytes` is exactly one DER object of a plausible size, with a message that says what is off. */
export function checkSingleDer(bytes: Uint8Array): void {
  if (bytes.length === 0) throw invalidCertificate('The certificate data is empty.');
  if (bytes.length > MAX_CERTIFICATE_BYTES) {
    throw invalidCertificate(`The certificate data is ${describeSize(bytes.length)}; a certificate is at most ${describeSize(MAX_CERTIFICATE_BYTES)}.`);
  }
  const env = derEnvelope(bytes);
  if (env.kind === 'invalid') throw invalidCertificate(`The data is not a certificate: ${env.reason}.`);
  if (env.kind === 'incomplete' || env.total > bytes.length) {
    const declared = env.kind === 'complete' ? ` it declares ${env.total} bytes but only ${bytes.length} are present` : ' it ends inside its header';
    throw invalidCertificate(`The certificate data is truncated:${declared}. Copy the whole certificate, up to its last character.`);
  }
  if (env.total > MAX_CERTIFICATE_BYTES) {
    throw invalidCertificate(`The data declares a ${describeSize(env.total)} certificate; a certificate is at most ${describeSize(MAX_CERTIFICATE_BYTES)}.`);
  }
  if (env.total < bytes.length) {
    throw invalidCertificate(`The data has ${bytes.length - env.total} extra bytes after the certificate. Paste one certificate per entry.`);
  }
}

/** Text or bytes that are PEM/base64 text rather than DER. */
function asText(input: Uint8Array | string): string | undefined {
  if (typeof input === 'string') return input;
  if (input.length > 0 && input[0] === 0x30) return undefined;
  // Bytes of a .cer/.pem file: treat as text when every byte is printable ASCII or whitespace.
  for (const b of input) {
    if (b !== 0x09 && b !== 0x0a && b !== 0x0d && (b < 0x20 || b > 0x7e)) return undefined;
  }
  return Buffer.from(input).toString('latin1');
}

export interface DecodedInput {
  readonly ders: Uint8Array[];
  /** Labels of non-certificate PEM blocks (e.g. `PRIVATE KEY`), which callers may reject. */
  readonly otherBlocks: string[];
}

/** Splits input into the DER of each certificate in it. Throws `InvalidCertificate` with a reason. */
export function decodeCertificates(input: Uint8Array | string, maxChars: number): DecodedInput {
  const text = asText(input);
  if (text === undefined) {
    const bytes = input as Uint8Array;
    if (bytes.length > maxChars) throw invalidCertificate(`The data is ${describeSize(bytes.length)}; certificates for a VPN connection fit in ${describeSize(maxChars)}.`);
    const contained = unpackDer(bytes, 1);
    if (contained) return contained;
    checkSingleDer(bytes);
    return { ders: [bytes], otherBlocks: [] };
  }
  if (text.length > maxChars) {
    throw invalidCertificate(`The input is ${describeSize(text.length)} of text; certificates for a VPN connection fit in ${describeSize(maxChars)}.`);
  }
  if (text.trim() === '') throw invalidCertificate('No certificate found: the text is empty.');
  return text.includes('-----BEGIN') ? decodePem(text) : decodeBase64Tokens(text);
}

/**
 * A DER object that is not one certificate but holds some (a PKCS#7 bundle: its certificates) or is a private key
 * or a PKCS#12 file (reported as a `PRIVATE KEY` block, which callers refuse); undefined for anything else.
 */
function unpackDer(der: Uint8Array, position: number): DecodedInput | undefined {
  const kind = classifyDer(der);
  if (kind.kind === 'private-key') return { ders: [], otherBlocks: ['PRIVATE KEY'] };
  if (kind.kind !== 'pkcs7') return undefined;
  if (kind.certificates.length === 0) throw invalidCertificate(`The PKCS#7 bundle${position > 1 ? ` (item ${position})` : ''} holds no certificates.`);
  if (kind.certificates.length > MAX_CHAIN_CERTIFICATES) throw invalidCertificate(`The PKCS#7 bundle holds more than ${MAX_CHAIN_CERTIFICATES} certificates; a VPN chain has at most 5.`);
  for (const cert of kind.certificates) checkSingleDer(cert);
  return { ders: kind.certificates, otherBlocks: [] };
}

/**
 * PEM blocks, found with indexOf rather than a backtracking regex: the scan stays linear however many BEGIN lines a
 * hostile text has.
 */
function decodePem(text: string): DecodedInput {
  const ders: Uint8Array[] = [];
  const otherBlocks: string[] = [];
  const BEGIN = '-----BEGIN ';
  let pos = 0;
  for (;;) {
    const begin = text.indexOf(BEGIN, pos);
    if (begin < 0) break;
    const labelStart = begin + BEGIN.length;
    const labelEnd = text.indexOf('-----', labelStart);
    const label = labelEnd < 0 ? '' : text.slice(labelStart, labelEnd);
    if (labelEnd < 0 || !PEM_LABEL.test(label)) throw invalidCertificate('A PEM header line is malformed: expected -----BEGIN CERTIFICATE-----.');
    const endMarker = `-----END ${label}-----`;
    const bodyStart = labelEnd + 5;
    const end = text.indexOf(endMarker, bodyStart);
    const nextBegin = text.indexOf(BEGIN, bodyStart);
    if (end < 0 || (nextBegin >= 0 && nextBegin < end)) {
      throw invalidCertificate(`A PEM block starts with -----BEGIN ${label.slice(0, 40)}----- but has no matching -----END ${label.slice(0, 40)}----- line: the text was cut off.`);
    }
    pos = end + endMarker.length;
    if (ders.length + otherBlocks.length >= MAX_CHAIN_CERTIFICATES + 4) throw invalidCertificate(`The text holds more than ${MAX_CHAIN_CERTIFICATES} certificates; a VPN chain has at most 5.`);
    if (PKCS7_LABELS.has(label)) {
      const body = text.slice(bodyStart, end).replace(/\s+/g, '');
      if (!BASE64.test(body)) throw invalidCertificate(`The ${label} block has characters that are not base64 between its BEGIN and END lines.`);
      const bundle = unpackDer(new Uint8Array(Buffer.from(body, 'base64')), ders.length + 1);
      if (!bundle) throw invalidCertificate(`The ${label} block is not a PKCS#7 bundle of certificates.`);
      ders.push(...bundle.ders);
      otherBlocks.push(...bundle.otherBlocks);
      if (ders.length > MAX_CHAIN_CERTIFICATES) throw invalidCertificate(`The text holds more than ${MAX_CHAIN_CERTIFICATES} certificates; a VPN chain has at most 5.`);
      continue;
    }
    if (!CERTIFICATE_LABELS.has(label)) {
      otherBlocks.push(label);
      continue;
    }
    // PEM headers (Proc-Type etc.) only appear on encrypted keys, never on certificates.
    const body = text.slice(bodyStart, end).replace(/\s+/g, '');
    if (!BASE64.test(body)) throw invalidCertificate(`Certificate ${ders.length + 1} has characters that are not base64 between its BEGIN and END lines.`);
    const der = new Uint8Array(Buffer.from(body, 'base64'));
    checkSingleDer(der);
    ders.push(der);
    if (ders.length > MAX_CHAIN_CERTIFICATES) throw invalidCertificate(`The text holds more than ${MAX_CHAIN_CERTIFICATES} certificates; a VPN chain has at most 5.`);
  }
  if (ders.length === 0 && otherBlocks.length === 0) throw invalidCertificate('No certificate found in the PEM text.');
  return { ders, otherBlocks };
}

/**
 * Base64 without PEM armour: one certificate per line as the portal wants, a certificate wrapped over several lines,
 * or a JSON array of base64 strings. Lines are joined until they make up a whole DER object.
 */
function decodeBase64Tokens(text: string): DecodedInput {
  const tokens = text.split(/[\s,;"'[\]]+/).filter((t) => t.length > 0);
  const ders: Uint8Array[] = [];
  const otherBlocks: string[] = [];
  let pending = '';
  /** Base64 length of the certificate being assembled, known once its DER header is in. */
  let neededChars: number | undefined;
  let declaredBytes = 0;
  for (const token of tokens) {
    if (!BASE64.test(token)) {
      throw invalidCertificate('The text is not a certificate: expected PEM (-----BEGIN CERTIFICATE-----) or Base-64 encoded DER, and it has other characters.');
    }
    pending += token;
    if (neededChars === undefined) {
      if (pending.length < 8) continue;
      // Six bytes hold any certificate's SEQUENCE header; only the header is decoded until the whole is there.
      const env = derEnvelope(new Uint8Array(Buffer.from(pending.slice(0, 8), 'base64')));
      if (env.kind === 'invalid') throw invalidCertificate(`The base64 text is not a certificate: ${env.reason}.`);
      if (env.kind === 'incomplete') throw invalidCertificate('The base64 text is not a certificate: its header is incomplete.');
      if (env.total > MAX_CERTIFICATE_BYTES) {
        throw invalidCertificate(`The data declares a ${describeSize(env.total)} certificate; a certificate is at most ${describeSize(MAX_CERTIFICATE_BYTES)}.`);
      }
      declaredBytes = env.total;
      neededChars = Math.ceil(env.total / 3) * 4;
    }
    if (pending.length < neededChars) continue;
    if (pending.length > neededChars) throw invalidCertificate('The base64 text has extra characters after a certificate. Paste each certificate whole, one per line.');
    const der = new Uint8Array(Buffer.from(pending, 'base64'));
    checkSingleDer(der);
    const contained = unpackDer(der, ders.length + 1);
    if (contained) {
      ders.push(...contained.ders);
      otherBlocks.push(...contained.otherBlocks);
    } else {
      ders.push(der);
    }
    pending = '';
    neededChars = undefined;
    if (ders.length > MAX_CHAIN_CERTIFICATES) throw invalidCertificate(`The text holds more than ${MAX_CHAIN_CERTIFICATES} certificates; a VPN chain has at most 5.`);
  }
  if (pending !== '') {
    if (neededChars === undefined) throw invalidCertificate('The text is not a certificate: expected PEM (-----BEGIN CERTIFICATE-----) or Base-64 encoded DER.');
    const present = Math.floor((pending.length * 3) / 4);
    throw invalidCertificate(`The certificate data is truncated: it declares ${declaredBytes} bytes but only about ${present} are present. Copy the whole certificate, up to its last character.`);
  }
  return { ders, otherBlocks };
}
