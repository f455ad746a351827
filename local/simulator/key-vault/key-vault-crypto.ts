import { constants, createHash, createPrivateKey, createPublicKey, privateEncrypt, publicDecrypt, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Key Vault's sign and verify over a digest the client computed (`value` is the hash, not the message), for RSA keys:
 * RSASSA-PKCS1-v1_5 (RS256/384/512) and RSASSA-PSS with MGF1 and a salt as long as the hash (PS256/384/512), as
 * RFC 8017 defines them. OpenSSL does the raw RSA operation; the encodings are built here because node:crypto only
 * signs whole messages.
 */

type Hash = 'sha256' | 'sha384' | 'sha512';

const ALGORITHMS: Readonly<Record<string, { hash: Hash; scheme: 'pkcs1' | 'pss'; length: number }>> = {
  RS256: { hash: 'sha256', scheme: 'pkcs1', length: 32 },
  RS384: { hash: 'sha384', scheme: 'pkcs1', length: 48 },
  RS512: { hash: 'sha512', scheme: 'pkcs1', length: 64 },
  PS256: { hash: 'sha256', scheme: 'pss', length: 32 },
  PS384: { hash: 'sha384', scheme: 'pss', length: 48 },
  PS512: { hash: 'sha512', scheme: 'pss', length: 64 },
};

/** DigestInfo prefixes (RFC 8017 section 9.2, note 1). */
const DIGEST_INFO: Readonly<Record<Hash, Buffer>> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

export const signatureAlgorithms = Object.keys(ALGORITHMS);

/** Why a digest cannot be signed with `alg`, or undefined when it can. */
export function digestProblem(alg: string, digest: Uint8Array): string | undefined {
  const algorithm = ALGORITHMS[alg];
  if (!algorithm) return `Algorithm '${alg.slice(0, 20)}' is not an RSA signature algorithm Key Vault offers (${signatureAlgorithms.join(', ')}).`;
  return digest.length === algorithm.length ? undefined : `The digest for ${alg} must be ${algorithm.length} bytes, not ${digest.length}.`;
}

export function signDigest(privateKeyPem: string, alg: string, digest: Uint8Array): Buffer {
  const algorithm = ALGORITHMS[alg];
  if (!algorithm) throw new Error(`unsupported ${alg}`);
  const key = createPrivateKey(privateKeyPem);
  if (algorithm.scheme === 'pkcs1') return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([DIGEST_INFO[algorithm.hash], digest]));
  const modBits = key.asymmetricKeyDetails?.modulusLength ?? 2048;
  return privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, pssEncode(Buffer.from(digest), modBits - 1, algorithm.hash));
}

export function verifyDigest(publicKeyPem: string, alg: string, digest: Uint8Array, signature: Uint8Array): boolean {
  const algorithm = ALGORITHMS[alg];
  if (!algorithm) return false;
  const key = createPublicKey(publicKeyPem);
  const modBits = key.asymmetricKeyDetails?.modulusLength ?? 2048;
  try {
    if (algorithm.scheme === 'pkcs1') {
      const recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(signature));
      const expected = Buffer.concat([DIGEST_INFO[algorithm.hash], digest]);
      return recovered.length === expected.length && timingSafeEqual(recovered, expected);
    }
    const em = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, Buffer.from(signature));
    return pssVerify(Buffer.from(digest), em, modBits - 1, algorithm.hash);
  } catch {
    return false;
  }
}

/** EMSA-PSS-ENCODE (RFC 8017 9.1.1) of a message hash, salt length = hash length. */
function pssEncode(mHash: Buffer, emBits: number, hash: Hash): Buffer {
  const hLen = mHash.length;
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(hLen);
  const h = createHash(hash).update(Buffer.concat([Buffer.alloc(8), mHash, salt])).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - 2 * hLen - 2), Buffer.from([0x01]), salt]);
  const masked = xor(db, mgf1(h, emLen - hLen - 1, hash));
  masked[0] = (masked[0] ?? 0) & (0xff >> (8 * emLen - emBits));
  const em = Buffer.concat([masked, h, Buffer.from([0xbc])]);
  // The RSA primitive takes a block as long as the modulus.
  return em.length * 8 < emBits + 1 ? Buffer.concat([Buffer.alloc(1), em]) : em;
}

/** EMSA-PSS-VERIFY (RFC 8017 9.1.2). */
function pssVerify(mHash: Buffer, block: Buffer, emBits: number, hash: Hash): boolean {
  const hLen = mHash.length;
  const emLen = Math.ceil(emBits / 8);
  const em = block.length > emLen ? block.subarray(block.length - emLen) : block;
  if (em.length !== emLen || em[emLen - 1] !== 0xbc) return false;
  const masked = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const db = xor(masked, mgf1(h, emLen - hLen - 1, hash));
  db[0] = (db[0] ?? 0) & (0xff >> (8 * emLen - emBits));
  const separator = db.indexOf(0x01);
  if (separator !== emLen - 2 * hLen - 2 || db.subarray(0, separator).some((b) => b !== 0)) return false;
  const salt = db.subarray(separator + 1);
  const expected = createHash(hash).update(Buffer.concat([Buffer.alloc(8), mHash, salt])).digest();
  return timingSafeEqual(expected, Buffer.from(h));
}

function mgf1(seed: Buffer, length: number, hash: Hash): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0; blocks.length * seed.length < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    blocks.push(createHash(hash).update(Buffer.concat([seed, c])).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}

/** The public part as Key Vault's JSON Web Key fields (`n`, `e`, base64url). */
export function publicJwk(privateKeyPem: string): { n: string; e: string } {
  const jwk = createPublicKey(createPrivateKey(privateKeyPem)).export({ format: 'jwk' });
  return { n: String(jwk.n), e: String(jwk.e) };
}

export function publicKeyPem(privateKeyPem: string): string {
  return createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'pem' }) as string;
}
