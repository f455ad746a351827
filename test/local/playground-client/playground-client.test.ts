import { afterEach, describe, expect, it } from 'vitest';
import { PlaygroundClient, PlaygroundRequestError, summarizeBody } from '../../../local/playground-client/playground-client';
import { EXPRESS_413_PAGE, EXPRESS_500_DEV_PAGE, startFakePlayground } from './fake-playground';
import type { FakeAnswer, FakePlayground } from './fake-playground';

let playground: FakePlayground | undefined;
afterEach(async () => {
  await playground?.close();
  playground = undefined;
});

async function sendTo(answer: FakeAnswer, text = 'status site-paris'): Promise<unknown> {
  playground = await startFakePlayground(() => answer);
  const client = new PlaygroundClient(playground.url);
  return client.send(text).then(
    () => 'sent',
    (error: unknown) => error,
  );
}

describe('PlaygroundClient.send', () => {
  it('turns the HTML 413 page of a long paste into the status, what the Playground said, and attaching the log as a file', async () => {
    const error = await sendTo({ status: 413, contentType: 'text/html; charset=utf-8', body: EXPRESS_413_PAGE }, `diagnose site-oslo\n${'charon: 09[IKE] x\n'.repeat(8_000)}`);
    expect(error).toBeInstanceOf(PlaygroundRequestError);
    const { status, said, message } = error as PlaygroundRequestError;
    expect({ status, said }).toEqual({ status: 413, said: 'Payload Too Large' });
    expect(message).toMatch(/^The Agents Playground refused the message: HTTP 413 \(Payload Too Large\)\. The message is 1\d\d KB, too big to send; Teams itself limits how big a message can be, so attach a long device log to the message as a file instead of pasting it/);
    expect(message).not.toContain('<');
    expect(message).not.toContain('\n');
  });

  it('quotes only the first line of an HTML 500 page, never the stack behind it', async () => {
    const error = (await sendTo({ status: 500, contentType: 'text/html; charset=utf-8', body: EXPRESS_500_DEV_PAGE })) as PlaygroundRequestError;
    expect(error.status).toBe(500);
    expect(error.said).toBe("TypeError: Cannot read properties of undefined (reading 'id')");
    expect(error.message).toBe("The Agents Playground refused the message: HTTP 500 (TypeError: Cannot read properties of undefined (reading 'id')). The Playground failed while handling it; see the output of `npm start`.");
  });

  it("quotes a JSON error's message", async () => {
    const error = (await sendTo({ status: 404, contentType: 'application/json; charset=utf-8', body: '{"code":"ConversationNotFound","message":"Conversation not found"}' })) as PlaygroundRequestError;
    expect(error.message).toBe('The Agents Playground refused the message: HTTP 404 (Conversation not found). Check the conversation and the sender the message names.');
  });

  it('refuses a 200 answer that is an HTML page rather than JSON', async () => {
    const error = (await sendTo({ status: 200, contentType: 'text/html', body: '<html><head><title>Some other app</title></head><body></body></html>' })) as PlaygroundRequestError;
    expect(error).toBeInstanceOf(PlaygroundRequestError);
    expect(error.message).toMatch(/^The Agents Playground answered the message with text\/html instead of JSON \(Some other app\)\. Is http:\/\/127\.0\.0\.1:\d+\/_conversation\/v1\/conversations\/personal-0\/messages really the Playground\?$/);
  });

  it('returns the message id of an accepted message', async () => {
    playground = await startFakePlayground(() => ({ status: 200, contentType: 'application/json', body: '{"messageId":"m-1","postConversationId":"personal-0"}' }));
    expect(await new PlaygroundClient(playground.url).send('whoami')).toEqual({ messageId: 'm-1', conversationId: 'personal-0' });
    expect(JSON.parse(playground.posted[0]!)).toMatchObject({ from: { id: 'user-id-0' }, text: 'whoami' });
  });
});

describe('summarizeBody', () => {
  it('keeps a quoted body to one short line without control characters', () => {
    expect(summarizeBody(`first line\u001b[31m red\nsecond line`, 'text/plain')).toBe('first line [31m red');
    const long = summarizeBody('x'.repeat(1000), 'text/plain');
    expect(long).toHaveLength(160);
    expect(long.endsWith('…')).toBe(true);
  });

  it('reads an HTML page without <pre> by its title, and says nothing for an empty body', () => {
    expect(summarizeBody('<html><head><title>Bad Gateway</title></head></html>', 'text/html')).toBe('Bad Gateway');
    expect(summarizeBody('', 'text/html')).toBe('');
  });
});
