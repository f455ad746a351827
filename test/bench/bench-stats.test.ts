import { describe, expect, it } from 'vitest';
import { median, percentile, requiredFleetReads, summarizeLatencies, throttlingBound } from '../../bench/bench-stats';

const ARM_READS = { capacity: 250, refillPerSecond: 25 };

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('is always one of the samples, whatever their order', () => {
    expect(percentile([...hundred].reverse(), 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([7, 3, 5], 50)).toBe(5);
  });

  it('makes the p99 of 200 messages the third slowest (two may lie above it)', () => {
    const samples = Array.from({ length: 200 }, (_, i) => (i === 17 ? 900 : i === 120 ? 800 : i === 3 ? 700 : 10));
    expect(percentile(samples, 99)).toBe(700);
    expect(percentile(samples, 99.5)).toBe(800);
  });

  it('takes the smallest sample for tiny percentiles and refuses nonsense', () => {
    expect(percentile([4, 2, 9], 0.1)).toBe(2);
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('median', () => {
  it('takes the middle sample, or the mean of the two middle ones', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });
});

describe('summarizeLatencies', () => {
  it('reports count, p50, p99, max and mean', () => {
    expect(summarizeLatencies([10, 20, 30, 40])).toEqual({ count: 4, p50: 20, p99: 40, max: 40, mean: 25 });
  });
});

describe('requiredFleetReads', () => {
  it('counts a list page per 50 connections of each group plus one GET per connection', () => {
    expect(requiredFleetReads(Array(10).fill(50), 50)).toEqual({ listCalls: 10, connectionGets: 500, reads: 510, sequentialCalls: 2 });
    expect(requiredFleetReads(Array(10).fill(10), 50)).toEqual({ listCalls: 10, connectionGets: 100, reads: 110, sequentialCalls: 2 });
  });

  it('follows nextLink pages one after another, and still lists an empty group once', () => {
    expect(requiredFleetReads([120, 0], 50)).toEqual({ listCalls: 4, connectionGets: 120, reads: 124, sequentialCalls: 4 });
    expect(requiredFleetReads([0], 50)).toEqual({ listCalls: 1, connectionGets: 0, reads: 1, sequentialCalls: 1 });
    expect(() => requiredFleetReads([1], 0)).toThrow(RangeError);
  });
});

describe('throttlingBound', () => {
  it('is zero throttling while the reads fit in a full bucket', () => {
    const bound = throttlingBound(110, ARM_READS, 2, 50);
    expect(bound.throttleSeconds).toBe(0);
    expect(bound.boundSeconds).toBeCloseTo(0.1, 10);
  });

  it('charges each read beyond the bucket one refill interval', () => {
    const bound = throttlingBound(510, ARM_READS, 2, 50);
    expect(bound.throttleSeconds).toBeCloseTo(10.4, 10);
    expect(bound.latencySeconds).toBeCloseTo(0.1, 10);
    expect(bound.boundSeconds).toBeCloseTo(10.5, 10);
    expect(throttlingBound(250, ARM_READS, 0, 0).boundSeconds).toBe(0);
  });

  it('refuses negative inputs and a bucket that never refills', () => {
    expect(() => throttlingBound(-1, ARM_READS, 0, 0)).toThrow(RangeError);
    expect(() => throttlingBound(10, { capacity: 5, refillPerSecond: 0 }, 0, 0)).toThrow(RangeError);
  });
});
