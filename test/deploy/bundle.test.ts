import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardText } from '../../local/playground-client/playground-client';
import type { ChatFixture } from '../e2e/sandbox-fixture';
import { startChat } from '../e2e/sandbox-fixture';

/**
 * The deployed package (npm run build:deploy: the esbuild bundle azd ships) runs: the local host loads the bundle,
 * not dist/ or the TypeScript sources, and the bot answers through the Playground against the Azure simulator,
 * including the ARM SDKs that the bundle loads on first use.
 */
const root = join(__dirname, '../..');
const out = mkdtempSync(join(tmpdir(), 'deploy-bundle-'));
let chat: ChatFixture;

beforeAll(async () => {
  execFileSync(process.execPath, [join(root, 'deploy/build.mjs'), out], { cwd: root, stdio: 'pipe' });
  const bundle = join(out, 'dist/index.js');
  chat = await startChat({ loadApp: () => createRequire(bundle)(bundle) as unknown });
}, 180_000);

afterAll(async () => {
  await chat?.close();
});

async function final(text: string, done = /Checked|Read \d+|No such site|no IKE logs|Could not|Failed/): Promise<string> {
  const ack = await chat.say(text);
  return cardText(await chat.until(ack.id, done, 45_000));
}

describe('the deployed bundle on the local host', () => {
  it('is what azd deploys: the bundle, the ARM SDKs beside it, host.json; no node_modules', () => {
    expect(readdirSync(join(out, 'dist')).sort()).toEqual(['index.js', 'lazy-azure-arm-monitor.js', 'lazy-azure-arm-network.js']);
    expect(readFileSync(join(out, 'host.json'), 'utf8')).toBe(readFileSync(join(root, 'host.json'), 'utf8'));
    const deployPackage = JSON.parse(readFileSync(join(root, 'deploy/package.json'), 'utf8')) as { main: string; dependencies?: object };
    expect(deployPackage.main).toBe('dist/index.js');
    expect(deployPackage.dependencies).toBeUndefined();
  });

  it('answers help and whoami', async () => {
    expect(cardText(await chat.say('help'))).toMatch(/status/);
    expect(cardText(await chat.say('whoami'))).toMatch(/Alex Wilber/);
  });

  it('reads a site from Azure (network, Key Vault) and the fleet', async () => {
    expect(await final('status site-london')).toMatch(/status site-london.*Connected/);
    expect(await final('status')).toMatch(/4 connected\s+·\s+3 down/);
  });

  it('diagnoses from the logs and metrics (Log Analytics, Azure Monitor)', async () => {
    expect(await final('diagnose site-oslo')).toMatch(/IKE proposal mismatch/);
  });

  it('explains an Azure permission failure as the unbundled app does', async () => {
    const fault = chat.sandbox.simulator.faults.add({ match: { method: 'GET', pathContains: 'connections/cn-site-madrid' }, respond: { status: 403 }, times: 20 });
    try {
      expect(await final('status site-madrid')).toMatch(/Could not read site-madrid[\s\S]*(permission|not allowed|authoriz)/i);
    } finally {
      fault.remove();
    }
  });
});
