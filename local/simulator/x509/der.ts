/**
 * The few DER building blocks the simulator needs beyond what @peculiar/asn1-x509 serialises (a PKCS#10 request's
 * outer structure), and a reader that only looks at the outermost tags (to recognise a key container where a
 * certificate belongs). Definite lengths only, as DER requires.
 */

export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const length = content.length;
  let header: number[];
  if (length < 0x80) header = [tag, length];
  else {
    const bytes: number[] = [];
    for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
    header = [tag, 0x80 | bytes.length, ...bytes];
  }
  const out = new Uint8Array(header.length + length);
  out.set(header, 0);
  out.set(content, header.length);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export const sequence = (...parts: Uint8Array[]): Uint8Array => tlv(0x30, concat(...parts));
export const set = (...parts: Uint8Array[]): Uint8Array => tlv(0x31, concat(...parts));
export const integer = (value: number): Uint8Array => tlv(0x02, Uint8Array.of(value));
export const bitString = (bytes: Uint8Array): Uint8Array => tlv(0x03, concat(Uint8Array.of(0), bytes));
/** `[n]` context-specific, constructed. */
export const contextTag = (n: number, content: Uint8Array): Uint8Array => tlv(0xa0 | n, content);

export function objectIdentifier(oid: string): Uint8Array {
  const [first = 0, second = 0, ...rest] = oid.split('.').map(Number);
  const bytes: number[] = [first * 40 + second];
  for (const arc of rest) {
    const chunk: number[] = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift((n & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(bytes));
}

export interface DerElement {
  readonly tag: number;
  /** Offset of the element (its tag byte) within the input. */
  readonly offset: number;
  /** Offset of the content within the input. */
  readonly start: number;
  readonly end: number;
}

/** The element at `offset`, or undefined when the bytes are not a well-formed definite-length TLV there. */
export function readElement(bytes: Uint8Array, offset = 0): DerElement | undefined {
  const tag = bytes[offset];
  let lengthByte = bytes[offset + 1];
  if (tag === undefined || lengthByte === undefined) return undefined;
  let at = offset + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    if (count === 0 || count > 4) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) {
      lengthByte = bytes[at++];
      if (lengthByte === undefined) return undefined;
      length = length * 256 + lengthByte;
    }
  }
  const end = at + length;
  return end <= bytes.length ? { tag, offset, start: at, end } : undefined;
}

/** The elements directly inside a constructed element. */
export function children(bytes: Uint8Array, parent: DerElement): DerElement[] {
  const out: DerElement[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const child = readElement(bytes, at);
    if (!child || child.end > parent.end) return out;
    out.push(child);
    at = child.end;
  }
  return out;
}
