/**
 * `npm run manifest`: writes the Teams app package (appPackage/manifest.json, color.png, outline.png). The bot's
 * command list comes from COMMAND_SPECS, the same specs that drive parsing and `help`, so the menu Teams shows
 * cannot drift from what the bot understands; a test fails when the committed files are stale.
 * Never deployed: the package is uploaded to Teams, not to the function app.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandSpec } from '../../core/commands/command-spec';
import { usageOf } from '../../core/commands/command-spec';
import { COMMAND_SPECS } from '../../core/commands/command-specs';
import type { CommandName } from '../../core/commands/command-specs';
import { projectRoot } from '../sandbox/project-root';
import { encodePng } from './encode-png';
import { ACCENT_COLOR, renderAppIcons } from './render-app-icons';

/** Newest generally available manifest schema (1.30, August 2026, per Microsoft's app manifest reference). */
export const MANIFEST_VERSION = '1.30';

/**
 * Limits every Teams client honours. Schema 1.24 raised commands to 12 and later ones lengthen titles and
 * descriptions, but older clients still cut at these, so the generator keeps to them.
 */
export const COMMAND_LIST_LIMITS = { commands: 10, title: 32, description: 128 } as const;

/** Values Teams Toolkit / Agents Toolkit (or the person packaging) substitutes from the deployment. */
export const MANIFEST_PLACEHOLDERS = {
  appId: '${{TEAMS_APP_ID}}',
  botId: '${{BOT_ID}}',
  developerName: '${{DEVELOPER_NAME}}',
  developerWebsiteUrl: '${{DEVELOPER_WEBSITE_URL}}',
  privacyUrl: '${{DEVELOPER_PRIVACY_URL}}',
  termsOfUseUrl: '${{DEVELOPER_TERMS_URL}}',
  botDomain: '${{BOT_DOMAIN}}',
} as const;

export type BotScope = 'personal' | 'team' | 'groupChat';

export interface ManifestCommand {
  readonly title: string;
  readonly description: string;
}

export interface TeamsManifest {
  readonly $schema: string;
  readonly manifestVersion: string;
  readonly version: string;
  readonly id: string;
  readonly developer: { readonly name: string; readonly websiteUrl: string; readonly privacyUrl: string; readonly termsOfUseUrl: string };
  readonly name: { readonly short: string; readonly full: string };
  readonly description: { readonly short: string; readonly full: string };
  readonly icons: { readonly color: string; readonly outline: string };
  readonly accentColor: string;
  readonly bots: readonly {
    readonly botId: string;
    readonly scopes: readonly BotScope[];
    readonly supportsFiles: boolean;
    readonly isNotificationOnly: boolean;
    readonly supportsCalling: boolean;
    readonly supportsVideo: boolean;
    readonly commandLists: readonly { readonly scopes: readonly BotScope[]; readonly commands: readonly ManifestCommand[] }[];
  }[];
  readonly validDomains: readonly string[];
}

/** Thrown when the specs cannot be shown within Teams' limits; the message says which spec and how to fix it. */
export class ManifestLimitError extends Error {
  override readonly name = 'ManifestLimitError';
}

const BOT_SCOPES: readonly BotScope[] = ['personal', 'team', 'groupChat'];

/**
 * One menu entry per command: the title is what Teams inserts into the compose box, so it is the command name;
 * the description is the spec's summary plus its usage line when both fit. Nothing is ever truncated: a spec
 * that cannot fit stops the generator instead of shipping a menu that differs from `help`.
 */
export function manifestCommands(specs: readonly CommandSpec[]): ManifestCommand[] {
  if (specs.length > COMMAND_LIST_LIMITS.commands) {
    throw new ManifestLimitError(
      `${specs.length} commands do not fit one Teams command list (at most ${COMMAND_LIST_LIMITS.commands}); choose which commands the menu shows in local/manifest/generate-manifest.ts.`,
    );
  }
  return specs.map((spec) => {
    if (spec.name.length > COMMAND_LIST_LIMITS.title) throw new ManifestLimitError(`Command name "${spec.name}" is longer than ${COMMAND_LIST_LIMITS.title} characters, the Teams limit for a command title.`);
    if (spec.summary.length > COMMAND_LIST_LIMITS.description) {
      throw new ManifestLimitError(`The summary of "${spec.name}" has ${spec.summary.length} characters; Teams shows at most ${COMMAND_LIST_LIMITS.description}. Shorten it in core/commands/command-specs.ts.`);
    }
    const usage = usageOf(spec);
    const withUsage = `${spec.summary} Usage: ${usage}`;
    const description = usage !== spec.name && withUsage.length <= COMMAND_LIST_LIMITS.description ? withUsage : spec.summary;
    return { title: spec.name, description };
  });
}

/**
 * The commands Teams' menu offers (a command list holds at most 10): the ones people start from, in the specs' order.
 * `help` lists every command; the rest start from cards' buttons (Enable diagnostics, Cancel), are typed once in a
 * channel (unsubscribe, subscriptions) or once per person (whoami).
 */
export const MENU_COMMANDS: readonly CommandName[] = ['help', 'status', 'diagnose', 'rotate', 'provision', 'approvals', 'audit', 'jobs', 'expiry', 'subscribe'];

/** The specs of the menu's commands, in the specs' order. */
export function menuSpecs(): CommandSpec[] {
  return COMMAND_SPECS.filter((spec) => (MENU_COMMANDS as readonly string[]).includes(spec.name));
}

export interface ManifestOptions {
  /** App version (semver), normally package.json's. */
  readonly version: string;
  readonly specs?: readonly CommandSpec[];
}

export function generateManifest(options: ManifestOptions): TeamsManifest {
  if (!/^\d+\.\d+\.\d+$/.test(options.version)) throw new ManifestLimitError(`The app version must be MAJOR.MINOR.PATCH for Teams, not "${options.version}".`);
  const specs = options.specs ?? menuSpecs();
  const names = specs.map((s) => s.name).join(', ');
  return {
    $schema: `https://developer.microsoft.com/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`,
    manifestVersion: MANIFEST_VERSION,
    version: options.version,
    id: MANIFEST_PLACEHOLDERS.appId,
    developer: {
      name: MANIFEST_PLACEHOLDERS.developerName,
      websiteUrl: MANIFEST_PLACEHOLDERS.developerWebsiteUrl,
      privacyUrl: MANIFEST_PLACEHOLDERS.privacyUrl,
      termsOfUseUrl: MANIFEST_PLACEHOLDERS.termsOfUseUrl,
    },
    name: { short: 'VPN Cert Ops', full: 'VPN certificate operations for Azure VPN Gateway' },
    description: {
      short: 'Status and diagnosis of certificate-authenticated Azure site-to-site VPNs.',
      full:
        'A ChatOps bot for network teams who run Azure VPN Gateway site-to-site connections that authenticate with ' +
        'X.509 certificates instead of pre-shared keys. In a personal chat, or by @mentioning it in a channel, you can ' +
        'see the state of one site or the whole fleet (both tunnels, traffic, the outbound certificate in Key Vault and ' +
        "the inbound chain), and ask why a tunnel is down: the bot reads the gateway's IKE and tunnel logs and metrics, " +
        "combines them with the device's strongSwan log if you paste or attach it, and says what to do. Answers are " +
        'Adaptive Cards that update as the work progresses. What you may run depends on the role your organisation ' +
        `gave you. Commands: ${names}.`,
    },
    icons: { color: 'color.png', outline: 'outline.png' },
    accentColor: ACCENT_COLOR,
    bots: [
      {
        botId: MANIFEST_PLACEHOLDERS.botId,
        scopes: BOT_SCOPES,
        // diagnose accepts the device's log as an attached .log/.txt file.
        supportsFiles: true,
        isNotificationOnly: false,
        supportsCalling: false,
        supportsVideo: false,
        commandLists: [{ scopes: BOT_SCOPES, commands: manifestCommands(specs) }],
      },
    ],
    // The messaging endpoint's host (BOT_DOMAIN after `azd up`), as Teams Toolkit's bot templates list it.
    validDomains: [MANIFEST_PLACEHOLDERS.botDomain],
  };
}

/** The manifest as committed: two-space JSON with a final newline. */
export function manifestJson(manifest: TeamsManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** Writes manifest.json, color.png and outline.png into `dir`; returns the paths written. */
export function writeAppPackage(dir: string, version: string): string[] {
  const icons = renderAppIcons();
  const files: [string, string | Buffer][] = [
    ['manifest.json', manifestJson(generateManifest({ version }))],
    ['color.png', encodePng(icons.color)],
    ['outline.png', encodePng(icons.outline)],
  ];
  return files.map(([name, content]) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  });
}

if (typeof require !== 'undefined' && require.main === module) {
  try {
    const root = projectRoot(__dirname);
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    for (const path of writeAppPackage(join(root, 'appPackage'), version)) console.log(`wrote ${path}`);
  } catch (error) {
    console.error(error instanceof ManifestLimitError ? error.message : error);
    process.exitCode = 1;
  }
}
