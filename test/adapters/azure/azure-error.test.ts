import { RestError } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { toAzureError } from '../../../adapters/azure/azure-error';
import { isUserError } from '../../../core/errors/user-error';

function restError(status: number, body: unknown, headers: Record<string, string> = {}): RestError {
  const error = new RestError(JSON.stringify(body), {
    statusCode: status,
    code: (body as { error?: { code?: string } }).error?.code,
    response: { status, headers: { get: (n: string) => headers[n.toLowerCase()] } as never, request: {} as never, bodyAsText: JSON.stringify(body) },
  });
  return error;
}

describe('toAzureError', () => {
  it('keeps Azure\'s code and never its message', () => {
    const secret = 'sharedKey=hunter2 for /subscriptions/abc';
    const error = toAzureError(restError(400, { error: { code: 'InvalidPskExist', message: secret } }), 'create or update connection cn-x');
    expect(isUserError(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'BadRequest', code: 'AzureBadRequest', azureCode: 'InvalidPskExist', status: 400 });
    expect(error.safeMessage).toContain('cn-x');
    expect(error.safeMessage).toContain('InvalidPskExist');
    expect(error.safeMessage).not.toContain('hunter2');
    expect(error.hint).toMatch(/Remove the shared key/);
  });

  it('reads the missing action of an authorization failure, and the linked one of a linked failure', () => {
    const plain = toAzureError(restError(403, { error: { code: 'AuthorizationFailed', message: "The client 'x' with object id 'x' does not have authorization to perform action 'Microsoft.Network/connections/write' over scope '/subscriptions/s'" } }), 'create connection');
    expect(plain).toMatchObject({ kind: 'Forbidden', details: { missingAction: 'Microsoft.Network/connections/write' } });
    const linked = toAzureError(
      restError(403, { error: { code: 'LinkedAuthorizationFailed', message: "The client 'x' with object id 'x' has permission to perform action 'Microsoft.Network/virtualNetworkGateways/write' on scope 'g'; however, it does not have permission to perform action(s) 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action' on the linked scope(s) 'i'" } }),
      'set identity',
    );
    expect(linked.details.missingAction).toBe('Microsoft.ManagedIdentity/userAssignedIdentities/assign/action');
  });

  it("explains Azure's codes for certificate connections, including a busy resource's 429", () => {
    const busy = toAzureError(restError(429, { error: { code: 'RetryableError', message: 'A retryable error occurred.' } }, { 'retry-after': '10' }), 'create or update connection cn-x');
    expect(busy).toMatchObject({ kind: 'Throttled', azureCode: 'RetryableError', retryAfterSeconds: 10 });
    expect(busy.safeMessage).toBe('Azure could not create or update connection cn-x: Azure is still applying another change to a resource this change needs. It asked to wait 10 s.');
    const chain = toAzureError(new Error('The long-running operation has failed. VpnConnectionOutBoundAuthenticationCertificateChainFault. The chain is short.'), 'create or update connection cn-x');
    expect(chain).toMatchObject({ kind: 'OperationFailed', azureCode: 'VpnConnectionOutBoundAuthenticationCertificateChainFault', hint: expect.stringMatching(/full x5c chain/) });
    const identity = toAzureError(restError(400, { error: { code: 'ManagedIdentityMissingAtGatewayLevel', message: '' } }), 'create or update connection cn-x');
    expect(identity.safeMessage).toMatch(/no user-assigned managed identity/);
  });

  it('maps statuses and shapes to kinds', () => {
    expect(toAzureError(restError(429, { error: { code: 'TooManyRequests', message: '' } }, { 'retry-after': '7' }), 'x')).toMatchObject({ kind: 'Throttled', retryAfterSeconds: 7 });
    expect(toAzureError(restError(404, { error: { code: 'ResourceNotFound', message: '' } }), 'x').kind).toBe('NotFound');
    expect(toAzureError(restError(409, { error: { code: 'AnotherOperationInProgress', message: '' } }), 'x')).toMatchObject({ kind: 'Conflict', hint: 'Try again when it has finished.' });
    expect(toAzureError(restError(412, { error: { code: 'PreconditionFailed', message: '' } }), 'x').kind).toBe('PreconditionFailed');
    expect(toAzureError(restError(503, { error: { code: 'ServiceUnavailable', message: '' } }), 'x').kind).toBe('ServiceUnavailable');
    expect(toAzureError(restError(401, { error: { code: 'InvalidAuthenticationToken', message: '' } }), 'x').kind).toBe('Unauthenticated');
    expect(toAzureError(Object.assign(new Error('aborted'), { name: 'AbortError' }), 'x').kind).toBe('Timeout');
    expect(toAzureError(new RestError('socket hang up', { code: 'ECONNRESET' }), 'x').kind).toBe('ServiceUnavailable');
  });

  it('reads the code of a failed long-running operation from core-lro\'s error', () => {
    const error = toAzureError(new Error('The long-running operation has failed. VpnGatewayKeyVaultSecretNotFound. Certificate x was not found'), 'update connection');
    expect(error).toMatchObject({ kind: 'OperationFailed', azureCode: 'VpnGatewayKeyVaultSecretNotFound' });
    expect(error.safeMessage).not.toContain('Certificate x');
  });

  it('drops codes that do not look like identifiers', () => {
    const error = toAzureError(restError(400, { error: { code: '<script>alert(1)</script>', message: '' } }), 'x');
    expect(error.azureCode).toBeUndefined();
    expect(error.safeMessage).not.toContain('<script>');
  });
});
