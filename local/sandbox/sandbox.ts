import { join } from 'node:path';
import type { Clock, HostLogEntry, LocalHost } from '../host';
import { startLocalHost } from '../host';
import type { AzureSimulator, AzureSimulatorOptions } from '../simulator/azure-simulator';
import { startAzureSimulator } from '../simulator/azure-simulator';
import type { RunningAzurite } from './azurite';
import { startAzurite } from './azurite';
import { writeDeviceLogs } from './device-logs';
import type { RunningPlayground } from './playground';
import { startPlayground } from './playground';
import type { OneDriveStandIn } from './onedrive-standin';
import { startOneDriveStandIn } from './onedrive-standin';
import { projectRoot } from './project-root';
import { SANDBOX_APPROVALS_CHANNEL_ID, sandboxAccessSettings } from './sandbox-identities';
import { sandboxNames } from '../estate/sandbox-estate';

/** What the sandbox needs of the stand-in for Azure: where it listens, its CA, its estate, and its Event Grid. */
export interface SandboxSimulator {
  readonly url: string;
  readonly caPem: string;
  readonly estateInfo: AzureSimulator['estateInfo'];
  readonly eventGrid: { subscribe(subscription: Parameters<AzureSimulator['eventGrid']['subscribe']>[0]): Promise<void>; watch(): void };
  close(): Promise<void>;
}

export interface SandboxOptions<S extends SandboxSimulator = AzureSimulator> {
  /** Port of the local Functions host (3978, the Bot Framework default, when free). */
  readonly hostPort?: number;
  /** Port of the Agents Playground (56150, its default, when free). Ignored without the Playground. */
  readonly playgroundPort?: number;
  readonly withPlayground?: boolean;
  /** Who the Playground chats as (a sandbox handle; alex by default): it shows that person's chats only. */
  readonly playgroundUser?: string;
  readonly log?: 'quiet' | 'info' | 'debug';
  /** Where the sandbox writes its files (public certificate chains and device logs, the Playground's folder). */
  readonly stateDir?: string;
  readonly simulator?: Partial<AzureSimulatorOptions>;
  /**
   * Starts the stand-in for Azure somewhere else (a benchmark's worker thread) instead of in this process; `simulator`
   * is then ignored, and so are the seeded estate's device logs.
   */
  readonly startSimulator?: () => Promise<S>;
  readonly hostClock?: Clock;
  /**
   * Where approval requests go: the team's "VPN alerts" channel (the default, as a deployment with APPROVALS_CHANNEL_ID
   * set), or `personal`: no approvals channel, so each approver gets a personal card.
   */
  readonly approvals?: 'channel' | 'personal';
  /** App settings to add or override (tests). */
  readonly settings?: Readonly<Record<string, string>>;
  /** Loads the function app (its registrations); the TypeScript entry by default, the deployed bundle in its test. */
  readonly loadApp?: () => unknown;
  /** Every log entry of the local host (function logs included), also when quiet. */
  readonly onLog?: (entry: HostLogEntry) => void;
}

export interface Sandbox<S extends SandboxSimulator = AzureSimulator> {
  readonly host: LocalHost;
  readonly simulator: S;
  readonly azurite: RunningAzurite;
  readonly playground?: RunningPlayground;
  /**
   * Stands in for people's OneDrive when the bot sends a file (Teams' file consent flow, which the Playground does not
   * implement): upload sessions the bot PUTs to, files kept in `<stateDir>/files/onedrive/` (onedrive-standin.ts).
   */
  readonly oneDrive: OneDriveStandIn;
  /** Each site device's charon log (`<stateDir>/files/device-logs/<site>.log`), to paste under `diagnose` (seeded estate only). */
  readonly deviceLogs: readonly { readonly site: string; readonly path: string }[];
  /** The app settings the function app runs with (no secrets: the sandbox has none). */
  readonly settings: Readonly<Record<string, string>>;
  readonly messagesUrl: string;
  close(): Promise<void>;
}

/**
 * The whole product on one machine: Azurite for Table Storage, the Azure simulator with the seeded estate, the
 * function app's real registrations in the local host, and the Agents Playground as the Teams client. The app gets
 * its configuration through the same settings production uses; only their values differ.
 */
export async function startSandbox<S extends SandboxSimulator = AzureSimulator>(options: SandboxOptions<S> = {}): Promise<Sandbox<S>> {
  const root = projectRoot();
  const stateDir = options.stateDir ?? join(root, '.sandbox');
  const stops: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const azurite = await startAzurite();
    stops.push(() => azurite.stop());
    const inProcess = options.startSimulator ? undefined : await startAzureSimulator({ estate: 'sandbox', stateDir: join(stateDir, 'files'), ...options.simulator });
    // Without startSimulator, S is AzureSimulator (its default): the simulator started here.
    const simulator = inProcess ? (inProcess as unknown as S) : await options.startSimulator!();
    stops.push(() => simulator.close());
    // The seeded estate's devices get their logs (benchmarks' synthetic estates do not: hundreds of reads at start
    // would spend the throttling budget they measure). The simulator retries a failing negotiation every 2 minutes
    // unless told otherwise; the device logs follow it.
    const deviceLogs =
      inProcess && (options.simulator?.estate ?? 'sandbox') === 'sandbox'
        ? await writeDeviceLogs(inProcess, join(stateDir, 'files', 'device-logs'), { retryIntervalMs: options.simulator?.ikeRetryIntervalMs ?? 120_000 })
        : [];
    const oneDrive = await startOneDriveStandIn(join(stateDir, 'files', 'onedrive'));
    stops.push(() => oneDrive.close());
    const info = simulator.estateInfo;
    const bot = info.principals.bot;
    if (!bot) throw new Error('The sandbox estate has no "bot" principal.');
    const settings: Record<string, string> = {
      ENVIRONMENT_NAME: 'sandbox',
      BOT_AUTHENTICATION: 'disabled-for-local-use',
      ...sandboxAccessSettings(),
      STATE_TABLES_CONNECTION_STRING: azurite.connectionString,
      AZURE_TARGET: 'simulator',
      AZURE_SIMULATOR_URL: simulator.url,
      AZURE_SIMULATOR_CA_PEM: simulator.caPem,
      AZURE_SIMULATOR_PRINCIPAL_ID: bot.objectId,
      AZURE_SIMULATOR_TENANT_ID: info.tenantId,
      // Each simulated vault listens on its own port: this tells the app which name each one has, as its host does in Azure.
      AZURE_SIMULATOR_KEY_VAULTS: info.vaults.map((v) => `${v.name}=${v.url}`).join(','),
      VPN_SCOPES: info.resourceGroups.map((rg) => `${info.subscriptionId}/${rg}`).join(','),
      DURABLE_TASK_HUB: 'sandbox',
      ...(info.workspaces[0] ? { DIAGNOSTICS_WORKSPACE_ID: info.workspaces[0].id } : {}),
      // Outbound certificates are issued by the root CA in kv-vpn-ca, whose key only signs there (rotate <site> outbound).
      ...outboundCaSetting(info.vaults),
      // Approval requests go to the team's "VPN alerts" channel, as a deployment would configure its approvals channel.
      ...(options.approvals === 'personal' ? {} : { APPROVALS_CHANNEL_ID: SANDBOX_APPROVALS_CHANNEL_ID }),
      // The daily expiry report goes to the same channel from the start (issue 11); a test may turn it off.
      EXPIRY_DEFAULT_CHANNEL_ID: SANDBOX_APPROVALS_CHANNEL_ID,
      EXPIRY_DEFAULT_CHANNEL_NAME: 'VPN alerts',
      ...options.settings,
    };
    // The app reads its settings from the process: one left by an earlier sandbox in this process must not linger.
    if (!('APPROVALS_CHANNEL_ID' in settings)) delete process.env.APPROVALS_CHANNEL_ID;
    Object.assign(process.env, settings);
    const host = await startLocalHost({
      appRoot: root,
      port: options.hostPort ?? 0,
      loadApp: options.loadApp ?? (() => import('../../functions/index.js')),
      ...(options.hostClock ? { clock: options.hostClock } : {}),
      ...(options.log ? { log: options.log } : {}),
      ...(options.onLog ? { onLog: options.onLog } : {}),
    });
    stops.push(() => host.close());
    const messagesUrl = `${host.baseUrl}/api/messages`;
    // Key Vault's certificate events reach the app's Event Grid trigger, as an event subscription on each vault would deliver them.
    await simulator.eventGrid.subscribe({ name: 'kv-certificate-expiry', endpoint: `${host.baseUrl}/runtime/webhooks/eventgrid?functionName=keyVaultCertificateEvents`, includedEventTypes: ['Microsoft.KeyVault.CertificateNearExpiry', 'Microsoft.KeyVault.CertificateExpired'] });
    simulator.eventGrid.watch();
    let playground: RunningPlayground | undefined;
    if (options.withPlayground !== false) {
      playground = await startPlayground({
        botEndpoint: messagesUrl,
        workDir: join(stateDir, 'playground'),
        ...(options.playgroundPort ? { port: options.playgroundPort } : {}),
        ...(options.playgroundUser ? { currentUser: options.playgroundUser } : {}),
      });
      stops.push(() => playground!.stop());
    }
    return { host, simulator, azurite, ...(playground ? { playground } : {}), oneDrive, deviceLogs, settings, messagesUrl, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** OUTBOUND_CA_CERTIFICATE_ID for the sandbox: the CA certificate in kv-vpn-ca, at that vault's listener. */
function outboundCaSetting(vaults: readonly { readonly name: string; readonly url: string }[]): Record<string, string> {
  const caVault = vaults.find((v) => v.name === sandboxNames.caVault);
  return caVault ? { OUTBOUND_CA_CERTIFICATE_ID: `${caVault.url.replace(/\/+$/, '')}/certificates/${sandboxNames.caCertificate}` } : {};
}
