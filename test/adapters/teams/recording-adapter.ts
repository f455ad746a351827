import { BotAdapter, TurnContext } from 'botbuilder';
import type { Activity, ResourceResponse } from 'botbuilder';
import type { ConversationStore } from '../../../core/ports/messaging';

/** A Bot Framework adapter that records what the turn sent, replaced and answered: the transport, faked. */
export class RecordingAdapter extends BotAdapter {
  readonly sent: Partial<Activity>[] = [];
  readonly updated: Partial<Activity>[] = [];
  async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    this.sent.push(...activities);
    return activities.map((_, i) => ({ id: `sent-${this.sent.length - activities.length + i + 1}` }));
  }
  async updateActivity(_context: TurnContext, activity: Partial<Activity>): Promise<void> {
    this.updated.push(activity);
  }
  async deleteActivity(): Promise<void> {
    throw new Error('the bot never deletes');
  }
  async continueConversation(): Promise<void> {
    throw new Error('not used by a turn');
  }
}

export class RecordingStore implements ConversationStore {
  readonly saved: { conversationId: string; reference: Record<string, unknown> }[] = [];
  async save(conversationId: string, reference: Record<string, unknown>): Promise<string> {
    this.saved.push({ conversationId, reference });
    return `key-${this.saved.length}`;
  }
  async get(): Promise<undefined> {
    return undefined;
  }
  readonly people: { aadObjectId: string; userId: string; personalChat?: string }[] = [];
  /** Set to make remembering the sender fail. */
  peopleError?: Error;
  async savePerson(aadObjectId: string, userId: string, personalChat?: { conversationId: string }): Promise<string | undefined> {
    if (this.peopleError) throw this.peopleError;
    this.people.push({ aadObjectId, userId, ...(personalChat ? { personalChat: personalChat.conversationId } : {}) });
    return personalChat ? `key-${personalChat.conversationId}` : undefined;
  }
  async person(): Promise<undefined> {
    return undefined;
  }
}

/** Runs turn logic on one incoming activity over a RecordingAdapter; resolves to what the turn sent. */
export async function runRecordedTurn(logic: (context: TurnContext) => Promise<void>, activity: Record<string, unknown>): Promise<RecordingAdapter> {
  const adapter = new RecordingAdapter();
  await logic(new TurnContext(adapter, activity as Partial<Activity>));
  return adapter;
}
