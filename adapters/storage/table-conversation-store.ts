import { createHash } from 'node:crypto';
import type { ConversationStore } from '../../core/ports/messaging';
import type { TableClient } from '@azure/data-tables';
import { TABLES } from './table-client-factory';
import type { TableName } from './table-client-factory';

/**
 * Conversation references in Table Storage, keyed by a hash of the conversation id (ids contain characters RowKey
 * forbids); people the bot has seen in partition `person`, keyed by their Entra object id (a GUID, lower case).
 */
export function createTableConversationStore(tables: (name: TableName) => Promise<TableClient>): ConversationStore {
  /** What this process wrote per person (their row key): a person's later activities write nothing. */
  const written = new Map<string, string>();
  const save: ConversationStore['save'] = async (conversationId, reference) => {
    const key = conversationKeyOf(conversationId);
    const client = await tables(TABLES.conversations);
    await client.upsertEntity({ partitionKey: 'conversation', rowKey: key, reference: JSON.stringify(reference) }, 'Replace');
    return key;
  };
  return {
    save,
    async savePerson(aadObjectId, userId, personalChat) {
      const key = personKeyOf(aadObjectId);
      if (!key) return undefined;
      // Every activity names its sender: write only what this process has not written already.
      const signature = `${userId}\n${personalChat?.conversationId ?? ''}`;
      const known = written.get(key);
      if (known === signature || (!personalChat && known?.startsWith(`${userId}\n`))) return personalChat ? conversationKeyOf(personalChat.conversationId) : undefined;
      const personalConversationKey = personalChat ? await save(personalChat.conversationId, personalChat.reference) : undefined;
      const client = await tables(TABLES.conversations);
      // Merge: a message from a group chat refreshes the user id and keeps the personal chat already known.
      await client.upsertEntity({ partitionKey: 'person', rowKey: key, userId, ...(personalConversationKey ? { personalConversationKey } : {}) }, 'Merge');
      if (written.size >= MAX_REMEMBERED) written.clear();
      written.set(key, signature);
      return personalConversationKey;
    },
    async person(aadObjectId) {
      const key = personKeyOf(aadObjectId);
      if (!key) return undefined;
      const client = await tables(TABLES.conversations);
      try {
        const entity = await client.getEntity<{ userId: string; personalConversationKey?: string }>('person', key);
        return { userId: entity.userId, ...(entity.personalConversationKey ? { personalConversationKey: entity.personalConversationKey } : {}) };
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return undefined;
        throw error;
      }
    },
    async get(key) {
      if (!/^[0-9a-f]{40}$/.test(key)) return undefined;
      const client = await tables(TABLES.conversations);
      try {
        const entity = await client.getEntity<{ reference: string }>('conversation', key);
        return JSON.parse(entity.reference) as Record<string, unknown>;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return undefined;
        throw error;
      }
    },
  };
}

export function conversationKeyOf(conversationId: string): string {
  return createHash('sha256').update(conversationId, 'utf8').digest('hex').slice(0, 40);
}

/** People remembered per process before the memory starts over (each is a short string). */
const MAX_REMEMBERED = 10_000;

/** The row key of a person: their Entra object id in lower case, or '' when it is not a GUID. */
function personKeyOf(aadObjectId: string): string {
  const id = aadObjectId.trim().toLowerCase();
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id) ? id : '';
}
