/**
 * Who receives the expiry report where (`subscribe expiry`), and what the scheduled report has posted (so a day's
 * report reaches each conversation once, and a rotation can update the rows it closes).
 */
export interface ExpirySubscription {
  /** The conversation's key (a hash of its Teams id, as the conversation store keys it). */
  readonly conversationKey: string;
  /** The Teams conversation id (a channel's `19:…@thread.tacv2`). */
  readonly conversationId: string;
  /** How people call it: `VPN alerts`, `this channel`, `group chat`. */
  readonly label: string;
  /** Rows expiring within this many days (`--days N`). */
  readonly days: number;
  /** `HH:MM` UTC (`--at`): posted then on the day's run instead of at the run's own time. */
  readonly at?: string;
  readonly subscribedBy: { readonly aadObjectId: string; readonly name: string };
  readonly subscribedAt: string;
  /** Where to tell the subscriber when the conversation is gone (the key of their personal chat, when known). */
  readonly subscriberConversationKey?: string;
}

/** A scheduled report card as posted: which conversation, which day, which card, and which sites' rows it shows. */
export interface PostedReport {
  readonly conversationKey: string;
  /** `YYYY-MM-DD` (UTC) of the run. */
  readonly day: string;
  readonly activityId: string;
  /** The run that made it (its output holds the report, for paging and updates). */
  readonly jobId: string;
  readonly days: number;
  /** Which of the run's reads (time groups) the card shows. */
  readonly group: number;
  /** Sites with a Rotate on the card (outbound rows). */
  readonly sites: readonly string[];
  /** The conversation key the card was posted under, when it was reached through the team (a channel known by id). */
  readonly postedAs?: string;
  /** Rows whose rotation completed since, shown as done. */
  readonly rotated?: readonly { readonly site: string; readonly at: string }[];
}

export interface SubscriptionStore {
  put(subscription: ExpirySubscription): Promise<void>;
  /** Resolves to the removed subscription (undefined: there was none). */
  remove(conversationKey: string): Promise<ExpirySubscription | undefined>;
  get(conversationKey: string): Promise<ExpirySubscription | undefined>;
  list(): Promise<ExpirySubscription[]>;
  /** A conversation of a team the bot was added to: channels of that team are reached through it. */
  rememberTeamConversation(conversationKey: string): Promise<void>;
  teamConversation(): Promise<string | undefined>;
  /** The day's post for a conversation, if it was made. */
  posted(day: string, conversationKey: string): Promise<PostedReport | undefined>;
  recordPosted(report: PostedReport): Promise<void>;
  /** True the first time it is asked for `name`, false ever after (e.g. the default subscription is made once). */
  claimOnce(name: string): Promise<boolean>;
  /** Posted reports of the last days that show a Rotate for `site`. */
  postedWithSite(site: string, sinceDay: string): Promise<PostedReport[]>;
}
