import { describe, expect, it } from 'vitest';
import type { AccessPolicy } from '../../../core/auth/access-policy';
import { authorize, rolesOf } from '../../../core/auth/access-policy';

const TENANT = '11111111-1111-1111-1111-111111111111';
const OTHER_TENANT = '99999999-9999-9999-9999-999999999999';
const READER = 'aaaaaaaa-0000-0000-0000-000000000001';
const OPERATOR = 'aaaaaaaa-0000-0000-0000-000000000002';
const APPROVER = 'aaaaaaaa-0000-0000-0000-000000000003';
const NOBODY = 'aaaaaaaa-0000-0000-0000-000000000004';

const policy: AccessPolicy = {
  allowedTenantIds: new Set([TENANT]),
  members: { reader: new Set([READER]), operator: new Set([OPERATOR]), approver: new Set([APPROVER]) },
};

describe('access policy', () => {
  it('grants listed roles; operators and approvers can also read', () => {
    expect(rolesOf({ aadObjectId: READER, tenantId: TENANT }, policy)).toEqual(['reader']);
    expect(rolesOf({ aadObjectId: OPERATOR, tenantId: TENANT }, policy)).toEqual(['reader', 'operator']);
    expect(rolesOf({ aadObjectId: APPROVER, tenantId: TENANT }, policy)).toEqual(['reader', 'approver']);
  });

  it('does not make an operator an approver', () => {
    expect(authorize({ aadObjectId: OPERATOR, tenantId: TENANT }, 'approver', policy)).toMatchObject({ allowed: false, reason: 'missing-role' });
  });

  it('denies by default: unknown people, other tenants, missing identity', () => {
    expect(authorize({ aadObjectId: NOBODY, tenantId: TENANT }, 'reader', policy)).toMatchObject({ allowed: false, reason: 'missing-role' });
    expect(authorize({ aadObjectId: READER, tenantId: OTHER_TENANT }, 'reader', policy)).toMatchObject({ allowed: false, reason: 'tenant-not-allowed' });
    expect(authorize({ tenantId: TENANT }, 'reader', policy)).toMatchObject({ allowed: false, reason: 'no-identity' });
    expect(authorize({ aadObjectId: READER }, 'reader', policy)).toMatchObject({ allowed: false, reason: 'no-identity' });
  });

  it('compares ids case-insensitively, as Entra does', () => {
    expect(rolesOf({ aadObjectId: READER.toUpperCase(), tenantId: TENANT.toUpperCase() }, policy)).toEqual(['reader']);
  });

  it('lets anyone run commands meant for everyone (help, whoami)', () => {
    expect(authorize({}, 'anyone', policy)).toMatchObject({ allowed: true, roles: [] });
  });

  it('grants nothing when no role is configured', () => {
    const empty: AccessPolicy = { allowedTenantIds: new Set([TENANT]), members: { reader: new Set(), operator: new Set(), approver: new Set() } };
    expect(authorize({ aadObjectId: READER, tenantId: TENANT }, 'reader', empty).allowed).toBe(false);
  });
});
