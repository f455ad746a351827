import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CommandSpec } from '../../../core/commands/command-spec';
import { findCommandSpec } from '../../../core/commands/command-specs';
import { COMMAND_LIST_LIMITS, MANIFEST_VERSION, ManifestLimitError, generateManifest, manifestCommands, manifestJson, menuSpecs, writeAppPackage } from '../../../local/manifest/generate-manifest';
import { renderAppIcons } from '../../../local/manifest/render-app-icons';
import { decodePng } from './decode-png';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const appPackage = join(root, 'appPackage');
const packageVersion = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

function spec(overrides: Partial<CommandSpec>): CommandSpec {
  return { name: 'probe', aliases: [], summary: 'Probe something.', args: [], flags: [], examples: ['probe'], role: 'reader', effect: 'read-only', execution: 'instant', ...overrides };
}

describe('the committed Teams app package', () => {
  const committed = readFileSync(join(appPackage, 'manifest.json'), 'utf8');
  const manifest = JSON.parse(committed) as {
    $schema: string;
    manifestVersion: string;
    version: string;
    id: string;
    developer: Record<string, string>;
    name: { short: string; full: string };
    description: { short: string; full: string };
    icons: { color: string; outline: string };
    accentColor: string;
    bots: { botId: string; scopes: string[]; supportsFiles: boolean; commandLists: { scopes: string[]; commands: { title: string; description: string }[] }[] }[];
  };

  it('is exactly what `npm run manifest` generates from the current command specs (run it after changing a spec)', () => {
    expect(committed).toBe(manifestJson(generateManifest({ version: packageVersion })));
  });

  it("lists the menu's commands (at most 10) once each, by the name the parser understands", () => {
    const titles = manifest.bots.flatMap((b) => b.commandLists.flatMap((l) => l.commands.map((c) => c.title)));
    expect(titles).toEqual(menuSpecs().map((s) => s.name));
    for (const title of titles) expect(findCommandSpec(title)?.name).toBe(title);
  });

  it('keeps within the limits Teams enforces on command lists and app metadata', () => {
    expect(manifest.bots).toHaveLength(1);
    const bot = manifest.bots[0]!;
    expect(bot.commandLists.length).toBeLessThanOrEqual(3);
    for (const list of bot.commandLists) {
      expect(list.commands.length).toBeGreaterThan(0);
      expect(list.commands.length).toBeLessThanOrEqual(COMMAND_LIST_LIMITS.commands);
      expect(list.scopes.every((s) => bot.scopes.includes(s))).toBe(true);
      for (const command of list.commands) {
        expect(command.title.length).toBeLessThanOrEqual(32);
        expect(command.description.length).toBeGreaterThan(0);
        expect(command.description.length).toBeLessThanOrEqual(128);
      }
    }
    expect(manifest.name.short.length).toBeLessThanOrEqual(30);
    expect(manifest.name.full.length).toBeLessThanOrEqual(100);
    expect(manifest.description.short.length).toBeLessThanOrEqual(80);
    expect(manifest.description.full.length).toBeLessThanOrEqual(4000);
    expect(manifest.description.full).not.toBe(manifest.description.short);
    expect(manifest.accentColor).toMatch(/^#[0-9A-Fa-f]{6}$/);
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('is a chat bot in personal, team and group chats that accepts an attached device log', () => {
    const bot = manifest.bots[0]!;
    expect([...bot.scopes].sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(bot.supportsFiles).toBe(true);
    expect(manifest.manifestVersion).toBe(MANIFEST_VERSION);
    expect(manifest.$schema).toBe(`https://developer.microsoft.com/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`);
  });

  it('leaves deployment-specific ids to placeholders, as Teams Toolkit substitutes them', () => {
    expect(manifest.id).toBe('${{TEAMS_APP_ID}}');
    expect(manifest.bots[0]!.botId).toBe('${{BOT_ID}}');
    for (const value of Object.values(manifest.developer)) expect(value).toMatch(/^\$\{\{[A-Z][A-Z0-9_]*\}\}$/);
    expect(committed).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
  });

  it('ships the icons it names: colour 192x192 opaque, outline 32x32 white on transparent, pixel for pixel as generated', () => {
    const icons = renderAppIcons();
    const color = decodePng(readFileSync(join(appPackage, manifest.icons.color)));
    const outline = decodePng(readFileSync(join(appPackage, manifest.icons.outline)));
    expect([color.width, color.height]).toEqual([192, 192]);
    expect([outline.width, outline.height]).toEqual([32, 32]);
    expect(Buffer.from(color.rgba).equals(Buffer.from(icons.color.rgba))).toBe(true);
    expect(Buffer.from(outline.rgba).equals(Buffer.from(icons.outline.rgba))).toBe(true);
  });
});

describe('manifestCommands', () => {
  it('adds the usage line to the summary when it fits, and leaves it out for commands without arguments', () => {
    const [withArgs, without] = manifestCommands([
      spec({ name: 'probe', args: [{ name: 'site', type: 'site', required: true, description: 'A site.' }] }),
      spec({ name: 'plain' }),
    ]);
    expect(withArgs).toEqual({ title: 'probe', description: 'Probe something. Usage: probe <site>' });
    expect(without).toEqual({ title: 'plain', description: 'Probe something.' });
  });

  it('drops the usage line rather than truncating when summary and usage together are too long', () => {
    const summary = `${'x'.repeat(120)}.`;
    const [command] = manifestCommands([spec({ summary, args: [{ name: 'site', type: 'site', required: true, description: 'A site.' }] })]);
    expect(command!.description).toBe(summary);
  });

  it('refuses specs that Teams cannot show instead of shipping a menu that differs from help', () => {
    const eleven = Array.from({ length: 11 }, (_, i) => spec({ name: `c${i}` }));
    expect(() => manifestCommands(eleven)).toThrow(ManifestLimitError);
    expect(() => manifestCommands(eleven)).toThrow(/11 commands/);
    expect(() => manifestCommands([spec({ name: 'n'.repeat(33) })])).toThrow(/longer than 32/);
    expect(() => manifestCommands([spec({ summary: 's'.repeat(129) })])).toThrow(/129 characters/);
    expect(() => generateManifest({ version: '1.0' })).toThrow(/MAJOR.MINOR.PATCH/);
  });
});

describe('writeAppPackage', () => {
  it('writes the manifest and both icons into the folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'app-package-'));
    try {
      const written = writeAppPackage(dir, '2.3.4');
      expect(written.map((p) => p.slice(dir.length + 1)).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
      expect((JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { version: string }).version).toBe('2.3.4');
      expect(decodePng(readFileSync(join(dir, 'outline.png'))).width).toBe(32);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
