import { UserError } from '../errors/user-error';
import type { CertificateInfo } from './certificate-info';
import { decodeCertificates, invalidCertificate } from './certificate-input';
import { isIssuedBy, label, orderInboundChain } from './chain-links';
import { checkInboundChain } from './check-inbound-chain';
import { CertificateCodes, type CertificateViolation } from './certificate-violation';
import { parseDer } from './parse-certificate';
import { subjectMatches } from './subject-matches';
import { verifyChain } from './verify-chain';

/** Largest input `rotate <site> inbound` reads (pasted text or an attached .pem/.cer/.p7b): 16 certificates as PEM. */
export const MAX_INBOUND_INPUT_CHARS = 128 * 1024;

/** The new inbound CA certificates as given, and a device certificate pasted with them (if one was). */
export interface InboundInput {
  /** The CA certificates in the order given (root, intermediates). */
  readonly certificates: readonly CertificateInfo[];
  /** A device (end-entity) certificate pasted along: it is checked against the new chain, never sent to Azure. */
  readonly device?: CertificateInfo;
}

/** What the checks found: Azure's errors (each with its code) or the chain in Azure's order, with warnings. */
export type InboundChainCheck =
  | { readonly ok: false; readonly errors: readonly CertificateViolation[] }
  | { readonly ok: true; readonly chain: readonly CertificateInfo[]; readonly warnings: readonly CertificateViolation[] };

/**
 * Reads what a person gives `rotate <site> inbound` (pasted: PEM, base64 DER, a PKCS#7 bundle; attached: the same, or
 * DER). A private key (or a .pfx, which carries one) is refused with Azure's code and never echoed: the inbound chain
 * takes public certificates only, and a key pasted into chat is exposed. One certificate that is neither a CA nor
 * self-issued is the device's own: it is kept apart to be checked against the chain.
 */
export function readInboundInput(input: Uint8Array | string): InboundInput {
  const size = typeof input === 'string' ? input.length : input.byteLength;
  if (size > MAX_INBOUND_INPUT_CHARS) {
    throw invalidCertificate(`What was given is larger than ${MAX_INBOUND_INPUT_CHARS / 1024} KB; a chain of 5 certificates fits in a few KB.`, 'Paste only the root and intermediate CA certificates (PEM).');
  }
  const { ders, otherBlocks } = decodeCertificates(input, MAX_INBOUND_INPUT_CHARS);
  if (otherBlocks.some((blockLabel) => blockLabel.includes('PRIVATE KEY'))) {
    throw new UserError(
      CertificateCodes.InboundPrivateKey,
      'What was given contains a private key. The inbound chain takes public CA certificates only, never keys; nothing was requested.',
      'Paste only the CERTIFICATE blocks of the root and intermediate CAs. Treat that private key as exposed and replace it.',
    );
  }
  if (ders.length === 0) throw invalidCertificate('No certificate found in what was given.', 'Paste the new root and intermediate CA certificates as PEM (-----BEGIN CERTIFICATE-----), base64, or attach the .p7b.');
  const all = ders.map((der, index) => {
    try {
      return parseDer(der);
    } catch (error) {
      if (error instanceof UserError && ders.length > 1) throw new UserError(error.code, `Certificate ${index + 1} of ${ders.length}: ${error.safeMessage}`, error.hint, { cause: error });
      throw error;
    }
  });
  const leaves = all.filter((c) => !c.isCa && !c.selfIssued);
  if (leaves.length === 1 && all.length > 1) {
    const device = leaves[0]!;
    // The device's certificate is the one nothing else in the input was issued by.
    if (!all.some((c) => c !== device && isIssuedBy(c, device))) return { certificates: all.filter((c) => c !== device), device };
  }
  return { certificates: all };
}

/**
 * Azure's rules for the new inbound chain (checkInboundChain: at most 5, one single chain, root present, CA flags,
 * nothing expired, no duplicates), the chain put in Azure's order (root first, each certificate after its issuer).
 * Order itself is never an error here: the bot orders it.
 */
export function checkNewInboundChain(certificates: readonly CertificateInfo[], now: Date): InboundChainCheck {
  const ordered = orderInboundChain(certificates);
  // Judged as given (a duplicate is an error even though the ordered chain would drop it), ordered when sent.
  const violations = checkInboundChain(certificates, now).filter((v) => v.code !== CertificateCodes.InboundOrder);
  const errors = violations.filter((v) => v.severity === 'error');
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, chain: ordered ?? [...certificates], warnings: violations };
}

/**
 * A device certificate pasted with the new chain: it must chain (signatures checked) to the new root through the new
 * chain, be valid now, and match the inbound subject the connection will have. Returns the problems, in words.
 */
export async function checkDeviceAgainstChain(device: CertificateInfo, chain: readonly CertificateInfo[], subject: string, now: Date): Promise<string[]> {
  const problems: string[] = [];
  const verified = await verifyChain(device, [], chain, now);
  if (!verified.ok) problems.push(`The device certificate ${label(device)} does not chain to the new root: ${verified.detail}`);
  if (!subjectMatches(device, subject)) problems.push(`The device certificate's subject ${label(device)} does not match the inbound subject ${subject}.`);
  return problems;
}

/** A chain as people read it on a plan: subjects, root first. */
export function chainSubjects(chain: readonly Pick<CertificateInfo, 'subject'>[]): string {
  return chain.length === 0 ? '(empty)' : chain.map((c) => c.subject || '(empty subject)').join(' -> ');
}
