import type { Name } from '@peculiar/asn1-x509';

/** One attribute of a distinguished name, with its value unescaped. */
export interface NameAttribute {
  readonly type: string;
  readonly value: string;
  /** The value is `#` + hex of its BER encoding (a string type we do not decode), written unescaped per RFC 4514. */
  readonly encoded?: boolean;
}

const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'T',
  '2.5.4.42': 'G',
  '1.2.840.113549.1.9.1': 'E',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

/** Spellings people and tools use for the same attribute (OpenSSL, Windows, RFC 4514). */
const TYPE_ALIASES: Record<string, string> = {
  COMMONNAME: 'CN',
  S: 'ST',
  STATEORPROVINCENAME: 'ST',
  LOCALITYNAME: 'L',
  ORGANIZATIONNAME: 'O',
  ORGANIZATIONALUNITNAME: 'OU',
  COUNTRYNAME: 'C',
  EMAIL: 'E',
  EMAILADDRESS: 'E',
  GIVENNAME: 'G',
  SURNAME: 'SN',
  TITLE: 'T',
  DOMAINCOMPONENT: 'DC',
  USERID: 'UID',
  ...Object.fromEntries(Object.entries(SHORT_NAMES).map(([oid, short]) => [oid, short])),
};

/**
 * Attributes of an ASN.1 Name, most specific first (RFC 4514 order, as Windows and Azure display names).
 * Each inner array is one RDN (usually a single attribute).
 */
export function nameAttributes(name: Name): NameAttribute[][] {
  return [...name].reverse().map((rdn) =>
    [...rdn].map((atv) => {
      const type = SHORT_NAMES[atv.type] ?? atv.type;
      return atv.value.anyValue
        ? { type, value: `#${Buffer.from(atv.value.anyValue).toString('hex')}`, encoded: true }
        : { type, value: atv.value.toString() };
    }),
  );
}

/** `CN=vpn, O=Contoso\, Ltd, C=US`: RFC 4514 escaping, so a hostile value cannot fake extra attributes or lines. */
export function formatName(rdns: NameAttribute[][]): string {
  return rdns.map((rdn) => rdn.map((a) => `${a.type}=${a.encoded ? a.value : escapeValue(a.value)}`).join(' + ')).join(', ');
}

function escapeValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) {
      out += `\\${code.toString(16).padStart(2, '0').toUpperCase()}`;
    } else if ('"+,;<>\\='.includes(ch) || (i === 0 && (ch === '#' || ch === ' ')) || (i === value.length - 1 && ch === ' ')) {
      out += `\\${ch}`;
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * Parses a distinguished name as people type it (`CN=vpn, O=Contoso`, `CN=vpn/O=Contoso` is NOT supported),
 * honouring backslash escapes and quoted values. Returns undefined when the text is not `TYPE=value` pairs.
 */
export function parseDistinguishedName(text: string): NameAttribute[][] | undefined {
  const rdns: NameAttribute[][] = [];
  let rdn: NameAttribute[] = [];
  let i = 0;
  const n = text.length;
  const skipSpaces = (): void => {
    while (i < n && text[i] === ' ') i++;
  };
  while (i < n) {
    skipSpaces();
    let type = '';
    while (i < n && text[i] !== '=' && text[i] !== ',' && text[i] !== ';' && text[i] !== '+') type += text[i++];
    if (text[i] !== '=' || !/^[A-Za-z][A-Za-z0-9-]*$|^\d+(\.\d+)+$/.test(type.trim())) return undefined;
    i++;
    skipSpaces();
    let value = '';
    if (text[i] === '"') {
      i++;
      while (i < n && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < n) i++;
        value += text[i++];
      }
      if (text[i] !== '"') return undefined;
      i++;
      skipSpaces();
    } else {
      let trailingSpaces = 0;
      while (i < n && text[i] !== ',' && text[i] !== ';' && text[i] !== '+') {
        if (text[i] === '\\' && i + 1 < n) {
          const hex = text.slice(i + 1, i + 3);
          if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
            value += String.fromCharCode(parseInt(hex, 16));
            i += 3;
          } else {
            value += text[i + 1];
            i += 2;
          }
          trailingSpaces = 0;
          continue;
        }
        trailingSpaces = text[i] === ' ' ? trailingSpaces + 1 : 0;
        value += text[i++];
      }
      value = value.slice(0, value.length - trailingSpaces);
    }
    rdn.push({ type: canonicalType(type.trim()), value });
    if (i < n && text[i] === '+') {
      i++;
      continue;
    }
    rdns.push(rdn);
    rdn = [];
    if (i < n) i++; // ',' or ';'
  }
  if (rdn.length > 0) rdns.push(rdn);
  return rdns.length > 0 ? rdns : undefined;
}

export function canonicalType(type: string): string {
  const upper = type.toUpperCase();
  return TYPE_ALIASES[upper] ?? TYPE_ALIASES[type] ?? upper;
}

/**
 * Comparison form of a value: RFC 5280 caseIgnoreMatch after whitespace folding (leading/trailing spaces removed,
 * inner runs collapsed), which is also how Windows compares names.
 */
export function foldValue(value: string): string {
  return value.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Comparison key of a whole name; RDN attribute order inside a multi-valued RDN does not matter. */
export function nameKey(rdns: NameAttribute[][]): string {
  return rdns
    .map((rdn) =>
      rdn
        .map((a) => `${canonicalType(a.type)}=${foldValue(a.value)}`)
        .sort()
        .join('+'),
    )
    .join(',');
}

/** Comparison key of a formatted name (`CertificateInfo.subject` / `.issuer`). */
export function dnKey(formatted: string): string {
  const rdns = parseDistinguishedName(formatted);
  return rdns ? nameKey(rdns) : foldValue(formatted);
}
