// The certificate rules of site-to-site certificate authentication, framework-free. See each module for details.
export { EKU, toBase64Der, toPem, type CertificateInfo, type PublicKeyInfo } from './certificate-info';
export {
  CertificateCodes,
  EXPIRY_WARNING_DAYS,
  MAX_INBOUND_CHAIN_LENGTH,
  MIN_RSA_BITS,
  hasErrors,
  sortViolations,
  type CertificateViolation,
} from './certificate-violation';
export { MAX_CERTIFICATE_BYTES, MAX_CHAIN_CERTIFICATES, MAX_CHAIN_TEXT_CHARS } from './certificate-input';
export { parseCertificate, parseDer } from './parse-certificate';
export { parseCertificateChain } from './parse-certificate-chain';
export { checkOutboundCertificate, describeKey, type OutboundCheckOptions } from './check-outbound-certificate';
export { checkInboundChain, type InboundCheckOptions } from './check-inbound-chain';
export { checkInboundSubjectName } from './check-inbound-subject-name';
export { isIssuedBy, orderInboundChain } from './chain-links';
export { verifyChain, signatureVerifies, type ChainVerification } from './verify-chain';
export { subjectMatches } from './subject-matches';
export { daysUntilExpiry, isExpired, isNotYetValid, formatDay } from './days-until-expiry';
export { describeCertificate, expiryState, type CertificateSummary, type ExpiryState } from './describe-certificate';
