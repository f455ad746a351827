import type { TableClient } from '@azure/data-tables';
import type { ExpirySubscription, PostedReport, SubscriptionStore } from '../../core/ports/subscriptions';
import { TABLES } from './table-client-factory';
import type { TableName } from './table-client-factory';

const SUBSCRIPTION = 'expiry';
const TEAM = 'team';
const POSTED = 'posted-';

const KEY = /^[0-9a-f]{40}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Expiry subscriptions in Table Storage (partition `expiry`, keyed by conversation key), the team conversation channels
 * are reached through (partition `team`), and the scheduled posts of each day (partition `posted-<day>`).
 */
export function createTableSubscriptionStore(tables: (name: TableName) => Promise<TableClient>): SubscriptionStore {
  const client = () => tables(TABLES.subscriptions);
  const check = (key: string) => {
    if (!KEY.test(key)) throw new Error('not a conversation key');
  };
  const read = async <T>(partition: string, row: string): Promise<T | undefined> => {
    try {
      const entity = await (await client()).getEntity<{ value: string }>(partition, row);
      return JSON.parse(entity.value) as T;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  };
  const list = async <T>(partition: string): Promise<T[]> => {
    const found: T[] = [];
    for await (const entity of (await client()).listEntities<{ value: string }>({ queryOptions: { filter: `PartitionKey eq '${partition}'` } })) found.push(JSON.parse(entity.value) as T);
    return found;
  };
  return {
    async put(subscription) {
      check(subscription.conversationKey);
      await (await client()).upsertEntity({ partitionKey: SUBSCRIPTION, rowKey: subscription.conversationKey, value: JSON.stringify(subscription), subscribedBy: subscription.subscribedBy.name, subscribedAt: subscription.subscribedAt }, 'Replace');
    },
    async remove(conversationKey) {
      check(conversationKey);
      const existing = await read<ExpirySubscription>(SUBSCRIPTION, conversationKey);
      if (!existing) return undefined;
      try {
        await (await client()).deleteEntity(SUBSCRIPTION, conversationKey);
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
      return existing;
    },
    get: (conversationKey) => (KEY.test(conversationKey) ? read<ExpirySubscription>(SUBSCRIPTION, conversationKey) : Promise.resolve(undefined)),
    list: () => list<ExpirySubscription>(SUBSCRIPTION),
    async rememberTeamConversation(conversationKey) {
      check(conversationKey);
      await (await client()).upsertEntity({ partitionKey: TEAM, rowKey: 'latest', value: JSON.stringify(conversationKey) }, 'Replace');
    },
    teamConversation: () => read<string>(TEAM, 'latest'),
    async posted(day, conversationKey) {
      if (!DAY.test(day) || !KEY.test(conversationKey)) return undefined;
      return read<PostedReport>(`${POSTED}${day}`, conversationKey);
    },
    async recordPosted(report) {
      check(report.conversationKey);
      if (!DAY.test(report.day)) throw new Error('not a day');
      await (await client()).upsertEntity({ partitionKey: `${POSTED}${report.day}`, rowKey: report.conversationKey, value: JSON.stringify(report) }, 'Replace');
    },
    async claimOnce(name) {
      if (!/^[a-z0-9-]{1,100}$/.test(name)) throw new Error('not a claim name');
      try {
        await (await client()).createEntity({ partitionKey: 'once', rowKey: name, value: '""' });
        return true;
      } catch (error) {
        if (statusOf(error) === 409) return false;
        throw error;
      }
    },
    async postedWithSite(site, sinceDay) {
      if (!DAY.test(sinceDay)) return [];
      const found: PostedReport[] = [];
      const filter = `PartitionKey ge '${POSTED}${sinceDay}' and PartitionKey lt '${POSTED}~'`;
      for await (const entity of (await client()).listEntities<{ value: string }>({ queryOptions: { filter } })) {
        const report = JSON.parse(entity.value) as PostedReport;
        if (report.sites.some((s) => s.toLowerCase() === site.toLowerCase())) found.push(report);
      }
      return found;
    },
  };
}

/** The same store in memory: tests and the benchmark. */
export function createMemorySubscriptionStore(): SubscriptionStore & { readonly subscriptions: Map<string, ExpirySubscription>; readonly posts: PostedReport[] } {
  const subscriptions = new Map<string, ExpirySubscription>();
  const posts: PostedReport[] = [];
  let team: string | undefined;
  const claimed = new Set<string>();
  return {
    subscriptions,
    posts,
    put: async (s) => void subscriptions.set(s.conversationKey, s),
    async remove(key) {
      const existing = subscriptions.get(key);
      subscriptions.delete(key);
      return existing;
    },
    get: async (key) => subscriptions.get(key),
    list: async () => [...subscriptions.values()],
    rememberTeamConversation: async (key) => void (team = key),
    teamConversation: async () => team,
    posted: async (day, key) => posts.find((p) => p.day === day && p.conversationKey === key),
    async recordPosted(report) {
      const i = posts.findIndex((p) => p.day === report.day && p.conversationKey === report.conversationKey);
      if (i >= 0) posts[i] = report;
      else posts.push(report);
    },
    async claimOnce(name) {
      if (claimed.has(name)) return false;
      claimed.add(name);
      return true;
    },
    postedWithSite: async (site, sinceDay) => posts.filter((p) => p.day >= sinceDay && p.sites.some((s) => s.toLowerCase() === site.toLowerCase())),
  };
}
