import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../../local/manifest/encode-png';
import { MANIFEST_VERSION, menuSpecs } from '../../../local/manifest/generate-manifest';
import type { AppPackageFiles } from '../../../local/manifest/package-app';
import { AppPackageError, appPackageFiles, fillPlaceholders, manifestSchemaPath, parseEnvFile, validateAppPackage, writeAppPackage } from '../../../local/manifest/package-app';

const root = join(__dirname, '../../..');
const ids = {
  TEAMS_APP_ID: '4a1b2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  BOT_ID: '0b5a3c8e-1f2d-4e6a-9b7c-3d4e5f6a7b8c',
  BOT_DOMAIN: 'func-vpncert-6qefbinzwvjrq.azurewebsites.net',
  DEVELOPER_NAME: 'Contoso Network Operations',
  DEVELOPER_WEBSITE_URL: 'https://contoso.example/vpn',
  DEVELOPER_PRIVACY_URL: 'https://contoso.example/privacy',
  DEVELOPER_TERMS_URL: 'https://contoso.example/terms',
};
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

function withManifest(files: AppPackageFiles, change: (m: Record<string, unknown>) => void): AppPackageFiles {
  const manifest = JSON.parse(files['manifest.json'].toString('utf8')) as Record<string, unknown>;
  change(manifest);
  return { ...files, 'manifest.json': Buffer.from(JSON.stringify(manifest)) };
}

describe('the Teams app package (npm run package)', () => {
  it('zips manifest.json and both icons at the root, with the environment\'s ids, and the menu is the command specs', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'app-package-')), 'appPackage.zip');
    await writeAppPackage(appPackageFiles(version, ids), out);
    const zip = new AdmZip(out);
    expect(zip.getEntries().map((e) => e.entryName).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(zip.readAsText('manifest.json')) as { id: string; bots: { botId: string; commandLists: { commands: { title: string }[] }[] }[]; validDomains: string[]; developer: Record<string, string> };
    expect(manifest.id).toBe(ids.TEAMS_APP_ID);
    expect(manifest.bots[0]!.botId).toBe(ids.BOT_ID);
    expect(manifest.validDomains).toEqual([ids.BOT_DOMAIN]);
    expect(manifest.developer.privacyUrl).toBe(ids.DEVELOPER_PRIVACY_URL);
    expect(manifest.bots[0]!.commandLists[0]!.commands.map((c) => c.title)).toEqual(menuSpecs().map((s) => s.name));
    const unpacked = { 'manifest.json': zip.readFile('manifest.json')!, 'color.png': zip.readFile('color.png')!, 'outline.png': zip.readFile('outline.png')! };
    expect(await validateAppPackage(unpacked)).toEqual([]);
  });

  it('validates with Microsoft\'s validator against the official schema that @microsoft/app-manifest ships (offline)', async () => {
    expect(existsSync(manifestSchemaPath(MANIFEST_VERSION))).toBe(true);
    const files = appPackageFiles(version, ids);
    // Limits the schema itself enforces: a short description of at most 80 characters, at most 12 commands (v1.24 on).
    const tooLong = await validateAppPackage(withManifest(files, (m) => ((m.description as { short: string }).short = 'x'.repeat(81))));
    expect(tooLong.join('\n')).toMatch(/schema: .*description\/short.*(80|longer)/);
    const tooMany = await validateAppPackage(
      withManifest(files, (m) => {
        const list = (m.bots as { commandLists: { commands: unknown[] }[] }[])[0]!.commandLists[0]!;
        list.commands = Array.from({ length: 13 }, (_, i) => ({ title: `c${i}`, description: 'd' }));
      }),
    );
    expect(tooMany.join('\n')).toMatch(/schema: .*commands.*(12|more)/);
  });

  it('refuses what Teams would refuse beyond the schema: ids that are not GUIDs, a URL as a domain, wrong icon sizes, an opaque outline', async () => {
    const files = appPackageFiles(version, ids);
    const problems = await validateAppPackage({
      ...withManifest(files, (m) => {
        m.id = 'my-app';
        (m.bots as { botId: string }[])[0]!.botId = 'vpn-bot';
        m.validDomains = ['https://func-vpncert.azurewebsites.net/api'];
      }),
      'color.png': encodePng({ width: 96, height: 96, rgba: new Uint8Array(96 * 96 * 4).fill(255) }),
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^id "my-app" is not a GUID/),
        expect.stringMatching(/^bots\[\]\.botId "vpn-bot" is not a GUID/),
        expect.stringMatching(/^validDomains entry "https:\/\/func-vpncert\.azurewebsites\.net\/api" is not a host name/),
        'color.png is 96x96; Teams requires 192x192.',
      ]),
    );
    const out = join(mkdtempSync(join(tmpdir(), 'app-package-')), 'appPackage.zip');
    await expect(writeAppPackage({ ...files, 'outline.png': Buffer.from('not a png') }, out)).rejects.toThrow(AppPackageError);
    expect(existsSync(out)).toBe(false);
  });

  it('names every id an environment has not set, and reads the Agents Toolkit\'s env files', () => {
    expect(() => fillPlaceholders('{"id":"${{TEAMS_APP_ID}}","botId":"${{BOT_ID}}"}', { TEAMS_APP_ID: ' ' })).toThrow(/TEAMS_APP_ID has no value[\s\S]*BOT_ID has no value/);
    expect(parseEnvFile('# comment\nTEAMSFX_ENV=dev\nBOT_ID="abc"\nEMPTY=\n')).toEqual({ TEAMSFX_ENV: 'dev', BOT_ID: 'abc', EMPTY: '' });
    const local = parseEnvFile(readFileSync(join(root, 'env/.env.local'), 'utf8'));
    expect(() => appPackageFiles(version, local)).not.toThrow();
  });

  it('is what the Agents Toolkit project files build: m365agents.yml packs appPackage/manifest.json, the local variant uses the Playground', () => {
    const remote = readFileSync(join(root, 'm365agents.yml'), 'utf8');
    expect(remote).toMatch(/^version: v1\.\d+$/m);
    for (const action of ['teamsApp/create', 'teamsApp/validateManifest', 'teamsApp/zipAppPackage', 'teamsApp/validateAppPackage', 'teamsApp/update']) expect(remote).toContain(`uses: ${action}`);
    expect([...remote.matchAll(/manifestPath: (\S+)/g)].map((m) => m[1])).toEqual(['./appPackage/manifest.json', './appPackage/manifest.json']);
    const local = readFileSync(join(root, 'm365agents.local.yml'), 'utf8');
    expect(local).toMatch(/Playground/);
    expect(local).toContain('args: run package -- --env local');
    expect(local).not.toMatch(/teamsApp\/create/);
  });
});
