import { AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName } from '@peculiar/asn1-x509';

/** One attribute of a name as text: `{ type: 'CN', value: 'vpn.contoso.com' }`. */
export interface SimNameAttribute {
  readonly type: string;
  readonly value: string;
}

const SHORT_BY_OID: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '1.2.840.113549.1.9.1': 'E',
  '0.9.2342.19200300.100.1.25': 'DC',
};
const OID_BY_SHORT: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(SHORT_BY_OID).map(([oid, short]) => [short, oid])),
  S: '2.5.4.8',
  EMAIL: '1.2.840.113549.1.9.1',
  EMAILADDRESS: '1.2.840.113549.1.9.1',
};

/**
 * The attributes of an X.509 name, most specific first (the order Windows, the Azure portal and Key Vault write a
 * subject in: `CN=vpn, O=Contoso, C=GB`). Multi-valued RDNs are flattened; values that are not strings come out as
 * `#<hex>`.
 */
export function nameAttributes(name: Name): SimNameAttribute[] {
  return [...name]
    .reverse()
    .flatMap((rdn) => [...rdn])
    .map((atv) => ({ type: SHORT_BY_OID[atv.type] ?? atv.type, value: atv.value.anyValue ? `#${Buffer.from(atv.value.anyValue).toString('hex')}` : atv.value.toString() }));
}

/** `CN=vpn, O=Contoso\, Ltd`: the display form the simulator writes in messages and log lines. */
export function formatName(attributes: readonly SimNameAttribute[]): string {
  return attributes.map((a) => `${a.type}=${a.value.replace(/([,+"\\<>;])/g, '\\$1')}`).join(', ');
}

/**
 * Reads a subject the way Key Vault's policy and the connection's `inboundAuthCertificateSubjectName` carry it:
 * `type=value` pairs separated by commas (or semicolons), most specific first, `\,` escaping a comma inside a value.
 * Returns undefined when the text is not of that form (a bare host name, say).
 */
export function parseNameText(text: string): SimNameAttribute[] | undefined {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '\\' && i + 1 < text.length) {
      current += text[++i];
      continue;
    }
    if (ch === ',' || ch === ';') {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current);
  const attributes: SimNameAttribute[] = [];
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const type = part.slice(0, eq).trim().toUpperCase();
    const value = part.slice(eq + 1).trim();
    if (!/^([A-Z]+|\d+(\.\d+)+)$/.test(type) || value === '') return undefined;
    attributes.push({ type: SHORT_BY_OID[OID_BY_SHORT[type] ?? ''] ?? type, value });
  }
  return attributes.length > 0 ? attributes : undefined;
}

/** The ASN.1 name for attributes given most specific first (DER order is the reverse). */
export function buildName(attributes: readonly SimNameAttribute[]): Name {
  return new Name(
    [...attributes].reverse().map((a) => {
      const oid = OID_BY_SHORT[a.type] ?? (/^\d+(\.\d+)+$/.test(a.type) ? a.type : undefined);
      if (!oid) throw new Error(`Unknown name attribute type '${a.type}'.`);
      const value = a.type === 'C' ? new AttributeValue({ printableString: a.value }) : oid === OID_BY_SHORT.E || a.type === 'DC' ? new AttributeValue({ ia5String: a.value }) : new AttributeValue({ utf8String: a.value });
      return new RelativeDistinguishedName([new AttributeTypeAndValue({ type: oid, value })]);
    }),
  );
}

/** Case-insensitive, whitespace-folded comparison of attribute values (X.520 caseIgnoreMatch, roughly). */
export function sameValue(a: string, b: string): boolean {
  const fold = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
  return fold(a) === fold(b);
}
