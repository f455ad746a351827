/**
 * How outbound certificates are rotated (`rotate <site> outbound`): the deployment's CA in Key Vault (used only
 * through Key Vault's sign), how long a new certificate is valid, how long the old version stays enabled after a
 * rotation, and how long a rotation's verification waits for both tunnels and a fresh IKE negotiation.
 */
export interface OutboundRotationConfig {
  /** Versionless (or versioned) Key Vault certificate identifier of the CA (`OUTBOUND_CA_CERTIFICATE_ID`); absent: `--source ca` is not offered. */
  readonly caCertificateId?: string;
  /** Validity of a CA-issued certificate, in days (`OUTBOUND_CERTIFICATE_DAYS`, default 365, 1-825). */
  readonly defaultDays: number;
  /** Hours the previous version stays enabled after a rotation (`OUTBOUND_GRACE_HOURS`, default 168, 0-2160). */
  readonly graceHours: number;
  /** Minutes verification may take (`OUTBOUND_VERIFY_MINUTES`, default 15, 1-120): tunnels back and an IKE success logged. */
  readonly verifyMinutes: number;
  /** Minutes a provisioning waits for the device to connect (`PROVISION_DEVICE_WAIT_MINUTES`, default 30, 1-1440). */
  readonly provisionWaitMinutes?: number;
}

/** How long a provisioning waits for the device by default (the card says "waiting for the device"). */
export const DEFAULT_PROVISION_WAIT_MINUTES = 30;

export const DEFAULT_OUTBOUND_ROTATION: OutboundRotationConfig = { defaultDays: 365, graceHours: 168, verifyMinutes: 15 };

const CERTIFICATE_ID = /^https:\/\/[^/\s?#]+(?:\/[^/\s?#]+)*\/certificates\/[0-9a-zA-Z-]{1,127}(?:\/[0-9a-zA-Z]{1,64})?\/?$/;

export function readOutboundRotation(get: (name: string) => string | undefined, problems: string[]): OutboundRotationConfig {
  const whole = (name: string, fallback: number, min: number, max: number): number => {
    const text = get(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (default ${fallback}).`);
      return fallback;
    }
    return value;
  };
  const caCertificateId = get('OUTBOUND_CA_CERTIFICATE_ID');
  if (caCertificateId !== undefined && !CERTIFICATE_ID.test(caCertificateId)) {
    problems.push('OUTBOUND_CA_CERTIFICATE_ID must be a Key Vault certificate identifier: https://<vault>.vault.azure.net/certificates/<name> (the CA certificate whose key signs outbound certificates).');
  }
  return {
    ...(caCertificateId !== undefined && CERTIFICATE_ID.test(caCertificateId) ? { caCertificateId } : {}),
    defaultDays: whole('OUTBOUND_CERTIFICATE_DAYS', DEFAULT_OUTBOUND_ROTATION.defaultDays, 1, 825),
    graceHours: whole('OUTBOUND_GRACE_HOURS', DEFAULT_OUTBOUND_ROTATION.graceHours, 0, 2160),
    verifyMinutes: whole('OUTBOUND_VERIFY_MINUTES', DEFAULT_OUTBOUND_ROTATION.verifyMinutes, 1, 120),
    ...(get('PROVISION_DEVICE_WAIT_MINUTES') !== undefined ? { provisionWaitMinutes: whole('PROVISION_DEVICE_WAIT_MINUTES', DEFAULT_PROVISION_WAIT_MINUTES, 1, 1440) } : {}),
  };
}
