/** Summary of a sample of durations (milliseconds). */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/**
 * Nearest-rank percentile: the smallest sample such that at least p % of the samples are at or below it. Always one
 * of the samples, never an interpolated value nobody saw: the p99 of 200 messages is the 198th fastest (two lie above).
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile of no values');
  if (!(p > 0 && p <= 100)) throw new RangeError('p must be in (0, 100]');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function summarizeLatencies(values: readonly number[]): LatencySummary {
  if (values.length === 0) throw new RangeError('no latencies to summarize');
  return {
    count: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: Math.max(...values),
    mean: values.reduce((sum, v) => sum + v, 0) / values.length,
  };
}

/** ARM's read bucket for one principal (Azure Resource Manager throttling documentation). */
export interface ReadBucket {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

/** The ARM reads `status all` cannot avoid, from the shape of the estate. */
export interface RequiredFleetReads {
  /** List calls: one per page (the SDK follows nextLink) of each resource group's connection list. */
  readonly listCalls: number;
  /** One GET per connection: the list result lacks connectionStatus. */
  readonly connectionGets: number;
  readonly reads: number;
  /** Calls that must follow one another: the pages of the longest list, then one connection GET. */
  readonly sequentialCalls: number;
}

/**
 * Reads for a fleet whose resource groups hold `connectionsPerGroup` connections, listed with `pageSize` items per
 * page. Key Vault certificate reads are not ARM reads and are left out (they go to the vault, which throttles apart).
 */
export function requiredFleetReads(connectionsPerGroup: readonly number[], pageSize: number): RequiredFleetReads {
  if (!(Number.isInteger(pageSize) && pageSize > 0)) throw new RangeError('pageSize must be a positive integer');
  // An empty list is still one call that answers an empty page.
  const pages = connectionsPerGroup.map((n) => Math.max(1, Math.ceil(n / pageSize)));
  const listCalls = pages.reduce((sum, p) => sum + p, 0);
  const connectionGets = connectionsPerGroup.reduce((sum, n) => sum + n, 0);
  const longestList = pages.length > 0 ? Math.max(...pages) : 0;
  return { listCalls, connectionGets, reads: listCalls + connectionGets, sequentialCalls: longestList + (connectionGets > 0 ? 1 : 0) };
}

export interface ThrottlingBound {
  /** Seconds the bucket needs to refill for the reads beyond its capacity: max(0, (reads - capacity) / refill). */
  readonly throttleSeconds: number;
  /** The calls that must follow one another, each paying the added latency once. */
  readonly latencySeconds: number;
  readonly boundSeconds: number;
}

/**
 * The fastest any implementation could finish: a full bucket serves `capacity` reads at once, every further read
 * waits for a token, and dependent calls pay the latency in sequence.
 */
export function throttlingBound(reads: number, bucket: ReadBucket, sequentialCalls: number, latencyMs: number): ThrottlingBound {
  if (reads < 0 || sequentialCalls < 0 || latencyMs < 0) throw new RangeError('reads, sequential calls and latency must not be negative');
  if (!(bucket.refillPerSecond > 0)) throw new RangeError('the bucket must refill');
  const throttleSeconds = Math.max(0, (reads - bucket.capacity) / bucket.refillPerSecond);
  const latencySeconds = (sequentialCalls * latencyMs) / 1000;
  return { throttleSeconds, latencySeconds, boundSeconds: throttleSeconds + latencySeconds };
}
