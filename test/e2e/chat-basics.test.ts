import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardActions, cardText } from '../../local/playground-client/playground-client';
import type { ChatFixture } from './sandbox-fixture';
import { startChat } from './sandbox-fixture';

let chat: ChatFixture;

beforeAll(async () => {
  chat = await startChat();
});

afterAll(async () => {
  await chat?.close();
});

describe('chatting with the bot through the Agents Playground', () => {
  it('answers help in a personal chat with the commands the caller may run', async () => {
    const reply = await chat.say('help');
    const text = cardText(reply);
    expect(text).toContain('status [site|all]');
    expect(text).toContain('diagnose <site> [--hours N]');
    expect(text).toContain('Environment: sandbox');
  });

  it('welcomes the person once when they install the bot in a personal chat', async () => {
    const conversationId = await chat.client.conversationId('personal');
    const before = chat.client.all().length;
    const since = Date.now();
    // The bot's answer to the conversationUpdate that installing it in this chat delivers.
    const welcome = chat.client.answerTo((a) => a.type === 'conversationUpdate' && a.conversationId === conversationId && a.at >= since);
    const response = await fetch(`${chat.sandbox.playground!.url}/_debug/conversation/${conversationId}/installation`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.ok).toBe(true);
    const text = cardText(await welcome);
    expect(text).toMatch(/VPN certificate bot/);
    // Alex is reader and operator: every command is his to run but `approvals`, which needs an approver.
    const needsRole = text.slice(text.indexOf('Needs a role you do not have'));
    expect(needsRole).toMatch(/^Needs a role you do not have:\s+approvals\s+List the changes waiting for an approver[^(]*\(approver\)\s+(Environment: sandbox)?\s*(\[|$)/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(chat.client.all().length).toBe(before + 1);
  });

  it('tells the caller who they are and which roles they have', async () => {
    const reply = await chat.say('whoami');
    expect(cardText(reply)).toMatch(/Alex Wilber.*5a7c0de0-0000-4000-8000-00000000a001.*reader, operator/);
  });

  it('answers an @mention in a channel', async () => {
    const reply = await chat.say('whoami', { conversation: 'channel', as: 'user-id-1' });
    expect(cardText(reply)).toMatch(/Megan Bowen.*reader, approver/);
  });

  it('refuses a person without a role, and says how to get one', async () => {
    const reply = await chat.say('status site-paris', { conversation: 'group', as: 'user-id-2' });
    expect(cardText(reply)).toMatch(/Not allowed.*needs the reader role, and you have no role/);
  });

  it('suggests the closest command for a typo, with buttons', async () => {
    const reply = await chat.say('stauts');
    expect(cardText(reply)).toMatch(/Did you mean.*status/);
    expect(cardActions(reply).map((a) => a.title)).toContain('help status');
  });

  it('acknowledges status at once and updates the same card with the site, flagging the expiring certificate', async () => {
    const ack = await chat.say('status site-paris');
    expect(cardText(ack)).toMatch(/Working on it/);
    const done = await chat.until(ack.id, /Checked/, 30_000);
    const text = cardText(done);
    expect(text).toMatch(/Connected/);
    expect(text).toMatch(/expires in (9|10) d/);
    expect(done.updates).toBeGreaterThan(0);
  });

  it('lists the caller\'s jobs', async () => {
    const reply = await chat.say('jobs');
    expect(cardText(reply)).toMatch(/status site-paris\s+done/);
  });
});
