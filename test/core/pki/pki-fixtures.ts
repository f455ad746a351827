import { createRootCa, issueCertificate, type IssuedCertificate } from '../../../local/pki/cert-factory';

/** A fixed clock for rule tests: every certificate's dates are relative to it. */
export const NOW = new Date('2026-06-01T12:00:00Z');
export const DAY = 24 * 60 * 60 * 1000;
export const daysFromNow = (days: number): Date => new Date(NOW.getTime() + days * DAY);

export interface Pki {
  root: IssuedCertificate;
  intermediate: IssuedCertificate;
  leaf: IssuedCertificate;
}

/** Root -> intermediate -> leaf (serverAuth + clientAuth), valid for a year around NOW. */
export async function buildPki(prefix = 'Contoso'): Promise<Pki> {
  const root = await createRootCa({ subject: `CN=${prefix} Root CA, O=${prefix}, C=US`, notBefore: daysFromNow(-400), notAfter: daysFromNow(3000) });
  const intermediate = await issueCertificate(root, { subject: `CN=${prefix} Issuing CA, O=${prefix}`, isCa: true, notBefore: daysFromNow(-300), notAfter: daysFromNow(2000) });
  const leaf = await issueCertificate(intermediate, { subject: `CN=vpn.${prefix.toLowerCase()}.example, O=${prefix}`, notBefore: daysFromNow(-10), notAfter: daysFromNow(355) });
  return { root, intermediate, leaf };
}
