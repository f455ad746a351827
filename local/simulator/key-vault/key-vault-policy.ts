import { clientAuth, serverAuth } from '../x509/eku';
import { parseNameText, type SimNameAttribute } from '../x509/names';
import type { SimCertificateProfile } from '../x509/sim-cert-builder';
import type { SimCertificate } from '../x509/sim-certificate';
import { kvErrors } from './key-vault-error';

/** A certificate policy as Key Vault's REST API spells it (snake_case, as the SDK serializes it). */
export interface WirePolicy {
  key_props: { exportable: boolean; kty: string; key_size?: number; reuse_key: boolean; crv?: string };
  secret_props: { contentType: string };
  x509_props: {
    subject?: string;
    ekus?: string[];
    key_usage?: string[];
    validity_months?: number;
    sans?: { dns_names?: string[]; emails?: string[]; upns?: string[] };
    /** In Key Vault's REST examples and honoured on create, but in no SDK: the only way to ask for a CA certificate. */
    basic_constraints?: { ca: boolean; path_len_constraint?: number };
  };
  lifetime_actions: { trigger: { lifetime_percentage?: number; days_before_expiry?: number }; action: { action_type: string } }[];
  issuer: { name: string; cty?: string; cert_transparency?: boolean };
}

export const PKCS12 = 'application/x-pkcs12';
export const PEM = 'application/x-pem-file';
const RSA_KEY_SIZES = [2048, 3072, 4096];
/** Key Vault's key usage names (X.509 Key Usage bits). */
export const KEY_USAGES = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'] as const;

/** Key Vault's default policy: RSA 2048, exportable, PFX secret, 12 months, both TLS EKUs, email at 80% lifetime. */
export function defaultPolicy(): WirePolicy {
  return {
    key_props: { exportable: true, kty: 'RSA', key_size: 2048, reuse_key: false },
    secret_props: { contentType: PKCS12 },
    x509_props: { ekus: [serverAuth, clientAuth], key_usage: ['digitalSignature', 'keyEncipherment'], validity_months: 12 },
    lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'EmailContacts' } }],
    issuer: { name: 'Unknown' },
  };
}

/** The policy Key Vault records for an imported certificate: what the certificate itself says, issuer Unknown. */
export function policyFromCertificate(cert: SimCertificate, contentType: string, dnsNames: readonly string[]): WirePolicy {
  const months = Math.max(1, Math.round((cert.notAfter.getTime() - cert.notBefore.getTime()) / (30.44 * 24 * 3600 * 1000)));
  return {
    key_props: { exportable: true, kty: cert.keyType === 'ec' ? 'EC' : 'RSA', ...(cert.keyBits ? { key_size: cert.keyBits } : {}), reuse_key: false },
    secret_props: { contentType },
    x509_props: {
      subject: cert.subject,
      ekus: [...cert.extendedKeyUsages],
      key_usage: [...(cert.keyUsages ?? [])],
      validity_months: months,
      ...(dnsNames.length > 0 ? { sans: { dns_names: [...dnsNames] } } : {}),
      basic_constraints: { ca: cert.isCa },
    },
    lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'EmailContacts' } }],
    issuer: { name: 'Unknown' },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringArray(value: unknown, field: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw kvErrors.badParameter(`Property ${field} must be an array of strings.`);
  return value as string[];
}

/**
 * Merges a policy from a request body over `base`, the way PATCH /policy and create/import with a policy do:
 * fields present replace, fields absent stay. Validates what Key Vault validates for the parts modelled.
 */
export function mergePolicy(base: WirePolicy, patch: unknown): WirePolicy {
  if (patch === undefined || patch === null) return base;
  if (!isRecord(patch)) throw kvErrors.badParameter('The policy must be a JSON object.');
  const next: WirePolicy = structuredClone(base);
  const key = patch.key_props;
  if (isRecord(key)) {
    if (typeof key.exportable === 'boolean') next.key_props.exportable = key.exportable;
    if (typeof key.kty === 'string') next.key_props.kty = key.kty;
    if (typeof key.key_size === 'number') next.key_props.key_size = key.key_size;
    if (typeof key.reuse_key === 'boolean') next.key_props.reuse_key = key.reuse_key;
    if (typeof key.crv === 'string') next.key_props.crv = key.crv;
  }
  const secret = patch.secret_props;
  if (isRecord(secret) && typeof secret.contentType === 'string') {
    if (secret.contentType !== PKCS12 && secret.contentType !== PEM) throw kvErrors.badParameter(`Content type '${secret.contentType}' is not supported. Use ${PKCS12} or ${PEM}.`);
    next.secret_props.contentType = secret.contentType;
  }
  const x509 = patch.x509_props;
  if (isRecord(x509)) {
    if (typeof x509.subject === 'string') next.x509_props.subject = x509.subject;
    const ekus = stringArray(x509.ekus, 'x509_props.ekus');
    if (ekus) next.x509_props.ekus = ekus;
    const keyUsage = stringArray(x509.key_usage, 'x509_props.key_usage');
    if (keyUsage) {
      const unknown = keyUsage.find((u) => !(KEY_USAGES as readonly string[]).includes(u));
      if (unknown !== undefined) throw kvErrors.badParameter(`Invalid key usage '${unknown.slice(0, 40)}'. Valid values: ${KEY_USAGES.join(', ')}.`);
      next.x509_props.key_usage = keyUsage;
    }
    if (typeof x509.validity_months === 'number') {
      if (!Number.isInteger(x509.validity_months) || x509.validity_months < 1 || x509.validity_months > 1200) throw kvErrors.badParameter('validity_months must be an integer from 1 to 1200.');
      next.x509_props.validity_months = x509.validity_months;
    }
    if (isRecord(x509.sans)) {
      const dns = stringArray(x509.sans.dns_names, 'x509_props.sans.dns_names');
      const emails = stringArray(x509.sans.emails, 'x509_props.sans.emails');
      next.x509_props.sans = { ...(dns ? { dns_names: dns } : {}), ...(emails ? { emails } : {}) };
    }
    if (isRecord(x509.basic_constraints)) {
      const { ca, path_len_constraint: pathLength } = x509.basic_constraints;
      if (typeof ca !== 'boolean') throw kvErrors.badParameter('x509_props.basic_constraints.ca must be true or false.');
      if (pathLength !== undefined && (!Number.isInteger(pathLength) || (pathLength as number) < 0)) throw kvErrors.badParameter('x509_props.basic_constraints.path_len_constraint must be a non-negative integer.');
      next.x509_props.basic_constraints = { ca, ...(pathLength !== undefined ? { path_len_constraint: pathLength as number } : {}) };
    }
  }
  if (Array.isArray(patch.lifetime_actions)) {
    const actions = structuredClone(patch.lifetime_actions) as WirePolicy['lifetime_actions'];
    for (const action of actions) {
      const type = isRecord(action) && isRecord(action.action) ? action.action.action_type : undefined;
      if (type !== 'AutoRenew' && type !== 'EmailContacts') throw kvErrors.badParameter(`Lifetime action type '${String(type).slice(0, 40)}' is not valid; use AutoRenew or EmailContacts.`);
    }
    next.lifetime_actions = actions;
  }
  const issuer = patch.issuer;
  if (isRecord(issuer) && typeof issuer.name === 'string') next.issuer = { ...next.issuer, name: issuer.name };
  return next;
}

/** What a create with this policy needs: RSA of a size Key Vault offers, and a subject. */
export function validateForCreate(policy: WirePolicy): { keyBits: number; profile: SimCertificateProfile } {
  const kty = policy.key_props.kty.toUpperCase();
  if (kty !== 'RSA' && kty !== 'RSA-HSM') {
    throw kvErrors.badParameter(`Key type '${policy.key_props.kty}' is not modelled by the Azure simulator's Key Vault: it creates RSA keys only (what site-to-site VPN needs).`);
  }
  const keyBits = policy.key_props.key_size ?? 2048;
  if (!RSA_KEY_SIZES.includes(keyBits)) throw kvErrors.badParameter(`Invalid key size ${keyBits}. RSA key sizes are 2048, 3072 and 4096.`);
  const subjectText = policy.x509_props.subject;
  if (!subjectText || subjectText.trim() === '') throw kvErrors.badParameter('The policy must have x509_props.subject to create a certificate.');
  const subject: SimNameAttribute[] | undefined = parseNameText(subjectText);
  if (!subject) throw kvErrors.badParameter(`Invalid subject '${subjectText.slice(0, 100)}': expected a distinguished name such as CN=vpn.contoso.com.`);
  const bc = policy.x509_props.basic_constraints;
  return {
    keyBits,
    profile: {
      subject,
      keyUsages: policy.x509_props.key_usage ?? ['digitalSignature', 'keyEncipherment'],
      extendedKeyUsages: policy.x509_props.ekus ?? [],
      dnsNames: policy.x509_props.sans?.dns_names ?? [],
      emails: policy.x509_props.sans?.emails ?? [],
      basicConstraints: { ca: bc?.ca ?? false, ...(bc?.path_len_constraint !== undefined ? { pathLength: bc.path_len_constraint } : {}) },
    },
  };
}

/** Key operations a certificate's key permits, from the policy's key usage (what `GET /keys` shows as `key_ops`). */
export function keyOpsForUsage(keyUsages: readonly string[]): string[] {
  const ops = new Set<string>();
  if (keyUsages.some((u) => ['digitalSignature', 'nonRepudiation', 'keyCertSign', 'cRLSign'].includes(u))) ['sign', 'verify'].forEach((o) => ops.add(o));
  if (keyUsages.includes('keyEncipherment')) ['wrapKey', 'unwrapKey'].forEach((o) => ops.add(o));
  if (keyUsages.includes('dataEncipherment')) ['encrypt', 'decrypt'].forEach((o) => ops.add(o));
  return [...ops];
}
