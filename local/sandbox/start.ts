/**
 * `npm start [-- [--azure-latency <duration>] [--vault-access-grants]]`: the bot on the sandbox estate, with the Agents
 * Playground as the Teams client. Ctrl-C stops everything it started.
 */
import { dirname, join, relative, sep } from 'node:path';
import { withImpliedRoles } from '../../core/auth/access-policy';
import { freePort } from './free-port';
import type { Launch } from './launch';
import { directLaunch, readyLine } from './launch';
import type { SandboxUser } from './sandbox-identities';
import { SANDBOX_USERS } from './sandbox-identities';
import { clearSandboxState, writeSandboxState } from './sandbox-state';
import type { Sandbox } from './sandbox';
import { startSandbox } from './sandbox';

const USAGE = 'Usage: npm start [-- [--azure-latency <duration, e.g. 5s or 800ms>] [--vault-access-grants]]';
/** Longest added latency: a minute per call already makes every job take minutes. */
const MAX_LATENCY_MS = 60_000;

export interface StartOptions {
  /** Added to every answer of the simulated Azure, so jobs take long enough to watch and cancel. */
  readonly azureLatencyMs: number;
  /**
   * The bot may write kv-vpn-certs' access policies (Key Vault Contributor there), as a deployment with
   * ALLOW_VAULT_ACCESS_GRANTS: provisioning on vpngw-noaccess grants its identity's access in the plan instead of blocking.
   */
  readonly vaultAccessGrants?: true;
}

export function parseStartArgs(argv: readonly string[]): StartOptions {
  let azureLatencyMs = 0;
  let vaultAccessGrants = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.split('=', 2) as [string, string | undefined];
    if (arg === '--vault-access-grants') {
      vaultAccessGrants = true;
      continue;
    }
    if (flag !== '--azure-latency') throw new Error(`Unknown option ${arg}. ${USAGE}`);
    const value = inline ?? argv[++i];
    const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(value ?? '');
    if (!m) throw new Error(`--azure-latency takes a duration with its unit, such as 5s or 800ms${value ? `, not ${value}` : ''}. ${USAGE}`);
    azureLatencyMs = Math.round(Number(m[1]) * (m[2] === 's' ? 1000 : 1));
    if (azureLatencyMs > MAX_LATENCY_MS) throw new Error(`--azure-latency is at most 60s (every Azure call waits that long). ${USAGE}`);
  }
  return { azureLatencyMs, ...(vaultAccessGrants ? { vaultAccessGrants: true as const } : {}) };
}

const rolesOf = (u: SandboxUser): string => withImpliedRoles(u.roles).join(', ') || 'no role';
/** The roles column of the people table is as wide as its widest entry. */
const ROLES_WIDTH = Math.max(...SANDBOX_USERS.map((u) => rolesOf(u).length));

export async function main(argv: readonly string[] = [], launch: Launch = directLaunch()): Promise<void> {
  let options: StartOptions;
  try {
    options = parseStartArgs(argv);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
  console.log('Starting the sandbox: Azurite, the Azure simulator (seeded estate), the function app in the local host, and the Agents Playground…');
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({
      hostPort: await freePort(3978),
      playgroundPort: 56150,
      log: 'info',
      simulator: {
        ...(options.azureLatencyMs > 0 ? { latencyMs: options.azureLatencyMs } : {}),
        ...(options.vaultAccessGrants ? { sandboxEstate: { vaultAccessGrants: true } } : {}),
      },
    });
  } catch (error) {
    console.error(`The sandbox did not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  const playgroundUrl = sandbox.playground!.url.replace('127.0.0.1', 'localhost');
  writeSandboxState({ pid: process.pid, playgroundUrl: sandbox.playground!.url, hostUrl: sandbox.host.baseUrl, messagesUrl: sandbox.messagesUrl, simulatorUrl: sandbox.simulator.url });
  const info = sandbox.simulator.estateInfo;
  const deviceChainOf = (site: string) => info.files.find((f) => f.path.endsWith(join(site, 'device-chain.pem')));
  // Paths under the folder npm start runs in read best relative to it (`.sandbox/files/...`).
  const shown = (path: string) => (relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path));
  const provisioned = info.sites.filter((s) => s.connectionId);
  const waiting = info.sites.filter((s) => !s.connectionId);
  const lines = [
    '',
    readyLine(launch, Date.now()),
    '',
    `  Teams client (Agents Playground):  ${playgroundUrl}`,
    `  Bot endpoint:                      ${sandbox.messagesUrl}`,
    `  Azure simulator:                   ${sandbox.simulator.url}  (subscription ${info.subscriptionId})`,
    '',
    'People (the Playground chats as the first; `npm run chat -- --as <name> "<command>"` speaks as any):',
    ...SANDBOX_USERS.map((u) => `  ${u.handle.padEnd(7)} ${u.name.padEnd(16)} ${rolesOf(u).padEnd(ROLES_WIDTH)} ${u.description}`),
    '',
    `Sites in ${info.resourceGroups.join(', ')}: ${provisioned.map((s) => s.name).join(', ')}`,
    ...waiting.map((s) => {
      const chain = deviceChainOf(s.name);
      return `${s.name}: a device waiting to be provisioned (not in Azure yet)${chain ? `; its public device chain: ${shown(chain.path)}` : ''}`;
    }),
    ...(sandbox.deviceLogs[0] ? [`Each site device's charon log, to paste under diagnose: ${shown(dirname(sandbox.deviceLogs[0].path))}${sep}<site>.log`] : []),
    ...(options.azureLatencyMs > 0 ? ['', `Every Azure call answers after ${options.azureLatencyMs / 1000} s (--azure-latency): jobs run long enough to watch in \`jobs\` and to \`cancel\`.`] : []),
    ...(options.vaultAccessGrants ? ['', 'The bot may grant vault access (--vault-access-grants, as ALLOW_VAULT_ACCESS_GRANTS): provisioning on vpngw-noaccess grants id-vpngw-noaccess read on kv-vpn-certs in its plan.'] : []),
    '',
    'Try: help · whoami · status · status paris · diagnose site-berlin · jobs',
    'Press Ctrl-C to stop.',
  ];
  console.log(lines.join('\n'));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the sandbox…`);
    clearSandboxState();
    await sandbox.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

if (typeof require !== 'undefined' && require.main === module) void main(process.argv.slice(2));
