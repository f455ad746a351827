import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAzureSimulator, type AzureSimulator } from '../../../local/simulator/azure-simulator';
import { instantOperationDurations } from '../../../local/simulator/sim-lro';
import { buildPeerEstate, type PeerEstate } from '../../../local/strongswan/peer-estate';
import { describeRealPeers } from '../../support/real-peers';
import { runCase } from './peer-verdicts';

/** The verdict table of docs/real-peers.md: the test asserts every cell, so the document cannot drift. */
interface Row {
  readonly name: string;
  readonly product: string;
  readonly azure: string;
  readonly strongswan: string;
  readonly reason: string;
  readonly diagnose: string;
  readonly verdicts: 'agree' | 'Azure stricter' | 'device side';
}

function verdictTable(): Row[] {
  const doc = readFileSync(join(__dirname, '../../../docs/real-peers.md'), 'utf8');
  return doc
    .split('\n')
    .filter((line) => /^\| `[a-z0-9-]+` \|/.test(line))
    .map((line) => {
      const cells = line.split(/ \| /).map((c) => c.replace(/^\|? ?`?|`? ?\|?$/g, ''));
      const [name, , product, azure, strongswan, reason, diagnose, verdicts] = cells as [string, string, string, string, string, string, string, Row['verdicts']];
      return { name, product, azure, strongswan, reason, diagnose, verdicts };
    });
}

const rows = verdictTable();
let peers: PeerEstate;
let sim: AzureSimulator;
const timings: string[] = [];

beforeAll(async () => {
  peers = await buildPeerEstate(new Date());
  // Verdicts, not log timing: Azure's rows are readable at once (the ingestion delay has tests of its own).
  sim = await startAzureSimulator({ estate: peers.estate, tunnelSettleMs: 0, logIngestionDelayMs: 0, lro: { durations: instantOperationDurations, retryAfterSeconds: 0 } });
});

afterAll(async () => {
  if (timings.length > 0) process.stdout.write(`real peers, IKE per case (swanctl --initiate to answer): ${timings.join(', ')}\n`);
  await sim?.close();
});

describeRealPeers('broken certificate sets: the product, the simulator and strongSwan agree (docs/real-peers.md)', () => {
  it('the table in docs/ lists exactly the corpus', () => {
    expect(rows.map((r) => r.name)).toEqual(peers.cases.map((c) => c.name));
  });

  it.each(rows)('$name', async (row) => {
    const c = peers.cases.find((x) => x.name === row.name)!;
    const v = await runCase(sim, c, peers.estate.sites.find((s) => s.name === c.site)!.device);
    timings.push(`${row.name} ${Math.round(v.run.ms)} ms`);
    expect({ product: v.product, azure: v.azure, strongswan: v.strongswan, reason: v.reason, diagnose: v.diagnose }).toEqual({
      product: row.product,
      azure: row.azure,
      strongswan: row.strongswan,
      reason: row.reason,
      diagnose: row.diagnose,
    });

    const up = v.strongswan === 'established';
    if (row.verdicts === 'agree') {
      expect(v.product === 'accepts').toBe(up);
      expect(v.azure === 'connected').toBe(up);
    } else if (row.verdicts === 'Azure stricter') {
      expect(up).toBe(true);
      expect(v.product).toMatch(/^refuses /);
      expect(v.azure).toBe(v.product);
    } else {
      expect(v.product).toBe('accepts');
      expect(v.azure === 'connected').toBe(up);
      expect(up).toBe(false);
    }

    // Diagnose read the live device log as this connection's (its peer is the sandbox gateway), not as another peer's.
    expect(v.deviceEventsRead).toBeGreaterThan(0);
    expect(v.notes.join('\n')).not.toMatch(/talks to/);
    // Each case well under a second of IKE (retransmits are short; nothing here waits for one).
    expect(v.run.ms).toBeLessThan(3000);
  });
});
