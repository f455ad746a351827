/** Where a card stands in `status all`: the fleet card while collecting, the finished fleet card, or another card. */
export type FleetCardPhase = 'collecting' | 'final' | 'other';

/**
 * Reads the phase from the card's heading (its first TextBlock), which is what a person sees change: "Fleet status
 * (collecting…)" while connections are still being read, "Fleet status" once the report is complete.
 */
export function fleetCardPhase(card: Record<string, unknown> | undefined): FleetCardPhase {
  const body = card?.body;
  if (!Array.isArray(body)) return 'other';
  const first = body.find((e): e is { type: string; text: string } => typeof e === 'object' && e !== null && (e as { type?: unknown }).type === 'TextBlock');
  if (!first || typeof first.text !== 'string') return 'other';
  if (first.text.startsWith('Fleet status (collecting')) return 'collecting';
  return first.text === 'Fleet status' ? 'final' : 'other';
}
