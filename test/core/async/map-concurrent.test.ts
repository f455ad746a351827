import { expect, it } from 'vitest';
import { mapConcurrent } from '../../../core/async/map-concurrent';

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
