/**
 * Talks to the Agents Playground the way its own web page does (see shared/design/playground.md): messages and
 * Action.Execute invokes over HTTP, the bot's output over its WebSocket. Used by `npm run chat` and the end-to-end
 * tests, so both exercise the path a person's message takes.
 */
export interface BotMessage {
  readonly id: string;
  readonly conversationId: string;
  /** In a channel: the thread the message starts (`<channel>;messageid=<id>`), which a button press names. */
  readonly postConversationId?: string;
  readonly text?: string;
  readonly cards: Record<string, unknown>[];
  /** How many times the bot updated it in place. */
  readonly updates: number;
  readonly receivedAt: number;
}

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

export class PlaygroundClient {
  private socket: WebSocket | undefined;
  private readonly messages = new Map<string, BotMessage>();
  private readonly listeners = new Set<(event: PlaygroundEvent) => void>();
  private cachedConfig: PlaygroundConfig['config'] | undefined;

  /**
   * @param baseUrl the Playground (http://127.0.0.1:<port>)
   * @param botEndpoint the bot's /api/messages, for messages from people other than the Playground's current user
   */
  constructor(
    readonly baseUrl: string,
    readonly botEndpoint?: string,
  ) {}

  /** Opens the output stream; call before sending so no reply is missed. */
  async connect(): Promise<void> {
    const url = `${this.baseUrl.replace(/^http/, 'ws')}/_ws_conversation/v1/conversations/stream`;
    const socket = new WebSocket(url);
    socket.onmessage = (event) => this.onStreamMessage(String(event.data));
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new Error(`Could not open the Playground stream at ${url}`));
    });
    this.socket = socket;
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  /** Waits for the bot to be reachable (the Playground's config call blocks until then). */
  async config(): Promise<PlaygroundConfig['config']> {
    if (!this.cachedConfig) {
      const response = await fetch(`${this.baseUrl}/_internal/v1/config`, { signal: AbortSignal.timeout(60_000) });
      this.cachedConfig = (await readJson<PlaygroundConfig>(response, 'the request for its configuration', TRY_AGAIN)).config;
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
   * Sends a message as `fromId`; in group chats and channels it @mentions the bot, as Teams requires.
   *
   * The Playground's message API always speaks as its current user. For anyone else the client posts the very
   * activity the Playground would have sent (same conversation, tenant, mention and connector URL) straight to the
   * bot endpoint; the bot's replies still flow through the Playground's connector and show in its chat.
   */
  async send(text: string, options: { fromId?: string; conversation?: ConversationKind; attachments?: unknown[] } = {}): Promise<{ messageId: string; conversationId: string }> {
    const config = await this.config();
    const kind = options.conversation ?? 'personal';
    if (options.fromId && options.fromId !== config.currentUser.id) return this.sendAsOther(text, options.fromId, kind, options.attachments);
    const conversationId = await this.conversationId(kind);
    const mention = `<at>${config.bot.name}</at>`;
    const body: Record<string, unknown> = {
      from: { id: options.fromId ?? config.currentUser.id },
      text: kind === 'personal' ? text : `${mention} ${text}`,
      textFormat: 'plain',
      ...(kind === 'personal' ? {} : { mentions: [{ mentioned: { id: config.bot.id }, text: mention }] }),
      ...(options.attachments ? { attachments: options.attachments } : {}),
    };
    const payload = JSON.stringify(body);
    const response = await fetch(`${this.baseUrl}/_conversation/v1/conversations/${encodeURIComponent(conversationId)}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: payload,
    });
    const answer = await readJson<{ messageId?: string; postConversationId?: string }>(response, 'the message', messageFix(Buffer.byteLength(payload)));
    return { messageId: String(answer.messageId), conversationId: answer.postConversationId ?? conversationId };
  }

  private async sendAsOther(text: string, fromId: string, kind: ConversationKind, attachments?: unknown[]): Promise<{ messageId: string; conversationId: string }> {
    if (!this.botEndpoint) throw new Error('Speaking as another user needs the bot endpoint (PlaygroundClient botEndpoint).');
    if (kind === 'personal') throw new Error('A personal chat belongs to the Playground\'s current user; speak as someone else in the group chat or the channel.');
    const config = await this.config();
    const user = config.users.find((u) => u.id === fromId);
    if (!user) throw new Error(`No Playground user ${fromId}.`);
    const conversationId = await this.conversationId(kind);
    const team = config.teams[0]!;
    const mention = `<at>${config.bot.name}</at>`;
    const id = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
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
    return { messageId: id, conversationId };
  }

  /** Presses an Action.Execute button; resolves to the bot's invoke response ({type, value}). */
  async invoke(options: { verb: string; data: unknown; replyToId: string; conversationId: string; fromId?: string }): Promise<{ status: number; body: { type?: string; value?: unknown } }> {
    const config = await this.config();
    const response = await fetch(`${this.baseUrl}/_conversation/v1/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'adaptiveCard/action',
        value: { action: { type: 'Action.Execute', verb: options.verb, data: options.data } },
        from: { id: options.fromId ?? config.currentUser.id },
        conversation: { id: options.conversationId },
        replyToId: options.replyToId,
      }),
    });
    // The status is the bot's invoke answer and callers judge it; a body that is not JSON (an HTML error page from
    // the Playground itself) is not an answer at all.
    const text = await response.text();
    if (!text) return { status: response.status, body: {} };
    try {
      return { status: response.status, body: JSON.parse(text) as { type?: string; value?: unknown } };
    } catch {
      const said = summarizeBody(text, response.headers.get('content-type') ?? '');
      throw new PlaygroundRequestError(response.status, said, `The Agents Playground answered the button press with HTTP ${response.status}${inParens(said)} instead of the bot's answer. ${TRY_AGAIN(response.status)}`);
    }
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

  private onStreamMessage(raw: string): void {
    let parsed: { action?: string; actionConversationId?: string; message?: { messageId?: string; text?: string; postConversationId?: string; attachments?: { contentType?: string; content?: unknown }[] } };
    try {
      parsed = JSON.parse(raw) as typeof parsed;
    } catch {
      return;
    }
    if ((parsed.action !== 'createMessage' && parsed.action !== 'updateMessage') || !parsed.message?.messageId) return;
    const id = parsed.message.messageId;
    const previous = this.messages.get(id);
    const message: BotMessage = {
      id,
      conversationId: parsed.actionConversationId ?? '',
      ...(parsed.message.postConversationId && parsed.message.postConversationId !== parsed.actionConversationId ? { postConversationId: parsed.message.postConversationId } : previous?.postConversationId ? { postConversationId: previous.postConversationId } : {}),
      ...(parsed.message.text ? { text: parsed.message.text } : {}),
      cards: (parsed.message.attachments ?? []).filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive').map((a) => a.content as Record<string, unknown>),
      updates: previous ? previous.updates + 1 : 0,
      receivedAt: previous?.receivedAt ?? Date.now(),
    };
    this.messages.set(id, message);
    for (const listener of [...this.listeners]) listener({ action: parsed.action, message });
  }
}

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
