import { afterEach, describe, expect, it } from 'vitest';
import { cardText, PlaygroundClient, PlaygroundRequestError, summarizeBody } from '../../../local/playground-client/playground-client';
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

/** The Playground's log, as its stream sends it: an activity it delivered to the bot (bot-0), made at `at`. */
const delivered = (id: string, at: number, activity: Record<string, unknown>) => ({
  logAction: 'appendLog',
  log: {
    type: 'bot',
    request: { body: { id, timestamp: new Date(at).toISOString(), from: { id: 'user-id-0' }, recipient: { id: 'bot-0' }, conversation: { id: 'personal-0' }, ...activity } },
    response: { statusCode: 200, body: '' },
  },
});

/** An activity the bot sent the Playground's connector, and the Playground's answer: a new message `id`, or (with `updates`) a new version of it. */
const botSent = (id: string, title: string, options: { replyToId?: string; updates?: boolean } = {}) => ({
  logAction: 'appendLog',
  log: {
    type: 'bot',
    request: {
      body: {
        type: 'message',
        ...(options.updates ? { id } : {}),
        ...(options.replyToId ? { replyToId: options.replyToId } : {}),
        from: { id: 'bot-0' },
        conversation: { id: 'personal-0' },
        attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: title }] } }],
      },
    },
    response: { statusCode: options.updates ? 200 : 201, body: { id } },
  },
});

describe('PlaygroundClient.replyTo', () => {
  /** A fake Playground that accepts messages as m-1, m-2, … made at the times `at` gives, and a client on it. */
  async function connected(at: () => number = Date.now, options: { configFailures?: number } = {}) {
    let count = 0;
    playground = await startFakePlayground(() => ({ status: 200, contentType: 'application/json', body: JSON.stringify({ messageId: `m-${++count}`, timestamp: at() }) }), options);
    const client = new PlaygroundClient(playground.url);
    await client.connect();
    return { client, playground };
  }

  it('is the reply to the activity the Playground delivered for the message, whatever else the bot posts first', async () => {
    const { client, playground } = await connected();
    const sent = await client.send('status site-paris');
    const reply = client.replyTo(sent);
    const now = Date.now();
    // Another person's message and its answer, a card a job posts on its own, then ours: the Playground logs a
    // delivery once the bot has answered it, so the answer comes first.
    playground.log(botSent('r-0', 'Hello from the bot to someone else', { replyToId: 'a-0' }));
    playground.log(delivered('a-0', now, { type: 'message', text: 'help', from: { id: 'user-id-4' } }));
    playground.log(botSent('p-1', 'Waiting for approval'));
    playground.log(botSent('r-1', 'Working on it: status', { replyToId: 'a-1' }));
    playground.log(botSent('r-1', 'status site-paris Connected', { updates: true }));
    playground.log(delivered('a-1', now + 1, { type: 'message', text: 'status site-paris' }));
    const message = await reply;
    expect({ id: message.id, text: cardText(message), updates: message.updates }).toEqual({ id: 'r-1', text: 'Working on it: status', updates: 0 });
    expect(cardText(client.get('r-1')!)).toBe('status site-paris Connected');
  });

  it('gives two identical messages one reply each, their own, in whatever order the Playground logs them', async () => {
    let clock = Date.now();
    const { client, playground } = await connected(() => (clock += 5));
    const first = await client.send('status site-paris');
    const second = await client.send('status site-paris');
    const replies = Promise.all([client.replyTo(first), client.replyTo(second)]);
    playground.log(botSent('r-2', 'Working on it: status (second)', { replyToId: 'a-2' }));
    playground.log(delivered('a-2', clock + 1, { type: 'message', text: 'status site-paris' }));
    playground.log(botSent('r-1', 'Working on it: status (first)', { replyToId: 'a-1' }));
    playground.log(delivered('a-1', clock - 4, { type: 'message', text: 'status site-paris' }));
    expect((await replies).map((m) => m.id)).toEqual(['r-1', 'r-2']);
  });

  it('finds the message a button press made the bot post', async () => {
    const { client, playground } = await connected();
    const pressed = await client.invoke({ verb: 'runCommand', data: { command: 'status site-paris' }, replyToId: 'card-1', conversationId: 'personal-0' });
    const reply = client.replyTo(pressed);
    const now = Date.now();
    playground.log(botSent('r-7', 'Working on it: status site-london', { replyToId: 'i-0' }));
    playground.log(delivered('i-0', now, { type: 'invoke', replyToId: 'card-1', value: { action: { type: 'Action.Execute', verb: 'runCommand', data: { command: 'status site-london' } } } }));
    playground.log(botSent('r-8', 'Working on it: status site-paris', { replyToId: 'i-1' }));
    playground.log(delivered('i-1', now, { type: 'invoke', replyToId: 'card-1', value: { action: { type: 'Action.Execute', verb: 'runCommand', data: { command: 'status site-paris' } } } }));
    expect((await reply).id).toBe('r-8');
  });

  it('says when the Playground has not delivered the message, naming it', async () => {
    const { client } = await connected();
    await expect(client.replyTo(await client.send('status site-paris'), 50)).rejects.toThrow(
      'No answer from the bot to "status site-paris" within 0.05 s: the Playground has not logged delivering it (the bot is still handling it, or never got it). See the output of `npm start`.',
    );
  });

  it('asks for the configuration again while a log listener of the Playground hangs up', async () => {
    const { client } = await connected(Date.now, { configFailures: 2 });
    expect((await client.config()).bot.id).toBe('bot-0');
  });
});
