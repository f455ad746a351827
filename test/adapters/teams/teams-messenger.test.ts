import { describe, expect, it } from 'vitest';
import { BotAdapter, TurnContext } from 'botbuilder';
import type { Activity, ConversationReference, ResourceResponse } from 'botbuilder';
import { TeamsBotAdapter } from '../../../adapters/teams/teams-bot-adapter';
import { createTeamsMessenger } from '../../../adapters/teams/teams-messenger';
import type { RetryPolicy } from '../../../adapters/teams/teams-messenger';
import type { ConversationStore } from '../../../core/ports/messaging';
import { card, literal } from '../../../cards/adaptive-card';

const REFERENCE = { channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/emea/', conversation: { id: 'a:1personal' }, bot: { id: '28:bot' } };

class Transport extends BotAdapter {
  readonly sent: Partial<Activity>[] = [];
  readonly updated: Partial<Activity>[] = [];
  async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    this.sent.push(...activities);
    return activities.map(() => ({ id: `posted-${this.sent.length}` }));
  }
  async updateActivity(_context: TurnContext, activity: Partial<Activity>): Promise<void> {
    this.updated.push(activity);
  }
  async deleteActivity(): Promise<void> {}
  async continueConversation(): Promise<void> {}
}

/** The real adapter class, with the one call the messenger makes answered locally: Teams' replies are scripted. */
class ScriptedTeams extends TeamsBotAdapter {
  readonly transport = new Transport();
  readonly references: Partial<ConversationReference>[] = [];
  /** Errors the next calls fail with, in order (then success). */
  failures: unknown[] = [];

  constructor() {
    super({ authentication: 'disabled-for-local-use' });
  }

  /** A new message: recorded like the transport records sends (the real one calls the connector directly). */
  override async postNew(reference: Partial<ConversationReference>, activity: Partial<Activity>): Promise<string> {
    this.references.push(reference);
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    this.transport.sent.push(activity);
    return `posted-${this.transport.sent.length}`;
  }

  /** Conversations Teams was asked to create (Bot Framework createConversation), answered with a new personal chat. */
  readonly created: { members: unknown; tenantId: unknown; isGroup: unknown }[] = [];

  override async createConversationAsync(_botAppId: string, channelId: string, serviceUrl: string, _audience: string, parameters: { members?: unknown; tenantId?: unknown; isGroup?: unknown }, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    this.created.push({ members: parameters.members, tenantId: parameters.tenantId, isGroup: parameters.isGroup });
    await logic(new TurnContext(this.transport, { type: 'event', conversation: { id: 'a:1megan-personal', conversationType: 'personal', tenantId: String(parameters.tenantId) }, serviceUrl, channelId, recipient: { id: '29:megan' }, from: { id: '28:bot' } } as Activity));
  }

  override async inConversation(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    this.references.push(reference);
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    await logic(new TurnContext(this.transport, { type: 'event', conversation: reference.conversation, serviceUrl: reference.serviceUrl, channelId: reference.channelId } as Activity));
  }
}

const store: ConversationStore = {
  async save() {
    return 'unused';
  },
  async get(key) {
    return key === 'known' ? { ...REFERENCE } : undefined;
  },
  async savePerson() {
    return undefined;
  },
  async person() {
    return undefined;
  },
};

const MEGAN = '5a7c0de0-0000-4000-8000-00000000a002';

/** A store that knows megan as her activities told it: her Teams user id, and her personal chat once seen. */
function peopleStore(megan: { userId: string; personalConversationKey?: string } | undefined) {
  const references = new Map<string, Record<string, unknown>>([['known', { ...REFERENCE, conversation: { id: '19:group', tenantId: 'tenant-1' } }]]);
  const saved: { aadObjectId: string; userId: string; conversationId?: string }[] = [];
  const people: ConversationStore = {
    async save(conversationId, reference) {
      references.set(`key-${conversationId}`, reference);
      return `key-${conversationId}`;
    },
    async get(key) {
      return references.get(key);
    },
    async savePerson(aadObjectId, userId, personalChat) {
      saved.push({ aadObjectId, userId, ...(personalChat ? { conversationId: personalChat.conversationId } : {}) });
      if (!personalChat) return undefined;
      references.set(`key-${personalChat.conversationId}`, personalChat.reference);
      return `key-${personalChat.conversationId}`;
    },
    async person(aadObjectId) {
      return aadObjectId === MEGAN ? megan : undefined;
    },
  };
  return { people, references, saved };
}

function teamsError(statusCode: number, retryAfter?: string): Error {
  return Object.assign(new Error(`HTTP ${statusCode}`), { statusCode, response: { headers: { get: (name: string) => (name === 'retry-after' ? (retryAfter ?? null) : null) } } });
}

function retry(): RetryPolicy & { slept: number[] } {
  const slept: number[] = [];
  return { attempts: 5, baseDelayMs: 500, slept, sleep: async (ms) => void slept.push(ms) };
}

const payload = card([literal('status site-paris')]);

describe('createTeamsMessenger', () => {
  it('posts a card into the stored conversation and returns its id', async () => {
    const teams = new ScriptedTeams();
    const messenger = createTeamsMessenger(teams, store, retry());
    expect(await messenger.post('known', payload)).toBe('posted-1');
    expect(teams.references).toEqual([REFERENCE]);
    expect(teams.transport.sent[0]).toMatchObject({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: payload }] });
  });

  it('replaces a card by id in the stored conversation', async () => {
    const teams = new ScriptedTeams();
    await createTeamsMessenger(teams, store, retry()).update('known', 'ack-1', payload);
    expect(teams.transport.updated[0]).toMatchObject({ id: 'ack-1', conversation: { id: 'a:1personal' }, attachments: [{ content: payload }] });
  });

  it('refuses a conversation it does not know with a safe error', async () => {
    const teams = new ScriptedTeams();
    await expect(createTeamsMessenger(teams, store, retry()).update('forgotten', 'ack-1', payload)).rejects.toMatchObject({ code: 'ConversationUnknown' });
    expect(teams.references).toEqual([]);
  });

  it('waits as long as Teams says after a 429, then succeeds', async () => {
    const teams = new ScriptedTeams();
    teams.failures = [teamsError(429, '3')];
    const policy = retry();
    await createTeamsMessenger(teams, store, policy).update('known', 'ack-1', payload);
    expect(policy.slept).toEqual([3000]);
    expect(teams.transport.updated).toHaveLength(1);
  });

  it('backs off exponentially on 412, 502, 503, 504 and gives up after the last attempt', async () => {
    const teams = new ScriptedTeams();
    teams.failures = [teamsError(503), teamsError(502), teamsError(504), teamsError(412), teamsError(503)];
    const policy = retry();
    await expect(createTeamsMessenger(teams, store, policy).update('known', 'ack-1', payload)).rejects.toMatchObject({ statusCode: 503 });
    expect(policy.slept).toEqual([500, 1000, 2000, 4000]);
    expect(teams.references).toHaveLength(5);
  });

  it('never waits more than 30 s, whatever Teams asks', async () => {
    const teams = new ScriptedTeams();
    teams.failures = [teamsError(429, '3600')];
    const policy = retry();
    await createTeamsMessenger(teams, store, policy).post('known', payload);
    expect(policy.slept).toEqual([30_000]);
  });

  it('does not retry what retrying cannot fix', async () => {
    for (const failure of [teamsError(403), teamsError(404), new Error('no status')]) {
      const teams = new ScriptedTeams();
      teams.failures = [failure];
      const policy = retry();
      const posting = createTeamsMessenger(teams, store, policy).post('known', payload);
      // 403/404: the bot is no longer in the conversation, said as such (expiry subscriptions are then removed).
      if (failure.message === 'no status') await expect(posting).rejects.toBe(failure);
      else await expect(posting).rejects.toMatchObject({ code: 'ConversationGone' });
      expect(policy.slept).toEqual([]);
    }
  });

  describe('a personal card (an approver, when no approvals channel is configured)', () => {
    it("opens the person's personal chat by their Teams user id (what createConversation takes), remembers it, and posts there", async () => {
      const teams = new ScriptedTeams();
      const { people, saved } = peopleStore({ userId: '29:megan' });
      const posted = await createTeamsMessenger(teams, people, retry()).postTo('known', { personAadObjectId: MEGAN }, payload);
      expect(teams.created).toEqual([{ members: [{ id: '29:megan', name: '' }], tenantId: 'tenant-1', isGroup: false }]);
      expect(posted).toEqual({ conversationKey: 'key-a:1megan-personal', activityId: 'posted-1' });
      expect(teams.references.at(-1)).toMatchObject({ conversation: { id: 'a:1megan-personal' } });
      expect(saved).toEqual([{ aadObjectId: MEGAN, userId: '29:megan', conversationId: 'a:1megan-personal' }]);
    });

    it('posts straight into a personal chat it already knows, without asking Teams to create one', async () => {
      const teams = new ScriptedTeams();
      const { people, references } = peopleStore({ userId: '29:megan', personalConversationKey: 'key-a:1megan-personal' });
      references.set('key-a:1megan-personal', { ...REFERENCE, conversation: { id: 'a:1megan-personal' }, activityId: 'her-last-message' });
      const posted = await createTeamsMessenger(teams, people, retry()).postTo('known', { personAadObjectId: MEGAN }, payload);
      expect(teams.created).toEqual([]);
      expect(posted).toEqual({ conversationKey: 'key-a:1megan-personal', activityId: 'posted-1' });
      expect(teams.references).toEqual([{ ...REFERENCE, conversation: { id: 'a:1megan-personal' } }]);
    });

    it('says what to do when the person never talked to the bot (Teams would refuse an Entra object id)', async () => {
      const teams = new ScriptedTeams();
      const { people } = peopleStore(undefined);
      await expect(createTeamsMessenger(teams, people, retry()).postTo('known', { personAadObjectId: MEGAN }, payload)).rejects.toMatchObject({
        code: 'PersonNotReachable',
        safeMessage: expect.stringContaining('has never talked to the bot'),
        hint: expect.stringContaining('APPROVALS_CHANNEL_ID'),
      });
      expect(teams.created).toEqual([]);
    });
  });

  describe('a file offered for consent (Teams sends files only in personal chats)', () => {
    const offer = { name: 'site-rome.swanctl.conf', description: 'Provision site-rome: site-rome.swanctl.conf', sizeInBytes: 1234, context: { jobId: 'change-1', file: 'site-rome.swanctl.conf', for: MEGAN } };

    it("posts Teams' file consent card into the person's personal chat, opening it when needed", async () => {
      const teams = new ScriptedTeams();
      const { people } = peopleStore({ userId: '29:megan' });
      const posted = await createTeamsMessenger(teams, people, retry()).offerFile('known', { personAadObjectId: MEGAN }, offer);
      expect(teams.created).toEqual([{ members: [{ id: '29:megan', name: '' }], tenantId: 'tenant-1', isGroup: false }]);
      expect(posted).toEqual({ conversationKey: 'key-a:1megan-personal', activityId: 'posted-1' });
      expect(teams.transport.sent).toEqual([
        {
          type: 'message',
          attachments: [{ contentType: 'application/vnd.microsoft.teams.card.file.consent', name: 'site-rome.swanctl.conf', content: { description: offer.description, sizeInBytes: 1234, acceptContext: offer.context, declineContext: offer.context } }],
        },
      ]);
    });

    it('refuses a person it cannot reach personally, and posts nothing', async () => {
      const teams = new ScriptedTeams();
      const { people } = peopleStore(undefined);
      await expect(createTeamsMessenger(teams, people, retry()).offerFile('known', { personAadObjectId: MEGAN }, offer)).rejects.toMatchObject({ code: 'PersonNotReachable' });
      expect(teams.transport.sent).toEqual([]);
    });
  });
});
