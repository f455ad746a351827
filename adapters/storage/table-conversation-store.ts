import { createHash } from 'node:crypto';
import type { ConversationStore } from '../../core/ports/messaging';
import type { TableClient } from '@azure/data-tables';
import { TABLES } from './table-client-factory';
import type { TableName } from './table-client-factory';

/** Conversation references in Table Storage, keyed by a hash of the conversation id (ids contain characters RowKey forbids). */
export function createTableConversationStore(tables: (name: TableName) => Promise<TableClient>): ConversationStore {
  return {
    async save(conversationId, reference) {
      const key = conversationKeyOf(conversationId);
      const client = await tables(TABLES.conversations);
      await client.upsertEntity({ partitionKey: 'conversation', rowKey: key, reference: JSON.stringify(reference) }, 'Replace');
      return key;
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
