import { CertificateCodes, type CertificateViolation } from './certificate-violation';

/** `inboundAuthCertificateSubjectName` must not be empty (Azure: CertificateSubjectNameIsEmpty). */
export function checkInboundSubjectName(subjectName: string | undefined): CertificateViolation[] {
  if (subjectName !== undefined && subjectName.trim() !== '') return [];
  return [
    {
      code: CertificateCodes.InboundSubjectNameEmpty,
      severity: 'error',
      message: "The inbound certificate subject name is empty. Give the subject (common name) of the device's certificate, for example rome-vpn.contoso.example.",
    },
  ];
}
