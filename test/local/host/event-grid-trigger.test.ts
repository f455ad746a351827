import { describe, expect, it } from 'vitest';
import { handleEventGridWebhook } from '../../../local/host/event-grid-trigger';

const functions = new Map([['keyVaultCertificateEvents', { triggerName: 'eventGridTrigger' }]]);
const request = (body: unknown, headers: Record<string, string> = {}, method = 'POST', name = 'keyVaultCertificateEvents') => ({
  method,
  headers,
  query: new URLSearchParams({ functionName: name }),
  body: Buffer.from(body === undefined ? '' : JSON.stringify(body)),
});

describe('the local host Event Grid webhook', () => {
  it('answers the subscription validation handshake with the code (Event Grid schema) and the origin (CloudEvents)', async () => {
    const invoked: unknown[] = [];
    const answer = await handleEventGridWebhook(request([{ eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', data: { validationCode: 'abc-123' } }], { 'aeg-event-type': 'SubscriptionValidation' }), functions, async (_n, i) => void invoked.push(i));
    expect(answer).toEqual({ status: 200, body: { validationResponse: 'abc-123' } });
    expect(await handleEventGridWebhook(request(undefined, { 'webhook-request-origin': 'eventgrid.azure.net' }, 'OPTIONS'), functions, async () => undefined)).toEqual({ status: 200, headers: { 'WebHook-Allowed-Origin': 'eventgrid.azure.net' } });
    expect(invoked).toEqual([]);
  });

  it('invokes the function once per event of a batch; a failure answers 500 so Event Grid delivers again', async () => {
    const invoked: { name: string; data: unknown }[] = [];
    const events = [{ id: '1', eventType: 'Microsoft.KeyVault.CertificateNearExpiry' }, { id: '2', eventType: 'Microsoft.KeyVault.CertificateExpired' }];
    const ok = await handleEventGridWebhook(request(events, { 'aeg-event-type': 'Notification' }), functions, async (name, inputs) => void invoked.push({ name, data: JSON.parse((inputs[0]!.data as { json: string }).json) }));
    expect(ok.status).toBe(200);
    expect(invoked).toEqual([{ name: 'keyVaultCertificateEvents', data: events[0] }, { name: 'keyVaultCertificateEvents', data: events[1] }]);
    const failed = await handleEventGridWebhook(request(events, { 'aeg-event-type': 'Notification' }), functions, async () => {
      throw new Error('boom');
    });
    expect(failed.status).toBe(500);
    expect((await handleEventGridWebhook(request(events, {}, 'POST', 'other'), functions, async () => undefined)).status).toBe(404);
  });
});
