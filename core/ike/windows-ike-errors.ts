import type { IkeEventKind } from './ike-event';

/**
 * The Windows (IKEEXT, winerror.h) and CryptoAPI error codes that Azure VPN Gateway's IKE log carries, with the texts
 * it prints for them. Only codes we have seen in Microsoft's pages or that follow from winerror.h are listed; an
 * unlisted code is still extracted as a number, it just maps to no kind.
 */
export interface WindowsIkeError {
  code: number;
  name: string;
  message: string;
  kind: IkeEventKind;
}

export const WINDOWS_IKE_ERRORS: readonly WindowsIkeError[] = Object.freeze([
  { code: 13801, name: 'ERROR_IPSEC_IKE_AUTH_FAIL', message: 'IKE authentication credentials are unacceptable', kind: 'credentials-unacceptable' },
  { code: 13805, name: 'ERROR_IPSEC_IKE_TIMED_OUT', message: 'Negotiation timed out', kind: 'negotiation-timeout' },
  {
    code: 13806,
    name: 'ERROR_IPSEC_IKE_NO_CERT',
    message: 'IKE failed to find valid machine certificate. Contact your Network Security Administrator about installing a valid certificate in the appropriate Certificate Store.',
    kind: 'outbound-certificate-unusable',
  },
  { code: 13826, name: 'ERROR_IPSEC_IKE_INVALID_SIGNATURE', message: 'Failed to verify signature', kind: 'signature-verify-failed' },
  { code: 13843, name: 'ERROR_IPSEC_IKE_INVALID_PAYLOAD', message: 'Invalid payload received', kind: 'invalid-payload' },
  { code: 13868, name: 'ERROR_IPSEC_IKE_POLICY_MATCH', message: 'Policy match error', kind: 'policy-mismatch' },
  {
    code: 0x800b0101,
    name: 'CERT_E_EXPIRED',
    message: 'A required certificate is not within its validity period when verifying against the current system clock or the timestamp in the signed file.',
    kind: 'certificate-outside-validity',
  },
  {
    code: 0x800b0109,
    name: 'CERT_E_UNTRUSTEDROOT',
    message: 'A certificate chain processed, but terminated in a root certificate which is not trusted by the trust provider.',
    kind: 'certificate-untrusted',
  },
  { code: 0x800b010a, name: 'CERT_E_CHAINING', message: 'A certificate chain could not be built to a trusted root authority.', kind: 'certificate-untrusted' },
  { code: 0x800b010f, name: 'CERT_E_CN_NO_MATCH', message: "The certificate's CN name does not match the passed value.", kind: 'identity-mismatch' },
]);

const BY_CODE = new Map(WINDOWS_IKE_ERRORS.map((e) => [e.code, e]));

export function windowsIkeError(code: number | undefined): WindowsIkeError | undefined {
  return code === undefined ? undefined : BY_CODE.get(code);
}

/** `0x35E9` -> `13801`; `0x800B0109` -> `2148204809`. */
export function hexCode(code: number): string {
  return `0x${code.toString(16).toUpperCase()}`;
}

const MESSAGE_KEYS = WINDOWS_IKE_ERRORS.map((e) => ({ key: e.message.toLowerCase().slice(0, 40), error: e }));

/** The code whose message a status text quotes ("with status Policy match error" -> 13868). */
export function windowsIkeErrorByMessage(text: string): WindowsIkeError | undefined {
  const lower = text.toLowerCase();
  for (const { key, error } of MESSAGE_KEYS) if (lower.includes(key)) return error;
  return undefined;
}
