/**
 * Talks to the Agents Playground the way its own web page does (see shared/design/playground.md): messages and
 * Action.Execute invokes over HTTP, the bot's output over its log WebSocket (see PlaygroundClient). Used by
 * `npm run chat` and the end-to-end tests, so both exercise the path a person's message takes.
 */
import { randomInt } from 'node:crypto';

export interface BotMessage {
  readonly id: string;
  readonly conversationId: string;
  /** In a channel: the thread the message starts (`<channel>;messageid=<id>`), which a button press names. */
  readonly postConversationId?: string;
  readonly text?: string;
  readonly cards: Record<string, unknown>[];
  /** Its other attachments (a file consent card, a file info card), as sent. */
  readonly attachments?: readonly OtherAttachment[];
  /** How many times the bot updated it in place. */
  readonly updates: number;
  readonly receivedAt: number;
}

export interface OtherAttachment {
  readonly contentType: string;
  readonly name?: string;
  readonly contentUrl?: string;
  readonly content?: unknown;
}

export const FILE_CONSENT_CARD = 'application/vnd.microsoft.teams.card.file.consent';

export interface PlaygroundEvent {
  readonly action: 'createMessage' | 'updateMessage';
  readonly message: BotMessage;
}

export type ConversationKind = 'personal' | 'group' | 'channel';

interface PlaygroundConfig {
  readonly config: {
    readonly tenantId: string;
    readonly bot: { readonly id: string; readonly name: string };
    readonly currentUser: { readonly id: string; readonly name: string; readonly aadObjectId: string };
    readonly users: readonly { readonly id: string; readonly name: string; readonly aadObjectId: string }[];
    readonly personalChat: { readonly id: string };
    readonly groupChats: readonly { readonly id: string; readonly members: readonly string[] }[];
    readonly teams: readonly { readonly id: string; readonly channels: readonly { readonly id: string; readonly name: string }[] }[];
  };
}

/**
 * The Playground (or, for other people's messages, the bot endpoint) did not answer with what the client needs:
 * an error status or a body that is not JSON. The message is ready for a person: status, what the server said in
 * one line, and what to do.
 */
export class PlaygroundRequestError extends Error {
  constructor(
    readonly status: number,
    /** The server's own words, one line (an Express HTML error page reduces to e.g. "Payload Too Large"). */
    readonly said: string,
    message: string,
  ) {
    super(message);
    this.name = 'PlaygroundRequestError';
  }
}

/** Longest part of a server's error body quoted back, so a stack trace or a whole page never floods the terminal. */
const MAX_SAID = 160;

/** One line of an error body: a JSON `message`, the text of an HTML page's <pre> or <title>, or the text itself. */
export function summarizeBody(body: string, contentType: string): string {
  let text = body;
  if (/json/i.test(contentType)) {
    try {
      const parsed = JSON.parse(body) as { message?: unknown; error?: { message?: unknown } };
      const message = parsed.message ?? parsed.error?.message;
      if (typeof message === 'string') text = message;
    } catch {
      // Not the JSON it claims to be: quote it as text.
    }
  } else if (/html/i.test(contentType) || /^\s*</.test(body)) {
    // Express's error page is <pre>Payload Too Large</pre>, or in development the error name and its stack
    // separated by <br>: the first line is what was said, the rest is the server's business.
    const block = /<pre[^>]*>([\s\S]*?)<\/pre>/i.exec(body)?.[1] ?? /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body)?.[1] ?? body;
    text = block.split(/<br\s*\/?>|\n/i).find((line) => line.replace(/<[^>]*>/g, '').trim() !== '') ?? '';
    text = text
      .replace(/<[^>]*>/g, '')
      .replace(/&nbsp;/g, ' ')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
  } else {
    text = body.split('\n').find((line) => line.trim() !== '') ?? '';
  }
  // Control characters could move the cursor or recolour the terminal the message is printed to.
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return line.length > MAX_SAID ? `${line.slice(0, MAX_SAID - 1)}…` : line;
}

/** What the server said, in parentheses after the status, when it said anything. */
const inParens = (said: string): string => (said ? ` (${said})` : '');

const serverFailed = (who: string): string => `${who} failed while handling it; see the output of \`npm start\`.`;

/**
 * The JSON answer of a request, checked first: an error status or a body that is not JSON becomes a
 * PlaygroundRequestError saying what happened (`what` is e.g. "the message") and `fix`'s advice for the status.
 */
async function readJson<T>(response: Response, what: string, fix: (status: number) => string): Promise<T> {
  const contentType = response.headers.get('content-type') ?? '';
  const body = await response.text();
  const said = summarizeBody(body, contentType);
  if (!response.ok) {
    throw new PlaygroundRequestError(response.status, said, `The Agents Playground refused ${what}: HTTP ${response.status}${inParens(said)}. ${fix(response.status)}`);
  }
  if (!/json/i.test(contentType)) {
    throw new PlaygroundRequestError(response.status, said, `The Agents Playground answered ${what} with ${contentType || 'no content type'} instead of JSON${inParens(said)}. Is ${response.url || 'the URL'} really the Playground?`);
  }
  try {
    return JSON.parse(body) as T;
  } catch {
    throw new PlaygroundRequestError(response.status, said, `The Agents Playground answered ${what} with JSON it could not read${inParens(said)}.`);
  }
}

const kilobytes = (bytes: number) => `${Math.ceil(bytes / 1024).toLocaleString('en-US')} KB`;

/** What to do when the Playground (or the bot) refuses a message, by status. */
function messageFix(bytes: number, who = 'The Playground'): (status: number) => string {
  return (status) =>
    status === 413
      ? `The message is ${kilobytes(bytes)}, too big to send; Teams itself limits how big a message can be, so attach a long device log to the message as a file instead of pasting it, or paste only the lines around the failure.`
      : status >= 500
        ? serverFailed(who)
        : 'Check the conversation and the sender the message names.';
}

const TRY_AGAIN = (status: number) => (status >= 500 ? serverFailed('The Playground') : 'Check that the sandbox is running (`npm start`).');

/**
 * An activity the Playground delivered to the bot, as the Playground's log records it. The bot's answer names its id
 * as replyToId. (The Playground gives the activity an id of its own, not the message id its message API returns.)
 */
export interface DeliveredActivity {
  readonly id: string;
  readonly type: string;
  readonly text?: string;
  readonly fromId?: string;
  readonly conversationId: string;
  /** A button press names the message whose card was pressed. */
  readonly replyToId?: string;
  readonly value?: unknown;
  /** When the Playground made it (ms). */
  readonly at: number;
}

/** What `send` returns; `replyTo` takes it. */
export interface SentMessage {
  readonly messageId: string;
  readonly conversationId: string;
}

/** What `invoke` returns: the bot's invoke response. `replyTo` takes it, for a message the press made the bot post. */
export interface ButtonPress {
  readonly status: number;
  readonly body: { type?: string; value?: unknown };
}

/** How to find the activity the bot received for something this client sent: known, or recognised in the log. */
interface Delivery {
  activityId?: string;
  readonly matches: (activity: DeliveredActivity) => boolean;
  /** The Playground made the activity no earlier than this (ms). */
  readonly since: number;
  /** For a person: what got no answer. */
  readonly what: string;
}

/** An activity in the Playground's log, either way (only what the client reads). */
interface LoggedActivity {
  readonly id?: string;
  readonly type?: string;
  readonly text?: string;
  readonly timestamp?: string;
  readonly replyToId?: string;
  readonly value?: unknown;
  readonly from?: { readonly id?: string };
  readonly recipient?: { readonly id?: string };
  readonly conversation?: { readonly id?: string };
  readonly attachments?: readonly { readonly contentType?: string; readonly content?: unknown; readonly name?: string; readonly contentUrl?: string }[];
  /** Creating a conversation (POST /v3/conversations) carries its first message here. */
  readonly activity?: LoggedActivity;
  readonly bot?: { readonly id?: string };
}

interface LogItem {
  readonly type?: string;
  readonly request?: { readonly body?: unknown };
  readonly response?: { readonly statusCode?: number; readonly body?: unknown };
}

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';
/** Tries of the config call while a log listener hangs up (waiting 0.1 s, 0.2 s, …: 4.5 s in all). */
const CONFIG_ATTEMPTS = 10;

/**
 * What the bot sends is read from the Playground's log stream (the web page's log panel): each activity the Playground
 * delivered to the bot and each one the bot sent its connector, with the Playground's answer. Not from the
 * conversation stream, for two reasons. Only the log ties an answer to what it answers (replyToId), so replies are
 * told apart by what they answer, never by when they arrive. And the Playground fails the bot's send whenever one of
 * its conversation-stream sockets is closing (it awaits every socket), so a client hanging up there made another
 * run's card update fail and be sent again; a failed log broadcast is ignored.
 */
export class PlaygroundClient {
  private socket: WebSocket | undefined;
  private readonly messages = new Map<string, BotMessage>();
  private readonly listeners = new Set<(event: PlaygroundEvent) => void>();
  /** Called after each log item: pending `replyTo`s look again. */
  private readonly logListeners = new Set<() => void>();
  /** What the Playground delivered to the bot since connecting, in the log's order. */
  private readonly delivered: DeliveredActivity[] = [];
  /** A delivered activity's id -> the first new message the bot posted in reply to it, as posted. */
  private readonly firstReplies = new Map<string, BotMessage>();
  /** Delivered activities taken as one of this client's sends, so two identical sends get one each. */
  private readonly claimed = new Set<string>();
  /** What `send` and `invoke` returned -> how to find the activity the bot received for it. */
  private readonly deliveries = new WeakMap<SentMessage | ButtonPress, Delivery>();
  /** The same, for everything this client sent through the Playground: `claim` tells identical ones apart. */
  private readonly sends = new Set<Delivery>();
  private cachedConfig: PlaygroundConfig['config'] | undefined;

  /**
   * @param baseUrl the Playground (http://127.0.0.1:<port>)
   * @param botEndpoint the bot's /api/messages, for messages from people other than the Playground's current user
   */
  constructor(
    readonly baseUrl: string,
    readonly botEndpoint?: string,
  ) {}

  /** Waits for the bot (see `config`), then opens the log stream; call before sending so no reply is missed. */
  async connect(): Promise<void> {
    const config = await this.config();
    const channels = new Set(config.teams.flatMap((team) => team.channels.map((channel) => channel.id)));
    const url = `${this.baseUrl.replace(/^http/, 'ws')}/_ws/log/stream`;
    const socket = new WebSocket(url);
    socket.onmessage = (event) => this.onLogItem(String(event.data), config.bot.id, channels);
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new Error(`Could not open the Playground's log stream at ${url}`));
    });
    this.socket = socket;
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  /**
   * Waits for the bot to be reachable (the Playground's config call blocks until then). The Playground fails the call
   * while one of its log listeners (another client, or a page) is hanging up, as it awaits telling each of them it is
   * connecting: that passes in a moment, so it is asked again.
   */
  async config(): Promise<PlaygroundConfig['config']> {
    for (let attempt = 1; !this.cachedConfig; attempt++) {
      const response = await fetch(`${this.baseUrl}/_internal/v1/config`, { signal: AbortSignal.timeout(60_000) });
      try {
        this.cachedConfig = (await readJson<PlaygroundConfig>(response, 'the request for its configuration', TRY_AGAIN)).config;
      } catch (error) {
        const listenerLeaving = error instanceof PlaygroundRequestError && error.status === 500 && /^WebSocket is not open/.test(error.said);
        if (!listenerLeaving || attempt >= CONFIG_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
    return this.cachedConfig;
  }

  async conversationId(kind: ConversationKind): Promise<string> {
    const config = await this.config();
    if (kind === 'personal') return config.personalChat.id;
    if (kind === 'group') return config.groupChats[0]!.id;
    return config.teams[0]!.channels[0]!.id;
  }

  /**
   * Sends a message as `fromId`; in group chats and channels it @mentions the bot, as Teams requires. `replyTo`
   * then waits for the bot's answer to it.
   *
   * The Playground's message API always speaks as its current user. For anyone else the client posts the very
   * activity the Playground would have sent (same conversation, tenant, mention and connector URL) straight to the
   * bot endpoint; the bot's replies still flow through the Playground's connector and show in its chat.
   */
  async send(text: string, options: { fromId?: string; conversation?: ConversationKind; attachments?: unknown[] } = {}): Promise<SentMessage> {
    const config = await this.config();
    const kind = options.conversation ?? 'personal';
    if (options.fromId && options.fromId !== config.currentUser.id) return this.sendAsOther(text, options.fromId, kind, options.attachments);
    const conversationId = await this.conversationId(kind);
    const mention = `<at>${config.bot.name}</at>`;
    const said = kind === 'personal' ? text : `${mention} ${text}`;
    const body: Record<string, unknown> = {
      from: { id: options.fromId ?? config.currentUser.id },
      text: said,
      textFormat: 'plain',
      ...(kind === 'personal' ? {} : { mentions: [{ mentioned: { id: config.bot.id }, text: mention }] }),
      ...(options.attachments ? { attachments: options.attachments } : {}),
    };
    const payload = JSON.stringify(body);
    const sentAt = Date.now();
    const response = await fetch(`${this.baseUrl}/_conversation/v1/conversations/${encodeURIComponent(conversationId)}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: payload,
    });
    const answer = await readJson<{ messageId?: string; postConversationId?: string; timestamp?: number }>(response, 'the message', messageFix(Buffer.byteLength(payload)));
    const sent: SentMessage = { messageId: String(answer.messageId), conversationId: answer.postConversationId ?? conversationId };
    // The activity the Playground makes of it: same chat (in a channel, the new post's), sender and text, made no
    // earlier than the message. Two runs of `npm run chat` never send at once (its lock), so only this one fits.
    const since = typeof answer.timestamp === 'number' ? answer.timestamp : sentAt;
    this.expect(sent, {
      matches: (a) => a.type === 'message' && a.conversationId === sent.conversationId && a.fromId === config.currentUser.id && a.text === said && a.at >= since,
      since,
      what: `"${firstLine(text)}"`,
    });
    return sent;
  }

  private async sendAsOther(text: string, fromId: string, kind: ConversationKind, attachments?: unknown[]): Promise<SentMessage> {
    if (!this.botEndpoint) throw new Error('Speaking as another user needs the bot endpoint (PlaygroundClient botEndpoint).');
    if (kind === 'personal') throw new Error('A personal chat belongs to the Playground\'s current user; speak as someone else in the group chat or the channel.');
    const config = await this.config();
    const user = config.users.find((u) => u.id === fromId);
    if (!user) throw new Error(`No Playground user ${fromId}.`);
    const conversationId = await this.conversationId(kind);
    const team = config.teams[0]!;
    const mention = `<at>${config.bot.name}</at>`;
    // Numeric like a Teams message id, and unique: the bot takes a repeated id for a redelivery and says nothing.
    const sentAt = Date.now();
    const id = `${sentAt}${randomInt(1_000_000).toString().padStart(6, '0')}`;
    const activity = {
      type: 'message',
      id,
      text: `${mention} ${text}`,
      textFormat: 'plain',
      timestamp: new Date().toISOString(),
      channelId: 'msteams',
      serviceUrl: `${this.baseUrl.replace('127.0.0.1', 'localhost')}/_connector`,
      from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
      recipient: { id: config.bot.id, name: config.bot.name },
      conversation: { id: conversationId, conversationType: kind === 'channel' ? 'channel' : 'groupChat', isGroup: true, tenantId: config.tenantId },
      entities: [{ type: 'mention', mentioned: { id: config.bot.id, name: config.bot.name }, text: mention }],
      channelData: { tenant: { id: config.tenantId }, ...(kind === 'channel' ? { teamsChannelId: conversationId, teamsTeamId: team.id, team: { id: team.id }, channel: { id: conversationId } } : {}) },
      ...(attachments ? { attachments } : {}),
    };
    const payload = JSON.stringify(activity);
    const response = await fetch(this.botEndpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
    if (!response.ok) {
      const said = summarizeBody(await response.text(), response.headers.get('content-type') ?? '');
      throw new PlaygroundRequestError(response.status, said, `The bot refused the message: HTTP ${response.status}${inParens(said)}. ${messageFix(Buffer.byteLength(payload), 'The bot')(response.status)}`);
    }
    const sent: SentMessage = { messageId: id, conversationId };
    this.deliveries.set(sent, { activityId: id, matches: (a) => a.id === id, since: sentAt, what: `"${firstLine(text)}"` });
    return sent;
  }

  /** Presses an Action.Execute button; resolves to the bot's invoke response ({type, value}). */
  async invoke(options: { verb: string; data: unknown; replyToId: string; conversationId: string; fromId?: string }): Promise<ButtonPress> {
    const config = await this.config();
    const fromId = options.fromId ?? config.currentUser.id;
    const action = { type: 'Action.Execute', verb: options.verb, data: options.data };
    const sentAt = Date.now();
    const response = await fetch(`${this.baseUrl}/_conversation/v1/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'adaptiveCard/action', value: { action }, from: { id: fromId }, conversation: { id: options.conversationId }, replyToId: options.replyToId }),
    });
    // The status is the bot's invoke answer and callers judge it; a body that is not JSON (an HTML error page from
    // the Playground itself) is not an answer at all.
    const text = await response.text();
    let pressed: ButtonPress;
    if (!text) pressed = { status: response.status, body: {} };
    else {
      try {
        pressed = { status: response.status, body: JSON.parse(text) as ButtonPress['body'] };
      } catch {
        const said = summarizeBody(text, response.headers.get('content-type') ?? '');
        throw new PlaygroundRequestError(response.status, said, `The Agents Playground answered the button press with HTTP ${response.status}${inParens(said)} instead of the bot's answer. ${TRY_AGAIN(response.status)}`);
      }
    }
    // The invoke the Playground made of it: this button (verb and data) on this card, pressed by this person, now.
    const pressedAction = JSON.stringify(action);
    this.expect(pressed, {
      matches: (a) => a.type === 'invoke' && a.replyToId === options.replyToId && a.fromId === fromId && a.at >= sentAt && JSON.stringify((a.value as { action?: unknown } | undefined)?.action) === pressedAction,
      since: sentAt,
      what: `the ${options.verb} button`,
    });
    return pressed;
  }

  /**
   * Plays Teams' side of a file consent card the bot posted in the current user's personal chat, which the Playground
   * does not implement: Allow opens an upload session in the person's OneDrive (the sandbox's stand-in at
   * `oneDriveUrl`, local/sandbox/onedrive-standin.ts) and sends the bot the `fileConsent/invoke` Teams sends, with the
   * card's accept context and the session's uploadInfo; Decline sends it with the decline context. The invoke goes to
   * the bot endpoint as the Playground would deliver it (its connector as the service URL), so the bot's answers (the
   * file info card, the consent card replaced) show in the Playground's chat. Resolves to the bot's HTTP status.
   */
  async answerFileConsent(message: BotMessage, action: 'accept' | 'decline', options: { oneDriveUrl: string }): Promise<number> {
    if (!this.botEndpoint) throw new Error('Answering a file consent card needs the bot endpoint (PlaygroundClient botEndpoint).');
    const consent = (message.attachments ?? []).find((a) => a.contentType === FILE_CONSENT_CARD);
    if (!consent) throw new Error(`Message ${message.id} has no file consent card.`);
    const config = await this.config();
    if (message.conversationId !== config.personalChat.id) throw new Error('Teams shows file consent cards only in a personal chat; this one is elsewhere.');
    const content = (consent.content ?? {}) as { acceptContext?: unknown; declineContext?: unknown };
    let uploadInfo: unknown;
    if (action === 'accept') {
      const response = await fetch(`${options.oneDriveUrl}/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: consent.name ?? 'file' }) });
      if (!response.ok) throw new Error(`The OneDrive stand-in refused an upload session: HTTP ${response.status}.`);
      uploadInfo = await response.json();
    }
    const user = config.currentUser;
    const activity = {
      type: 'invoke',
      name: 'fileConsent/invoke',
      id: `${Date.now()}${randomInt(1_000_000).toString().padStart(6, '0')}`,
      timestamp: new Date().toISOString(),
      channelId: 'msteams',
      serviceUrl: `${this.baseUrl.replace('127.0.0.1', 'localhost')}/_connector`,
      from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
      recipient: { id: config.bot.id, name: config.bot.name },
      conversation: { id: config.personalChat.id, conversationType: 'personal', isGroup: false, tenantId: config.tenantId },
      replyToId: message.id,
      channelData: { tenant: { id: config.tenantId } },
      value: { type: 'fileUpload', action, context: action === 'accept' ? content.acceptContext : content.declineContext, ...(uploadInfo ? { uploadInfo } : {}) },
    };
    const response = await fetch(this.botEndpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    await response.text();
    return response.status;
  }

  /**
   * The bot's answer to what this client sent (`send`'s or `invoke`'s result): the first new message the bot posted
   * in reply to the activity the Playground delivered for it, as posted (`get` has it as it is now). Anything else the bot posts meanwhile (answers to
   * other clients or people, cards of running jobs) never counts, however the arrivals interleave.
   */
  replyTo(sent: SentMessage | ButtonPress, timeoutMs = 30_000): Promise<BotMessage> {
    const delivery = this.deliveries.get(sent);
    if (!delivery) return Promise.reject(new Error('replyTo takes what this client\'s send or invoke returned.'));
    return this.answerOf(delivery, timeoutMs);
  }

  /** The bot's first new message in reply to an activity the Playground delivered that `matches` recognises (e.g. installing the bot). */
  answerTo(matches: (activity: DeliveredActivity) => boolean, timeoutMs = 30_000): Promise<BotMessage> {
    return this.answerOf({ matches, since: 0, what: 'the activity' }, timeoutMs);
  }

  private expect(sent: SentMessage | ButtonPress, delivery: Delivery): void {
    this.deliveries.set(sent, delivery);
    this.sends.add(delivery);
  }

  private answerOf(delivery: Delivery, timeoutMs: number): Promise<BotMessage> {
    const answer = (): BotMessage | undefined => {
      delivery.activityId ??= this.claim(delivery);
      return delivery.activityId === undefined ? undefined : this.firstReplies.get(delivery.activityId);
    };
    return new Promise((resolve, reject) => {
      const check = () => {
        const message = answer();
        if (!message) return;
        clearTimeout(timer);
        this.logListeners.delete(check);
        resolve(message);
      };
      const timer = setTimeout(() => {
        this.logListeners.delete(check);
        const state = delivery.activityId === undefined ? 'the Playground has not logged delivering it (the bot is still handling it, or never got it)' : 'the bot got it but has not replied';
        reject(new Error(`No answer from the bot to ${delivery.what} within ${timeoutMs / 1000} s: ${state}. See the output of \`npm start\`.`));
      }, timeoutMs);
      this.logListeners.add(check);
      check();
    });
  }

  /**
   * The earliest delivered activity that `delivery` recognises and no other send of this client has taken. An
   * activity that a later identical send of this client fits as well (made after that one was) is that one's.
   */
  private claim(delivery: Delivery): string | undefined {
    const later = [...this.sends].filter((other) => other !== delivery && other.since > delivery.since);
    let first: DeliveredActivity | undefined;
    for (const activity of this.delivered) {
      if (this.claimed.has(activity.id) || !delivery.matches(activity) || later.some((other) => other.since <= activity.at && other.matches(activity))) continue;
      if (!first || activity.at < first.at) first = activity;
    }
    if (first) this.claimed.add(first.id);
    return first?.id;
  }

  all(): BotMessage[] {
    return [...this.messages.values()].sort((a, b) => a.receivedAt - b.receivedAt);
  }

  get(id: string): BotMessage | undefined {
    return this.messages.get(id);
  }

  onEvent(listener: (event: PlaygroundEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first bot message (new or updated) after now that satisfies `predicate`. */
  waitFor(predicate: (message: BotMessage, event: PlaygroundEvent) => boolean, timeoutMs = 30_000): Promise<BotMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`No matching bot message within ${timeoutMs} ms. Seen: ${this.all().map((m) => `${m.id}:${cardText(m).slice(0, 80)}`).join(' | ')}`));
      }, timeoutMs);
      const stop = this.onEvent((event) => {
        if (predicate(event.message, event)) {
          clearTimeout(timer);
          stop();
          resolve(event.message);
        }
      });
    });
  }

  private onLogItem(raw: string, botId: string, channels: ReadonlySet<string>): void {
    let item: LogItem | undefined;
    try {
      item = (JSON.parse(raw) as { log?: LogItem }).log;
    } catch {
      return;
    }
    const body = item?.request?.body;
    if (item?.type !== 'bot' || !body || typeof body !== 'object') return;
    const activity = body as LoggedActivity;
    if (activity.from?.id === botId || activity.bot?.id === botId) this.onBotSent(activity, item.response ?? {}, channels);
    else if (activity.recipient?.id === botId && activity.id) {
      this.delivered.push({
        id: activity.id,
        type: activity.type ?? '',
        conversationId: activity.conversation?.id ?? '',
        at: Date.parse(activity.timestamp ?? '') || 0,
        ...(typeof activity.text === 'string' ? { text: activity.text } : {}),
        ...(activity.from?.id ? { fromId: activity.from.id } : {}),
        ...(activity.replyToId ? { replyToId: activity.replyToId } : {}),
        ...(activity.value !== undefined ? { value: activity.value } : {}),
      });
    }
    for (const listener of [...this.logListeners]) listener();
  }

  /** An activity the bot sent the Playground's connector: a new message, or an update of one (it names that id). */
  private onBotSent(sent: LoggedActivity, response: NonNullable<LogItem['response']>, channels: ReadonlySet<string>): void {
    // Refused: the chat does not show it (and the bot may send it again).
    if (!response.statusCode || response.statusCode < 200 || response.statusCode >= 300) return;
    const answer = (typeof response.body === 'string' ? safeJson(response.body) : response.body) as { id?: unknown; activityId?: unknown } | undefined;
    const activity = sent.activity ?? sent;
    const id = sent.activity ? answer?.activityId : answer?.id;
    if (activity.type !== 'message' || typeof id !== 'string') return;
    const action = activity.id === id ? 'updateMessage' : 'createMessage';
    const previous = this.messages.get(id);
    const conversationId = previous?.conversationId ?? (sent.activity && typeof answer?.id === 'string' ? answer.id : (activity.conversation?.id ?? ''));
    // A new message in a channel starts a post (a thread), `<channel>;messageid=<id>` as in Teams: buttons name it.
    const postConversationId = previous?.postConversationId ?? (channels.has(conversationId) ? `${conversationId};messageid=${id}` : undefined);
    const message: BotMessage = {
      id,
      conversationId,
      ...(postConversationId ? { postConversationId } : {}),
      ...(activity.text ? { text: activity.text } : {}),
      cards: (activity.attachments ?? []).filter((a) => a.contentType === ADAPTIVE_CARD).map((a) => a.content as Record<string, unknown>),
      attachments: (activity.attachments ?? [])
        .filter((a) => typeof a.contentType === 'string' && a.contentType !== ADAPTIVE_CARD)
        .map((a) => ({ contentType: a.contentType!, ...(typeof a.name === 'string' ? { name: a.name } : {}), ...(typeof a.contentUrl === 'string' ? { contentUrl: a.contentUrl } : {}), ...(a.content !== undefined ? { content: a.content } : {}) })),
      updates: previous ? previous.updates + 1 : 0,
      receivedAt: previous?.receivedAt ?? Date.now(),
    };
    this.messages.set(id, message);
    if (action === 'createMessage' && activity.replyToId && !this.firstReplies.has(activity.replyToId)) this.firstReplies.set(activity.replyToId, message);
    for (const listener of [...this.listeners]) listener({ action, message });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const firstLine = (text: string): string => {
  const line = text.trim().split('\n')[0]!;
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
};

/** All visible text of a message's cards, flattened: good for assertions and terminal output. */
export function cardText(message: BotMessage): string {
  const parts: string[] = [];
  if (message.text) parts.push(message.text);
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const element = node as Record<string, unknown>;
    if ((element.type === 'TextBlock' || element.type === 'TextRun') && typeof element.text === 'string') parts.push(element.text);
    if (typeof element.title === 'string' && typeof element.type === 'string' && element.type.startsWith('Action.')) parts.push(`[${element.title}]`);
    for (const key of ['body', 'items', 'columns', 'inlines', 'actions', 'facts', 'card']) if (key in element) visit(element[key]);
  };
  message.cards.forEach(visit);
  return parts.join(' ');
}

/** The Action.Execute buttons on a message's cards, with their verbs and data. */
export function cardActions(message: BotMessage): { title: string; verb: string; data: unknown }[] {
  const actions: { title: string; verb: string; data: unknown }[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const element = node as Record<string, unknown>;
    if (element.type === 'Action.Execute') actions.push({ title: String(element.title ?? ''), verb: String(element.verb ?? ''), data: element.data });
    for (const key of ['body', 'items', 'columns', 'actions', 'card']) if (key in element) visit(element[key]);
  };
  message.cards.forEach(visit);
  return actions;
}
