import type { SimClock } from './sim-clock';

export type ThrottleKind = 'reads' | 'writes';

/** ARM's limits per subscription and principal (token bucket), from Azure's throttling documentation. */
export const armThrottleLimits: Record<ThrottleKind, { capacity: number; refillPerSecond: number }> = {
  reads: { capacity: 250, refillPerSecond: 25 },
  writes: { capacity: 200, refillPerSecond: 10 },
};

/**
 * Key Vault's service limit for reads: 4,000 GET transactions per 10 s per vault (every caller together), modelled as a
 * bucket of 4,000 refilled at 400 a second.
 */
export const keyVaultReadLimits = { capacity: 4_000, refillPerSecond: 400 } as const;

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export type ThrottleDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number; remaining: 0 };

/** Token buckets per subscription, principal and kind, refilled continuously on the simulator clock. */
export class SimThrottle {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: SimClock,
    private readonly limits: Record<ThrottleKind, { capacity: number; refillPerSecond: number }> = armThrottleLimits,
  ) {}

  take(subscriptionId: string, principalId: string, kind: ThrottleKind): ThrottleDecision {
    const limit = this.limits[kind];
    const key = `${subscriptionId.toLowerCase()}|${principalId}|${kind}`;
    const now = this.clock.now().getTime();
    const bucket = this.buckets.get(key) ?? { tokens: limit.capacity, updatedAt: now };
    bucket.tokens = Math.min(limit.capacity, bucket.tokens + ((now - bucket.updatedAt) / 1000) * limit.refillPerSecond);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, remaining: Math.floor(bucket.tokens) };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / limit.refillPerSecond)), remaining: 0 };
  }

  /** Current remaining tokens without consuming one (for response headers). */
  remaining(subscriptionId: string, principalId: string, kind: ThrottleKind): number {
    const bucket = this.buckets.get(`${subscriptionId.toLowerCase()}|${principalId}|${kind}`);
    return bucket ? Math.floor(bucket.tokens) : this.limits[kind].capacity;
  }
}
