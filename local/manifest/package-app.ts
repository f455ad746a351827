/**
 * `npm run package [-- --env <name>]`: the Teams app package, appPackage/build/appPackage.zip (manifest.json,
 * color.png, outline.png at the root), built from the command specs and the icons, with one environment's ids in
 * place of the placeholders, and validated before it is written:
 * - against the official Teams manifest schema, with Microsoft's own validator (`@microsoft/app-manifest`) and the
 *   schema that package ships (no network: its copy of developer.microsoft.com/json-schemas/teams/v1.30);
 * - the checks Teams' app validation makes that the schema cannot: the ids are GUIDs, no placeholder is left, the
 *   valid domains are bare host names, and the icons are 192x192 colour and 32x32 outline with transparency.
 * Values come from env/.env.<name> (the Agents Toolkit's environment files; `--env local` by default) and the
 * process environment, which wins (e.g. `BOT_ID=$(azd env get-value BOT_ID) npm run package -- --env dev`).
 * Never deployed.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import AdmZip from 'adm-zip';
import { AppManifestUtils } from '@microsoft/app-manifest';
import { projectRoot } from '../sandbox/project-root';
import { encodePng } from './encode-png';
import { generateManifest, manifestJson, MANIFEST_VERSION } from './generate-manifest';
import { renderAppIcons } from './render-app-icons';

/** The package cannot be built or would not pass Teams' validation; the message lists every problem and the fix. */
export class AppPackageError extends Error {
  override readonly name = 'AppPackageError';
  constructor(readonly problems: readonly string[]) {
    super(`The Teams app package is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export interface AppPackageFiles {
  readonly 'manifest.json': Buffer;
  readonly 'color.png': Buffer;
  readonly 'outline.png': Buffer;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ICONS = { 'color.png': 192, 'outline.png': 32 } as const;

/** KEY=VALUE lines, as the Agents Toolkit writes env/.env.<name> (# comments, optional quotes). */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && !line.trimStart().startsWith('#')) values[m[1]!] = m[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return values;
}

/** Replaces every `${{NAME}}` of the manifest; names without a value are reported together. */
export function fillPlaceholders(template: string, values: Readonly<Record<string, string | undefined>>): string {
  const missing = new Set<string>();
  const filled = template.replace(/\$\{\{([A-Z][A-Z0-9_]*)\}\}/g, (placeholder, name: string) => {
    const value = values[name]?.trim();
    if (!value) {
      missing.add(name);
      return placeholder;
    }
    return JSON.stringify(value).slice(1, -1);
  });
  if (missing.size > 0) {
    throw new AppPackageError([...missing].map((name) => `${name} has no value: set it in env/.env.<environment> or the environment (see appPackage/README.md).`));
  }
  return filled;
}

/** Width, height and colour type from a PNG's IHDR chunk. */
function pngHeader(png: Buffer): { width: number; height: number; colorType: number } | undefined {
  if (png.length < 33 || png.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), colorType: png[25]! };
}

/** The official manifest schema for `manifestVersion`, from the copy `@microsoft/app-manifest` ships. */
export function manifestSchemaPath(version = MANIFEST_VERSION): string {
  return join(dirname(require.resolve('@microsoft/app-manifest/package.json')), 'build/json-schemas/teams', `v${version}`, 'MicrosoftTeams.schema.json');
}

/** Every problem Teams would find in this package: schema (Microsoft's validator), ids, domains, icons. */
export async function validateAppPackage(files: AppPackageFiles): Promise<string[]> {
  const problems: string[] = [];
  const text = files['manifest.json'].toString('utf8');
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    return [`manifest.json is not JSON: ${(error as Error).message}`];
  }
  const schemaFile = manifestSchemaPath(String(manifest.manifestVersion));
  if (!existsSync(schemaFile)) return [`@microsoft/app-manifest ships no schema for manifest version ${String(manifest.manifestVersion)}.`];
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b')) as Parameters<typeof AppManifestUtils.validateAgainstSchema>[1];
  for (const error of await AppManifestUtils.validateAgainstSchema(manifest as unknown as Parameters<typeof AppManifestUtils.validateAgainstSchema>[0], schema)) problems.push(`schema: ${error}`);

  for (const placeholder of new Set(text.match(/\$\{\{[A-Z0-9_]+\}\}/g) ?? [])) problems.push(`${placeholder} was not replaced.`);
  if (!GUID.test(String(manifest.id))) problems.push(`id "${String(manifest.id)}" is not a GUID: choose one for the Teams app (TEAMS_APP_ID) and keep it for every update.`);
  for (const bot of (manifest.bots as { botId?: string }[] | undefined) ?? []) {
    if (!GUID.test(String(bot.botId))) problems.push(`bots[].botId "${String(bot.botId)}" is not a GUID: it is BOT_ID, the bot identity's client id (azd env get-value BOT_ID).`);
  }
  for (const domain of (manifest.validDomains as string[] | undefined) ?? []) {
    if (!/^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/i.test(domain)) problems.push(`validDomains entry "${domain}" is not a host name (no scheme, port or path; BOT_DOMAIN is e.g. func-vpncert-abc.azurewebsites.net).`);
  }
  for (const [name, size] of Object.entries(ICONS) as [keyof typeof ICONS, number][]) {
    const header = pngHeader(files[name]);
    if (!header) problems.push(`${name} is not a PNG.`);
    else if (header.width !== size || header.height !== size) problems.push(`${name} is ${header.width}x${header.height}; Teams requires ${size}x${size}.`);
    else if (name === 'outline.png' && header.colorType !== 6) problems.push('outline.png has no alpha channel; Teams requires white on a transparent background.');
  }
  return problems;
}

/** The package's three files for these values: the manifest generated from the command specs, and the icons. */
export function appPackageFiles(version: string, values: Readonly<Record<string, string | undefined>>): AppPackageFiles {
  const icons = renderAppIcons();
  return {
    'manifest.json': Buffer.from(fillPlaceholders(manifestJson(generateManifest({ version })), values)),
    'color.png': encodePng(icons.color),
    'outline.png': encodePng(icons.outline),
  };
}

/** Validates the files and writes them, at the root of a zip, to `outFile`. */
export async function writeAppPackage(files: AppPackageFiles, outFile: string): Promise<void> {
  const problems = await validateAppPackage(files);
  if (problems.length > 0) throw new AppPackageError(problems);
  const zip = new AdmZip();
  for (const [name, content] of Object.entries(files) as [string, Buffer][]) zip.addFile(name, content);
  mkdirSync(dirname(outFile), { recursive: true });
  zip.writeZip(outFile);
}

if (typeof require !== 'undefined' && require.main === module) {
  const args = process.argv.slice(2);
  const envName = args[args.indexOf('--env') + 1] && args.includes('--env') ? args[args.indexOf('--env') + 1]! : 'local';
  const root = projectRoot(__dirname);
  const envFile = join(root, 'env', `.env.${envName}`);
  const values = { ...(existsSync(envFile) ? parseEnvFile(readFileSync(envFile, 'utf8')) : {}), ...process.env };
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const outFile = join(root, 'appPackage/build/appPackage.zip');
  Promise.resolve()
    .then(() => writeAppPackage(appPackageFiles(version, values), outFile))
    .then(() => console.log(`wrote ${outFile} (environment "${envName}"${existsSync(envFile) ? `, ${envFile}` : ''}); upload it in Teams: Apps, Manage your apps, Upload an app`))
    .catch((error: unknown) => {
      console.error(error instanceof AppPackageError ? error.message : error);
      process.exitCode = 1;
    });
}
