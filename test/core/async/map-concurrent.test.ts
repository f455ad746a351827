import { expect, it } from 'vitest';
import { createLimiter, mapConcurrent } from '../../../core/async/map-concurrent';

it('keeps input order and never has more than the limit in flight', async () => {
  let inFlight = 0;
  let most = 0;
  const results = await mapConcurrent([30, 5, 20, 1, 10, 2], 2, async (ms, index) => {
    most = Math.max(most, ++inFlight);
    await new Promise((resolve) => setTimeout(resolve, ms));
    inFlight--;
    return `${index}:${ms}`;
  });
  expect(results).toEqual(['0:30', '1:5', '2:20', '3:1', '4:10', '5:2']);
  expect(most).toBe(2);
  expect(await mapConcurrent([], 4, async () => 1)).toEqual([]);
});

it('a limiter runs at most its limit at once, the rest in the order they came, and frees a slot when a call fails', async () => {
  const limit = createLimiter(2);
  let inFlight = 0;
  let most = 0;
  const started: number[] = [];
  const run = (id: number, ms: number, fail = false) =>
    limit(async () => {
      started.push(id);
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, ms));
      inFlight--;
      if (fail) throw new Error(`call ${id} failed`);
      return id;
    });
  const first = [run(1, 20, true), run(2, 5)];
  const later = [run(3, 1), run(4, 1), run(5, 1)];
  await expect(first[0]).rejects.toThrow('call 1 failed');
  expect(await Promise.all([first[1], ...later])).toEqual([2, 3, 4, 5]);
  expect(most).toBe(2);
  expect(started).toEqual([1, 2, 3, 4, 5]);
});
