import { createHash } from 'node:crypto';

/**
 * The id suffix of a job a Teams activity starts: 8 hex digits of SHA-256 over the conversation and the activity id,
 * so the same activity delivered twice (Teams redelivers when an answer is slow) names the same job, and the second
 * delivery starts nothing. Kept apart from the job catalog: orchestrations never import hashing.
 */
export function deliveryKey(conversationId: string, activityId: string): string {
  return createHash('sha256').update(`${conversationId}\n${activityId}`, 'utf8').digest('hex').slice(0, 8);
}
