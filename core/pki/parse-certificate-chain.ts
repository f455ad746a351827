import { UserError } from '../errors/user-error';
import type { CertificateInfo } from './certificate-info';
import { decodeCertificates, invalidCertificate, MAX_CHAIN_TEXT_CHARS } from './certificate-input';
import { CertificateCodes } from './certificate-violation';
import { parseDer } from './parse-certificate';

/**
 * Parses the certificates of an inbound chain as people paste them: several PEM blocks, base64 DER one per line
 * (the portal's "one continuous line" per certificate), a certificate wrapped over several lines, or a JSON array
 * of base64 strings as in `inboundAuthCertificateChain`. Order is kept as given; `checkInboundChain` judges it.
 *
 * A private key in the text is refused with Azure's own code: the chain must hold public certificates only, and a
 * key pasted into chat should be treated as exposed.
 */
export function parseCertificateChain(text: string): CertificateInfo[] {
  if (typeof text !== 'string') throw invalidCertificate('The certificate chain must be text.');
  const { ders, otherBlocks } = decodeCertificates(text, MAX_CHAIN_TEXT_CHARS);
  const keyBlock = otherBlocks.find((label) => label.includes('PRIVATE KEY'));
  if (keyBlock) {
    throw new UserError(
      CertificateCodes.InboundPrivateKey,
      'The text contains a private key. The inbound chain takes public certificates only (.cer files), never keys.',
      'Remove the key block and paste only the CERTIFICATE blocks. Treat that private key as exposed and replace it.',
    );
  }
  if (ders.length === 0) throw invalidCertificate(`No certificate found: the text holds only ${otherBlocks.join(', ')} blocks.`);
  return ders.map((der, index) => {
    try {
      return parseDer(der);
    } catch (error) {
      if (error instanceof UserError && ders.length > 1) {
        throw new UserError(error.code, `Certificate ${index + 1} of ${ders.length}: ${error.safeMessage}`, error.hint, { cause: error });
      }
      throw error;
    }
  });
}
