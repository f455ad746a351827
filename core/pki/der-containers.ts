/**
 * What a DER object someone pasted or attached is, read from its first few ASN.1 headers only (no full parse): a
 * certificate, a PKCS#7 / CMS SignedData bundle (.p7b, .p7c) whose certificates are taken out, a private key (PKCS#1,
 * PKCS#8, SEC1 EC) or a PKCS#12 (.pfx) file, which carries one. Hostile input costs at most a linear scan.
 */

export type DerKind = { readonly kind: 'certificate' } | { readonly kind: 'pkcs7'; readonly certificates: Uint8Array[] } | { readonly kind: 'private-key'; readonly what: string } | { readonly kind: 'other' };

interface Tlv {
  readonly tag: number;
  /** Where the contents start and end (exclusive). */
  readonly start: number;
  readonly end: number;
}

/** One TLV at `offset` within `limit`, or undefined when it is not well-formed DER there. */
function readTlv(bytes: Uint8Array, offset: number, limit: number): Tlv | undefined {
  if (offset + 2 > limit) return undefined;
  const tag = bytes[offset] as number;
  const first = bytes[offset + 1] as number;
  let length: number;
  let start: number;
  if (first < 0x80) {
    length = first;
    start = offset + 2;
  } else {
    const octets = first & 0x7f;
    if (octets === 0 || octets > 4 || offset + 2 + octets > limit) return undefined;
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + (bytes[offset + 2 + i] as number);
    start = offset + 2 + octets;
  }
  const end = start + length;
  return end <= limit ? { tag, start, end } : undefined;
}

/** The TLVs directly inside a constructed TLV. */
function children(bytes: Uint8Array, parent: Tlv, max = 64): Tlv[] | undefined {
  const out: Tlv[] = [];
  let pos = parent.start;
  while (pos < parent.end) {
    const child = readTlv(bytes, pos, parent.end);
    if (!child || out.length >= max) return undefined;
    out.push(child);
    pos = child.end;
  }
  return out;
}

const SIGNED_DATA_OID = Uint8Array.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]);

function isOid(bytes: Uint8Array, tlv: Tlv, oid: Uint8Array): boolean {
  if (tlv.tag !== 0x06 || tlv.end - tlv.start !== oid.length) return false;
  for (let i = 0; i < oid.length; i++) if (bytes[tlv.start + i] !== oid[i]) return false;
  return true;
}

/** Most certificates taken out of one PKCS#7 bundle (a chain has a handful). */
const MAX_BUNDLE_CERTIFICATES = 32;

/** Classifies one DER object (the whole of `bytes`). */
export function classifyDer(bytes: Uint8Array): DerKind {
  const outer = readTlv(bytes, 0, bytes.length);
  if (!outer || outer.tag !== 0x30 || outer.end !== bytes.length) return { kind: 'other' };
  const parts = children(bytes, outer, 16);
  if (!parts || parts.length === 0) return { kind: 'other' };
  const [a, b] = parts;
  // Certificate: SEQUENCE { tbsCertificate SEQUENCE, signatureAlgorithm SEQUENCE, signature BIT STRING }.
  if (a!.tag === 0x30 && parts.length === 3 && b?.tag === 0x30 && parts[2]!.tag === 0x03) return { kind: 'certificate' };
  // ContentInfo { contentType OID signedData, [0] EXPLICIT SignedData }.
  if (a && b && isOid(bytes, a, SIGNED_DATA_OID) && b.tag === 0xa0) {
    const signedData = readTlv(bytes, b.start, b.end);
    const fields = signedData && signedData.tag === 0x30 ? children(bytes, signedData, 8) : undefined;
    // SignedData { version, digestAlgorithms SET, encapContentInfo, [0] IMPLICIT certificates, [1] crls, signerInfos }.
    const set = fields?.find((f, i) => i >= 3 && f.tag === 0xa0);
    const certificates: Uint8Array[] = [];
    if (set) {
      for (const cert of children(bytes, set, MAX_BUNDLE_CERTIFICATES + 1) ?? []) {
        if (cert.tag !== 0x30) continue;
        const headerStart = findHeaderStart(bytes, cert);
        certificates.push(bytes.slice(headerStart, cert.end));
      }
    }
    return { kind: 'pkcs7', certificates };
  }
  if (a!.tag === 0x02) {
    const version = a!.end - a!.start === 1 ? (bytes[a!.start] as number) : -1;
    // PKCS#12: PFX { version 3, authSafe ContentInfo, macData }.
    if (version === 3 && b?.tag === 0x30) return { kind: 'private-key', what: 'a PKCS#12 (.pfx) file, which holds a private key' };
    // PKCS#8 { 0, AlgorithmIdentifier, OCTET STRING }, PKCS#1 RSAPrivateKey { 0, n, e, d, ... }, SEC1 ECPrivateKey { 1, OCTET STRING, ... }.
    if (version === 0 && b?.tag === 0x30 && parts[2]?.tag === 0x04) return { kind: 'private-key', what: 'a private key (PKCS#8)' };
    if (version === 0 && b?.tag === 0x02 && parts.length >= 6) return { kind: 'private-key', what: 'an RSA private key (PKCS#1)' };
    if (version === 1 && b?.tag === 0x04) return { kind: 'private-key', what: 'an EC private key' };
    // EncryptedPrivateKeyInfo has no version: SEQUENCE { AlgorithmIdentifier, OCTET STRING } (below).
  }
  if (a!.tag === 0x30 && b?.tag === 0x04 && parts.length === 2) return { kind: 'private-key', what: 'an encrypted private key (PKCS#8)' };
  return { kind: 'other' };
}

/** The start of a child TLV's header: its contents start minus the length of its header (1 tag + length octets). */
function findHeaderStart(bytes: Uint8Array, tlv: Tlv): number {
  const length = tlv.end - tlv.start;
  const lengthOctets = length < 0x80 ? 1 : 1 + Math.ceil(Math.log2(length + 1) / 8);
  // A non-minimal length encoding is still found: step back until the header decodes to this TLV.
  for (let header = 1 + lengthOctets; header <= 6; header++) {
    const at = tlv.start - header;
    if (at < 0) break;
    const check = readTlv(bytes, at, tlv.end);
    if (check && check.start === tlv.start && check.end === tlv.end) return at;
  }
  return tlv.start - 1 - lengthOctets;
}
