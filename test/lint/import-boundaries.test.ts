import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** Lints `code` as if it were the file at `path` (the real config, the real rule), and returns the rule ids hit. */
async function violations(path: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: process.cwd() });
  const [result] = await eslint.lintText(code, { filePath: path });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('import boundaries, as the lint config states them', () => {
  it('orchestrations import only orchestrations/, core/ and the activity catalog, and no clock, randomness or crypto', async () => {
    expect(await violations('orchestrations/x.ts', "import { ACTIVITIES } from '../activities/activity-names';\nimport { ORCHESTRATIONS } from '../core/jobs/job-catalog';\nexport const a = [ACTIVITIES, ORCHESTRATIONS];\n")).toEqual([]);
    const bad = await violations('orchestrations/x.ts', "import { startJob } from '../bot/start-job';\nimport { randomUUID } from 'node:crypto';\nexport const a = [startJob, randomUUID(), Date(), new Date(), globalThis.Date, performance.now()];\n");
    expect(bad.join('\n')).toMatch(/orchestrations\/ may import only orchestrations\/, core\/, activities\/activity-names; not bot\/start-job/);
    expect(bad.join('\n')).toMatch(/may import only the packages durable-functions; not node:crypto/);
    expect(bad.join('\n')).toMatch(/Date\(\) is the current time/);
    expect(bad.join('\n')).toMatch(/no-restricted-syntax: Use context\.df\.currentUtcDateTime/);
    expect(bad.join('\n')).toMatch(/no-restricted-properties: 'globalThis\.Date'/);
    expect(bad.join('\n')).toMatch(/no-restricted-globals: Unexpected use of 'performance'/);
  });

  it('the determinism rules also cover the core/ modules orchestrations import', async () => {
    expect((await violations('core/jobs/job-catalog.ts', "export const t = Date.now();\n")).join('\n')).toMatch(/Date\.now/);
    // A core module no orchestration imports may hash (certificate thumbprints, delivery keys).
    expect(await violations('core/jobs/delivery-key.ts', "import { createHash } from 'node:crypto';\nexport const h = createHash;\n")).toEqual([]);
  });

  it('activities and adapters never import bot/, orchestrations/ or functions/; only adapters/ reach the Azure SDKs', async () => {
    expect((await violations('activities/x.ts', "import type { BotDeps } from '../bot/bot-deps';\nexport type X = BotDeps;\n")).join('\n')).toMatch(/activities\/ may import only activities\/, core\/, cards\/, adapters\/; not bot\/bot-deps/);
    expect((await violations('adapters/azure/x.ts', "import { ORCHESTRATORS } from '../../functions/durable-registrations';\nexport const x = ORCHESTRATORS;\n")).join('\n')).toMatch(/not functions\/durable-registrations/);
    expect((await violations('bot/x.ts', "import { TableClient } from '@azure/data-tables';\nexport const x = TableClient;\n")).join('\n')).toMatch(/bot\/ may import only the packages none; not @azure\/data-tables/);
    expect((await violations('core/x.ts', "import { TurnContext } from 'botbuilder';\nexport const x = TurnContext;\n")).join('\n')).toMatch(/not botbuilder/);
  });
});
