import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableClientFactory } from '../../../adapters/storage/table-client-factory';
import { createTableJobIndex } from '../../../adapters/storage/table-job-index';
import type { RunningAzurite } from '../../../local/sandbox/azurite';
import { startAzurite } from '../../../local/sandbox/azurite';

let azurite: RunningAzurite;
let tables: ReturnType<typeof createTableClientFactory>;

beforeAll(async () => {
  azurite = await startAzurite();
  tables = createTableClientFactory({ kind: 'connection-string', connectionString: azurite.connectionString });
});
afterAll(async () => {
  await azurite?.stop();
});

const ALEX = '5A7C0DE0-0000-4000-8000-00000000A001';
const PATTI = '5a7c0de0-0000-4000-8000-00000000a005';
const at = (minutes: number) => new Date(Date.UTC(2026, 10, 23, 12, minutes));

describe('table job index (Azurite)', () => {
  it("lists one person's jobs since a time, newest first, up to a limit", async () => {
    const index = createTableJobIndex(tables);
    await index.add({ jobId: 'status-site-a-1', requesterId: ALEX, createdAt: at(1) });
    await index.add({ jobId: 'status-site-b-2', requesterId: ALEX, createdAt: at(5) });
    await index.add({ jobId: 'status-site-c-3', requesterId: ALEX, createdAt: at(9) });
    await index.add({ jobId: 'status-site-d-4', requesterId: PATTI, createdAt: at(7) });
    expect(await index.recentFor(ALEX.toLowerCase(), at(0), 10)).toEqual(['status-site-c-3', 'status-site-b-2', 'status-site-a-1']);
    expect(await index.recentFor(ALEX, at(5), 10)).toEqual(['status-site-c-3', 'status-site-b-2']);
    expect(await index.recentFor(ALEX, at(0), 2)).toEqual(['status-site-c-3', 'status-site-b-2']);
    expect(await index.recentFor(PATTI, at(0), 10)).toEqual(['status-site-d-4']);
  });

  it('answers nothing for an id that is not an object id, without querying with it', async () => {
    const index = createTableJobIndex(tables);
    expect(await index.recentFor("x' or PartitionKey ne '", at(0), 10)).toEqual([]);
  });
});
