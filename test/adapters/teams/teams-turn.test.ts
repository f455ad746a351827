import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { TurnContext } from 'botbuilder';
import type { Activity } from 'botbuilder';
import type { ActionOutcome, CardAction, ChatMessage } from '../../../core/ports/chat';
import { card, literal } from '../../../cards/adaptive-card';
import type { AdaptiveCard } from '../../../cards/adaptive-card';
import { createTurnLogic } from '../../../adapters/teams/teams-turn';
import { RecordingAdapter, RecordingStore } from './recording-adapter';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const ALEX = '5a7c0de0-0000-4000-8000-00000000a001';

interface Turn {
  readonly adapter: RecordingAdapter;
  readonly store: RecordingStore;
  readonly messages: ChatMessage[];
  readonly actions: CardAction[];
  readonly installs: number;
  /** Team conversations the bot was added to (key, conversation id). */
  readonly teams: [string, string][];
}

function activityOf(over: Partial<Activity>): Activity {
  return {
    type: 'message',
    id: 'incoming-1',
    channelId: 'msteams',
    serviceUrl: 'https://smba.trafficmanager.net/emea/',
    from: { id: '29:1abc', aadObjectId: ALEX, name: '  Alex Wilber ' },
    recipient: { id: '28:bot', name: 'VPN Bot' },
    conversation: { id: 'a:1personal', conversationType: 'personal', tenantId: TENANT, isGroup: false, name: '' },
    ...over,
  } as Activity;
}

async function runTurn(over: Partial<Activity>, options: { outcome?: ActionOutcome; allowLoopbackDownloads?: boolean; onMessage?: (m: ChatMessage) => Promise<void>; onRefused?: (why: string) => void; store?: RecordingStore } = {}): Promise<Turn> {
  const adapter = new RecordingAdapter();
  const store = options.store ?? new RecordingStore();
  const turn = { adapter, store, messages: [] as ChatMessage[], actions: [] as CardAction[], installs: 0, teams: [] as [string, string][] };
  const logic = createTurnLogic(
    {
      onMessage: async (m) => {
        turn.messages.push(m);
        await options.onMessage?.(m);
      },
      onAction: async (a) => {
        turn.actions.push(a);
        return options.outcome ?? { kind: 'message', text: 'ok' };
      },
      onInstalled: async (_caller, reply) => {
        turn.installs++;
        await reply(card([literal('welcome')]));
      },
      onAddedToTeam: async (key, conversationId) => {
        turn.teams.push([key, conversationId]);
      },
    },
    store,
    { downloads: { allowedHosts: ['*.sharepoint.com'], allowLoopback: options.allowLoopbackDownloads ?? false }, ...(options.onRefused ? { onRefused: options.onRefused } : {}) },
  );
  await logic(new TurnContext(adapter, activityOf(over)));
  return turn;
}

const smallCard: AdaptiveCard = card([literal('hello')]);

describe('createTurnLogic: messages', () => {
  it('takes identity and tenant from the activity, and the conversation type', async () => {
    const { messages } = await runTurn({ text: '<at>VPN Bot</at> status' });
    expect(messages).toHaveLength(1);
    expect(messages[0]!.text).toBe('<at>VPN Bot</at> status');
    expect(messages[0]!.caller).toEqual({ aadObjectId: ALEX, tenantId: TENANT, displayName: 'Alex Wilber' });
    expect(messages[0]!.conversation).toEqual({ id: 'a:1personal', type: 'personal', tenantId: TENANT });
  });

  it('reads the tenant from channel data when the conversation does not carry it, and names an anonymous caller', async () => {
    const { messages } = await runTurn({ from: { id: 'x', name: '   ' }, conversation: { id: '19:ch@thread.tacv2', conversationType: 'channel', isGroup: true, name: '' }, channelData: { tenant: { id: TENANT } } });
    expect(messages[0]!.caller).toEqual({ tenantId: TENANT, displayName: 'someone' });
    expect(messages[0]!.conversation).toEqual({ id: '19:ch@thread.tacv2', type: 'channel' });
  });

  it('trusts identity from Teams only: an activity from another channel reaches no handler and is reported', async () => {
    for (const channelId of ['webchat', 'directline', 'emulator', 'slack', 'MSTEAMS', '']) {
      const refused: string[] = [];
      const turn = await runTurn({ channelId, text: 'status' }, { onRefused: (why) => refused.push(why) });
      expect({ channelId, messages: turn.messages.length, sent: turn.adapter.sent }).toEqual({ channelId, messages: 0, sent: [] });
      expect(refused).toEqual([`activity from channel ${channelId}`]);
      const pressed = await runTurn({ channelId, type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'approveChange', data: {} } } });
      expect(pressed.actions).toEqual([]);
      expect(pressed.adapter.sent).toMatchObject([{ type: 'invokeResponse', value: { status: 200, body: { value: 'This bot answers in Microsoft Teams only.' } } }]);
    }
  });

  it('takes the tenant only when the conversation and the channel data agree on it', async () => {
    const agree = await runTurn({ channelData: { tenant: { id: TENANT.toUpperCase() } } });
    expect(agree.messages[0]!.caller.tenantId).toBe(TENANT);
    const forged = await runTurn({ channelData: { tenant: { id: '0e0e0e0e-1111-4222-8333-444455556666' } } });
    expect(forged.messages[0]!.caller).toEqual({ aadObjectId: ALEX, displayName: 'Alex Wilber' });
    expect(forged.messages[0]!.conversation).toEqual({ id: 'a:1personal', type: 'personal' });
    const forgedPress = await runTurn({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'approveChange', data: {} } }, channelData: { tenant: { id: '0e0e0e0e-1111-4222-8333-444455556666' } } });
    expect(forgedPress.actions[0]!.caller).toEqual({ aadObjectId: ALEX, displayName: 'Alex Wilber' });
  });

  it('maps group chats, and anything unknown to personal', async () => {
    expect((await runTurn({ conversation: { id: 'g', conversationType: 'groupChat', isGroup: true, name: '' } })).messages[0]!.conversation.type).toBe('groupChat');
    expect((await runTurn({ conversation: { id: 'x', conversationType: 'meeting', isGroup: true, name: '' } })).messages[0]!.conversation.type).toBe('personal');
  });

  it('replies with an Adaptive Card attachment, replaces a card by id, and remembers the conversation reference', async () => {
    const turn = await runTurn({}, {
      onMessage: async (m) => {
        expect(await m.reply(smallCard)).toBe('sent-1');
        await m.update('sent-1', smallCard);
        expect(await m.rememberConversation()).toBe('key-1');
      },
    });
    expect(turn.adapter.sent).toMatchObject([{ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: smallCard }] }]);
    expect(turn.adapter.updated[0]).toMatchObject({ id: 'sent-1', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' }], conversation: { id: 'a:1personal' } });
    expect(turn.store.saved[0]!.conversationId).toBe('a:1personal');
    expect(turn.store.saved[0]!.reference).toMatchObject({ serviceUrl: 'https://smba.trafficmanager.net/emea/', channelId: 'msteams', conversation: { id: 'a:1personal', tenantId: TENANT } });
  });
});

describe('createTurnLogic: the people the bot has seen', () => {
  it("remembers each sender's Teams user id (what a personal chat is opened with), and their personal chat when they write from it", async () => {
    const store = new RecordingStore();
    await runTurn({}, { store });
    await runTurn({ from: { id: '29:1megan', aadObjectId: '5a7c0de0-0000-4000-8000-00000000a002', name: 'Megan Bowen' }, conversation: { id: '19:ch@thread.tacv2', conversationType: 'channel', isGroup: true, name: '' } }, { store });
    expect(store.people).toEqual([
      { aadObjectId: ALEX, userId: '29:1abc', personalChat: 'a:1personal' },
      { aadObjectId: '5a7c0de0-0000-4000-8000-00000000a002', userId: '29:1megan' },
    ]);
  });

  it('answers the turn even when the sender cannot be remembered; a sender without an Entra id is not remembered', async () => {
    const store = new RecordingStore();
    store.peopleError = new Error('Table Storage unavailable');
    expect((await runTurn({}, { store })).messages).toHaveLength(1);
    store.peopleError = undefined;
    await runTurn({ from: { id: 'x', name: 'guest' } }, { store });
    expect(store.people).toEqual([]);
  });
});

describe('createTurnLogic: attachments', () => {
  it('skips the message itself (text/html) and cards; takes Teams files, links and inline text', async () => {
    const { messages } = await runTurn({
      attachments: [
        { contentType: 'text/html', content: '<p>diagnose site-oslo</p>' },
        { contentType: 'application/vnd.microsoft.card.adaptive', content: {} },
        { contentType: 'application/vnd.microsoft.teams.file.download.info', name: 'charon.log', content: { downloadUrl: 'https://contoso.sharepoint.com/charon.log', fileType: 'log' } },
        { contentType: 'application/vnd.microsoft.teams.file.download.info', name: 'no-url.log', content: {} },
        { contentType: 'text/plain', name: 'linked.txt', contentUrl: 'https://files.example/linked.txt' },
        { contentType: 'text/plain', name: 'inline.txt', content: 'Nov 23 17:58:10 08[IKE] hello' },
      ],
    });
    const files = messages[0]!.files;
    expect(files.map((f) => [f.name, f.contentType, f.size])).toEqual([
      ['charon.log', 'log', undefined],
      ['linked.txt', 'text/plain', undefined],
      ['inline.txt', 'text/plain', 29],
    ]);
    expect(new TextDecoder().decode(await files[2]!.download(1024))).toBe('Nov 23 17:58:10 08[IKE] hello');
  });

  it("downloads a file through the sandbox's loopback exception, and refuses a link Teams did not serve", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('Nov 23 17:58:10 08[IKE] small');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const contentUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/small.log`;
      const file = async (allowLoopbackDownloads: boolean) => (await runTurn({ attachments: [{ contentType: 'text/plain', name: 'f.log', contentUrl }] }, { allowLoopbackDownloads })).messages[0]!.files[0]!;
      expect(new TextDecoder().decode(await (await file(true)).download(1024))).toBe('Nov 23 17:58:10 08[IKE] small');
      await expect((await file(false)).download(1024)).rejects.toMatchObject({ code: 'AttachmentUnreadable' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('createTurnLogic: card actions', () => {
  const invoke = (action: unknown): Partial<Activity> => ({ type: 'invoke', name: 'adaptiveCard/action', value: { action, trigger: 'manual' } });

  it('hands an Action.Execute to the bot with the verified caller, whatever the data claims', async () => {
    const turn = await runTurn({ ...invoke({ type: 'Action.Execute', verb: 'cancelJob', data: { jobId: 'x', from: { aadObjectId: 'someone-else' }, aadObjectId: 'someone-else', tenantId: 'other' } }), from: { id: '29:2', aadObjectId: '5a7c0de0-0000-4000-8000-00000000a003', name: 'Adele Vance' } });
    expect(turn.actions).toHaveLength(1);
    expect(turn.actions[0]!.verb).toBe('cancelJob');
    expect(turn.actions[0]!.data).toEqual({ jobId: 'x', from: { aadObjectId: 'someone-else' }, aadObjectId: 'someone-else', tenantId: 'other' });
    expect(turn.actions[0]!.caller).toEqual({ aadObjectId: '5a7c0de0-0000-4000-8000-00000000a003', tenantId: TENANT, displayName: 'Adele Vance' });
  });

  it('answers the invoke with the card that replaces the pressed one', async () => {
    const turn = await runTurn(invoke({ type: 'Action.Execute', verb: 'runCommand', data: { command: 'jobs', replace: true } }), { outcome: { kind: 'card', card: smallCard } });
    expect(turn.adapter.sent).toMatchObject([{ type: 'invokeResponse', value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: smallCard } } }]);
  });

  it('answers the invoke with a message when the card stays', async () => {
    const turn = await runTurn(invoke({ type: 'Action.Execute', verb: 'runCommand', data: { command: 'whoami' } }), { outcome: { kind: 'message', text: 'Done.' } });
    expect(turn.adapter.sent).toMatchObject([{ type: 'invokeResponse', value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'Done.' } } }]);
  });

  it('does not pass on anything but an Action.Execute with a verb', async () => {
    for (const action of [{ type: 'Action.Submit', data: { verb: 'cancelJob' } }, { type: 'Action.Execute' }, { type: 'Action.Execute', verb: 42 }, undefined]) {
      const turn = await runTurn(invoke(action));
      expect(turn.actions).toEqual([]);
      expect(turn.adapter.sent).toMatchObject([{ type: 'invokeResponse', value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'That button is not one of mine.' } } }]);
    }
  });

  it('ignores invokes it does not handle', async () => {
    const turn = await runTurn({ type: 'invoke', name: 'composeExtension/query', value: {} });
    expect(turn.actions).toEqual([]);
    expect(turn.adapter.sent).toEqual([]);
  });
});

describe('createTurnLogic: installation', () => {
  it('welcomes once, when the bot itself is added to a personal chat', async () => {
    const added = await runTurn({ type: 'conversationUpdate', membersAdded: [{ id: '28:bot', name: 'VPN Bot' }] });
    expect(added.installs).toBe(1);
    expect(added.adapter.sent).toHaveLength(1);
  });

  it('says nothing for the installation event Teams sends alongside, for people joining, or in a channel', async () => {
    expect((await runTurn({ type: 'installationUpdate', action: 'add' })).installs).toBe(0);
    expect((await runTurn({ type: 'conversationUpdate', membersAdded: [{ id: '29:someone', name: 'Megan' }] })).installs).toBe(0);
    expect((await runTurn({ type: 'conversationUpdate', membersAdded: [{ id: '28:bot', name: 'VPN Bot' }], conversation: { id: '19:c', conversationType: 'channel', isGroup: true, name: '' } })).installs).toBe(0);
    expect((await runTurn({ type: 'typing' })).adapter.sent).toEqual([]);
  });

  it("added to a team: the team's conversation reference is stored (so its channels can be posted to), and nothing is said", async () => {
    const channel = { id: '19:general@thread.tacv2', conversationType: 'channel', isGroup: true, name: '', tenantId: TENANT };
    const installed = await runTurn({ type: 'installationUpdate', action: 'add', conversation: channel, channelData: { tenant: { id: TENANT }, team: { id: '19:team@thread.tacv2' } } });
    expect(installed.teams).toEqual([['key-1', '19:general@thread.tacv2']]);
    expect(installed.store.saved.map((s) => s.conversationId)).toEqual(['19:general@thread.tacv2']);
    expect(installed.adapter.sent).toEqual([]);
    const updated = await runTurn({ type: 'conversationUpdate', membersAdded: [{ id: '28:bot', name: 'VPN Bot' }], conversation: channel });
    expect(updated.teams).toEqual([['key-1', '19:general@thread.tacv2']]);
    // Someone else joining the team, the bot removed, or a personal install: no team to remember.
    expect((await runTurn({ type: 'conversationUpdate', membersAdded: [{ id: '29:someone', name: 'Megan' }], conversation: channel })).teams).toEqual([]);
    expect((await runTurn({ type: 'installationUpdate', action: 'remove', conversation: channel, channelData: { team: { id: '19:team@thread.tacv2' } } })).teams).toEqual([]);
    expect((await runTurn({ type: 'installationUpdate', action: 'add' })).teams).toEqual([]);
  });
});
