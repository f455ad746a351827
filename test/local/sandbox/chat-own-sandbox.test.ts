import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChat, startOwnSandbox } from '../../../local/sandbox/chat';

// Its own file: the function app reads its settings once per process, so one sandbox per test worker.
describe('npm run chat without a running sandbox', () => {
  it('starts one for the message and leaves no temporary folder behind', async () => {
    const tmpRoot = mkdtempSync(join(tmpdir(), 'chat-own-'));
    try {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runChat(['status rome'], {
        findRunningSandbox: async () => undefined,
        startSandbox: () => startOwnSandbox({ tmpRoot }),
        out: (text) => out.push(text),
        err: (text) => err.push(text),
      });
      expect(code).toBe(0);
      expect(err.join('')).toMatch(/No running `npm start` found; starting a sandbox for this message/);
      expect(out.join('')).toMatch(/== site-rome is not in Azure yet ==\nsite-rome is a device waiting to be provisioned/);
      expect(readdirSync(tmpRoot)).toEqual([]);
    } finally {
      rmSync(tmpRoot, { recursive: true, force: true });
    }
  }, 120_000);
});
