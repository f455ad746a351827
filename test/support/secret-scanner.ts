/**
 * Finds secrets in what the product wrote (logs, cards, durable history and status, Table rows): private keys (PEM
 * blocks of any kind; PKCS#1, PKCS#8 and encrypted PKCS#8 DER and PKCS#12 in base64), bearer tokens and JWTs, SAS
 * tokens, storage and Service Bus connection strings, and known secret values (every private key and secret the
 * simulated Key Vault holds). Test tooling: see test/e2e/secret-scan.test.ts for how flows are scanned.
 */
export type SecretKind = 'pem-private-key' | 'pkcs1-private-key' | 'pkcs8-private-key' | 'pkcs12' | 'bearer-token' | 'jwt' | 'sas-token' | 'connection-string' | 'key-vault-secret';

export interface Artifact {
  /** Where the text came from, e.g. `card 1f2e (update 3)`, `log`, `durable changeJob history`, `table auditlog`. */
  readonly where: string;
  readonly text: string;
}

export interface KnownSecret {
  readonly where: string;
  readonly value: string;
}

export interface SecretFinding {
  readonly kind: SecretKind;
  readonly where: string;
  /** A few characters around the find, the secret itself cut to its first characters. */
  readonly excerpt: string;
}

const PATTERNS: readonly { readonly kind: SecretKind; readonly pattern: RegExp }[] = [
  { kind: 'pem-private-key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/g },
  { kind: 'bearer-token', pattern: /\bBearer\s+[A-Za-z0-9\-_~+/]{16,}=*(?:\.[A-Za-z0-9\-_~+/=]+)*/g },
  { kind: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g },
  // A SAS token: a signature with a signed version or expiry beside it, in a URL or a connection string.
  { kind: 'sas-token', pattern: /(?:[?&](?:sv|se|sp|sr)=[^&\s"']+&(?:[^&\s"']+&)*sig=[A-Za-z0-9%+/=]{16,}|SharedAccessSignature=[^;\s"']{16,})/gi },
  { kind: 'connection-string', pattern: /\b(?:AccountKey|SharedAccessKey|SharedAccessKeyName=[^;]+;SharedAccessKey|ClientSecret|Password)=[A-Za-z0-9+/=%]{16,}/gi },
];

/** OIDs as DER bytes: rsaEncryption, id-ecPublicKey, PBES2, PKCS#7 data. */
const OID = {
  rsa: [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01],
  ec: [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01],
  ed25519: [0x06, 0x03, 0x2b, 0x65, 0x70],
  pbes2: [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d],
  pkcs7Data: [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01],
} as const;

/** The start of the DER content after a tag and its length, or -1. */
function contentStart(der: Uint8Array, at: number): number {
  if (der[at + 1] === undefined) return -1;
  const first = der[at + 1]!;
  if (first < 0x80) return at + 2;
  const count = first & 0x7f;
  return count >= 1 && count <= 4 ? at + 2 + count : -1;
}

const startsWith = (der: Uint8Array, at: number, bytes: readonly number[]) => bytes.every((b, i) => der[at + i] === b);
const includes = (der: Uint8Array, from: number, to: number, bytes: readonly number[]) => {
  for (let i = from; i < Math.min(to, der.length); i++) if (startsWith(der, i, bytes)) return true;
  return false;
};

/** What a DER blob is, when it is private key material: PKCS#1, PKCS#8 (plain or encrypted) or PKCS#12. */
export function privateKeyKindOf(der: Uint8Array): SecretKind | undefined {
  if (der[0] !== 0x30) return undefined;
  const body = contentStart(der, 0);
  if (body < 0) return undefined;
  // PKCS#12 PFX: version 3, then authSafe ContentInfo of type data.
  if (startsWith(der, body, [0x02, 0x01, 0x03, 0x30]) && includes(der, body + 3, body + 12, OID.pkcs7Data)) return 'pkcs12';
  if (startsWith(der, body, [0x02, 0x01, 0x00])) {
    const next = body + 3;
    // PKCS#8 PrivateKeyInfo: version 0, AlgorithmIdentifier (RSA, EC, Ed25519), OCTET STRING.
    if (der[next] === 0x30 && [OID.rsa, OID.ec, OID.ed25519].some((oid) => includes(der, next, next + 8, oid))) return 'pkcs8-private-key';
    // PKCS#1 RSAPrivateKey: version 0, then the modulus (a large INTEGER).
    if (der[next] === 0x02 && (der[next + 1] === 0x81 || der[next + 1] === 0x82)) return 'pkcs1-private-key';
  }
  // EncryptedPrivateKeyInfo: AlgorithmIdentifier PBES2 first.
  if (der[body] === 0x30 && includes(der, body, body + 8, OID.pbes2)) return 'pkcs8-private-key';
  return undefined;
}

/** Base64 runs long enough to hold a key (base64url too); JSON-escaped line breaks are taken as line breaks. */
function base64Runs(text: string): string[] {
  const unescaped = text.replace(/\\[nr]/g, '\n');
  const runs: string[] = [];
  // Runs across line breaks too (PEM bodies, wrapped base64), then each piece.
  for (const match of unescaped.matchAll(/[A-Za-z0-9+/_-]{40,}={0,2}(?:\s*\n\s*[A-Za-z0-9+/_-]{4,}={0,2})*/g)) runs.push(match[0].replace(/\s+/g, ''));
  return runs;
}

function excerptOf(text: string, index: number, length: number): string {
  const before = text.slice(Math.max(0, index - 24), index);
  const found = text.slice(index, index + Math.min(length, 12));
  return `${before}[${found}…]`.replace(/\s+/g, ' ');
}

/** Every secret in the artifacts, by kind and place; empty when there is none. */
export function scanForSecrets(artifacts: readonly Artifact[], known: readonly KnownSecret[] = []): SecretFinding[] {
  const findings: SecretFinding[] = [];
  // Known values are searched as written, and with whitespace and escaped line breaks removed (a PEM copied into JSON).
  const needles = known.map((k) => {
    const compact = k.value.replace(/-----[A-Z0-9 ]+-----/g, '').replace(/\s+/g, '');
    // Three pieces from the second half of the value: the first bytes of DER keys are the same for every key of a
    // kind, and an RSA private key starts with its public modulus, which a CSR or certificate rightly carries.
    const mid = Math.floor(compact.length / 2);
    const late = Math.floor((compact.length * 3) / 4);
    const pieces = compact.length >= 160 ? [compact.slice(mid, mid + 48), compact.slice(late, late + 48), compact.slice(-60, -12)] : [k.value];
    return { where: k.where, pieces: pieces.filter((p) => p.length >= 12) };
  });
  for (const artifact of artifacts) {
    const { text, where } = artifact;
    for (const { kind, pattern } of PATTERNS) {
      for (const match of text.matchAll(pattern)) findings.push({ kind, where, excerpt: excerptOf(text, match.index, match[0].length) });
    }
    for (const run of base64Runs(text)) {
      const der = new Uint8Array(Buffer.from(run.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
      const kind = privateKeyKindOf(der);
      if (kind) findings.push({ kind, where, excerpt: `base64 DER beginning ${run.slice(0, 12)}…` });
    }
    if (needles.length > 0) {
      const compact = text.replace(/\\[nr]/g, '').replace(/\s+/g, '');
      for (const { where: secretWhere, pieces } of needles) {
        const piece = pieces.find((p) => compact.includes(p));
        if (piece) findings.push({ kind: 'key-vault-secret', where, excerpt: `${secretWhere}: ${piece.slice(0, 8)}…` });
      }
    }
  }
  return findings;
}
