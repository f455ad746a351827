import { expect, it } from 'vitest';
import { runProvisionBench } from '../../bench/provision-bench';

it('the provisioning benchmark runs: a preflight over 500 sites with Azure latency, and the bot overhead per provisioning', { timeout: 120_000 }, async () => {
  const result = await runProvisionBench({ runs: 1 });
  process.stdout.write(`provision bench: ${JSON.stringify(result)}\n`);
  expect(result.sites).toBe(500);
  expect(result.preflightMs).toHaveLength(1);
  expect(result.overheadMs).toHaveLength(1);
  expect(result.overlapMicros).toBeGreaterThan(0);
});
