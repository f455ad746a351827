import { mkdir, writeFile } from 'node:fs/promises';
import { SimEventGrid } from './event-grid/sim-event-grid';
import { dirname, join, resolve } from 'node:path';
import { createAzureSettings, type AzureSettings } from '../../adapters/azure/azure-settings';
import type { LocalPrincipal } from '../../adapters/azure/local-token-credential';
import type { Estate } from '../estate/estate';
import { buildSandboxEstate, sandboxNames } from '../estate/sandbox-estate';
import { createAuthorizationRoutes } from './arm/authorization-routes';
import { createInsightsRoutes } from './arm/insights-routes';
import { createNetworkRoutes } from './arm/network-routes';
import { createResourceRoutes } from './arm/resource-routes';
import { buildResourceId } from './arm/resource-id';
import { writeIkeAttempt } from './ike/ike-log-writer';
import { createKeyVaultHandler } from './key-vault/key-vault-handler';
import { KeyVaultStore } from './key-vault/key-vault-store';
import { createEstateVault, loadEstate } from './load-estate';
import { createLogAnalyticsRoutes } from './log-analytics/log-analytics-routes';
import { createManualClock, isManualClock, realClock, type SimClock } from './sim-clock';
import { SimFaults } from './sim-faults';
import { azureOperationDurations, SimLroRegistry, type SimLroTiming, type SimOperationKind } from './sim-lro';
import { SimRbac, type SimRoleName } from './sim-rbac';
import { SimResources } from './sim-resources';
import { SimRouter } from './sim-route';
import { SimServer } from './sim-server';
import { SimStats } from './sim-stats';
import { armThrottleLimits, keyVaultReadLimits, SimThrottle, type ThrottleKind } from './sim-throttle';
import { createSimTlsMaterial } from './sim-tls';
import type { SimIkeProposal } from './ike/ike-proposals';
import { SimDevices, toSimDevice, type SimDevice, type SimDeviceInput } from './tunnels/sim-device';
import { parseSimCertificate, type SimCertificateInput } from './x509/sim-certificate';
import { TunnelEngine } from './tunnels/tunnel-engine';
import type { IkeAttemptWriter, TunnelOutcome } from './tunnels/tunnel-outcome';

export interface AzureSimulatorOptions {
  /** `'sandbox'`: the seeded sandbox estate (certificates made now); or any Estate (tests, benchmarks). */
  readonly estate: 'sandbox' | Estate | (() => Promise<Estate>);
  /** Default: the real clock. Pass `createManualClock()` to drive time from a test. */
  readonly clock?: SimClock;
  /** How long tunnels stay Connecting after a change. Default 3 s on the real clock, 0 on a manual clock. */
  readonly tunnelSettleMs?: number;
  /** Added to every answer (benchmarks). */
  readonly latencyMs?: number;
  /**
   * ARM per-principal token buckets (Azure's: reads 250 @ 25/s, writes 200 @ 10/s), or custom limits; and with them
   * Key Vault's read limit per vault (4,000 GETs per 10 s, `keyVaultReadLimits`). Default off.
   */
  readonly throttling?: boolean | Partial<Record<ThrottleKind, { capacity: number; refillPerSecond: number }>>;
  /** The seeded sandbox estate's variants: `vaultAccessGrants` lets the bot write kv-vpn-certs' access policies. */
  readonly sandboxEstate?: { readonly vaultAccessGrants?: boolean };
  /** With `throttling`: Key Vault's read limit per vault (every caller together). Default Azure's, `keyVaultReadLimits`. */
  readonly keyVaultReadLimits?: { capacity: number; refillPerSecond: number };
  /** Where the sandbox writes files for the user (public certificate chains). */
  readonly stateDir?: string;
  /**
   * Long-running operation timing. `durations` per operation kind: default Azure's (`azureOperationDurations`) on a
   * manual clock, where each "come back later" (an InProgress poll, a 409/429 busy answer) moves the clock by
   * `clientWaitMs` (10 s, Azure's Retry-After) as if the client had waited; 1.5 s for everything on the real clock so
   * the sandbox stays interactive. Retry-After advertised: 0 on a manual clock (the wait is virtual), 1 s on the real one.
   */
  readonly lro?: Partial<Omit<SimLroTiming, 'durations'>> & { readonly durations?: Partial<Record<SimOperationKind, number>> };
  /**
   * What a connection, gateway or local network gateway holds after a failed update: `'requested'` (default) keeps
   * the configuration that was PUT with provisioningState Failed; `'previous'` rolls back. Azure documents neither.
   */
  readonly failedUpdateKeeps?: 'requested' | 'previous';
  /** How long a new Key Vault access policy permission or role assignment takes to reach the vault. Default 60 s. */
  readonly keyVaultAccessPropagationMs?: number;
  /** How long a diagnostic log row takes to become queryable in Log Analytics. Default 3 minutes. */
  readonly logIngestionDelayMs?: number;
  /** Items per ARM list page (the SDK follows nextLink). Default 50. */
  readonly pageSize?: number;
  /** How often a down tunnel retries IKE (and writes a new attempt to the IKE log). Default 2 min. */
  readonly ikeRetryIntervalMs?: number;
  /** Main listener port; default a free one. */
  readonly port?: number;
  /** Replaces the IKE log writer (tests of the simulator itself). */
  readonly ikeWriter?: IkeAttemptWriter;
}

/** Names, ids and endpoints of what the simulator holds, for tests, the sandbox and the bot's configuration. */
export interface EstateInfo {
  readonly subscriptionId: string;
  readonly tenantId: string;
  readonly location: string;
  readonly resourceGroups: readonly string[];
  readonly principals: Readonly<Record<string, LocalPrincipal & { readonly key: string }>>;
  readonly gateways: readonly { readonly name: string; readonly id: string; readonly publicIps: readonly string[] }[];
  readonly identities: readonly { readonly name: string; readonly id: string; readonly principalId: string; readonly clientId: string }[];
  readonly workspaces: readonly { readonly name: string; readonly id: string; readonly customerId: string }[];
  readonly vaults: readonly { readonly name: string; readonly url: string; readonly id: string; readonly permissionModel: 'accessPolicies' | 'rbac' }[];
  readonly sites: readonly {
    readonly name: string;
    readonly resourceGroup: string;
    readonly devicePublicIp: string;
    readonly prefixes: readonly string[];
    readonly localNetworkGatewayId?: string;
    readonly connectionId?: string;
  }[];
  /** URL of the simulator's file area and the files written under `stateDir`. */
  readonly files: readonly { readonly path: string; readonly url: string }[];
}

export interface AzureSimulator {
  readonly url: string;
  readonly caPem: string;
  readonly subscriptionId: string;
  readonly tenantId: string;
  readonly estateInfo: EstateInfo;
  readonly clock: SimClock;
  readonly faults: SimFaults;
  readonly stats: SimStats;
  readonly rbac: SimRbac;
  readonly vaults: KeyVaultStore;
  readonly resources: SimResources;
  readonly devices: SimDevices;
  /** Event Grid for the vaults: subscribe a webhook, then Key Vault's certificate events are delivered to it. */
  readonly eventGrid: SimEventGrid;
  /** AzureSettings for the adapters, acting as an estate principal (default `bot`). */
  settingsFor(principalKey?: string, overrides?: Partial<Pick<AzureSettings, 'retry' | 'operationTimeoutMs' | 'longRunningTimeoutMs' | 'longRunningPollIntervalMs'>>): AzureSettings;
  /** Test hooks: change a site's device; the tunnels re-negotiate (after the settle time). Certificates as DER (or `{ der }`). */
  setDeviceCertificate(site: string, certificate: SimCertificateInput, chain?: SimCertificateInput[]): void;
  setDeviceTrustedRoots(site: string, roots: SimCertificateInput[]): void;
  setDeviceProposals(site: string, proposals: SimIkeProposal[]): void;
  setDeviceReachable(site: string, reachable: boolean): void;
  addDevice(device: SimDeviceInput): void;
  /** Grants a role (Azure RBAC) on a scope, e.g. a Key Vault data role on a vault: Key Vault sees it after the propagation delay. */
  grantRole(principalId: string, role: SimRoleName, scope: string): void;
  /** Each tunnel of a connection: state, and the outcome of its last negotiation (what the IKE log explains). */
  inspectTunnels(connectionId: string): { instance: string; status: string; outcome?: TunnelOutcome; since: Date }[];
  /** Manual clock only: moves time forward and settles everything due. */
  advance(ms: number): Promise<void>;
  /** Settles due long-running operations and tunnel changes now. */
  tick(): Promise<void>;
  /**
   * How many requests are being handled now. Each lands on its own time even after its client gave up (a timeout, a
   * fault holding it): a test with a virtual clock waits for none before it moves time on or reads Azure back.
   */
  requestsInFlight(): number;
  close(): Promise<void>;
}

/** Starts the Azure simulator on 127.0.0.1 over HTTPS with its own CA, loaded with an estate. */
export async function startAzureSimulator(options: AzureSimulatorOptions): Promise<AzureSimulator> {
  const clock = options.clock ?? realClock;
  const manual = isManualClock(clock);
  const estate = options.estate === 'sandbox' ? await buildSandboxEstate({ now: clock.now(), ...(options.sandboxEstate ?? {}) }) : typeof options.estate === 'function' ? await options.estate() : options.estate;

  const tls = createSimTlsMaterial(clock.now());
  const resources = new SimResources(estate.subscriptionId, estate.tenantId);
  const rbac = new SimRbac();
  const faults = new SimFaults();
  const stats = new SimStats();
  const devices = new SimDevices();
  const vaults = new KeyVaultStore({ now: () => clock.now(), rbac, accessPropagationMs: options.keyVaultAccessPropagationMs ?? 60_000 });
  const sandboxDurations = Object.fromEntries(Object.keys(azureOperationDurations).map((k) => [k, 1500])) as Record<SimOperationKind, number>;
  const clientWaitMs = options.lro?.clientWaitMs ?? (manual ? 10_000 : undefined);
  const lro = new SimLroRegistry(clock, {
    durations: { ...(manual ? azureOperationDurations : sandboxDurations), ...(options.lro?.durations ?? {}) },
    retryAfterSeconds: options.lro?.retryAfterSeconds ?? (manual ? 0 : 1),
    minPolls: options.lro?.minPolls ?? 1,
    unpolledGraceMs: options.lro?.unpolledGraceMs ?? 5000,
    ...(clientWaitMs !== undefined ? { clientWaitMs } : {}),
  });
  const engine = new TunnelEngine({
    resources,
    devices,
    certificates: { vault: vaults, resources },
    clock,
    settleMs: options.tunnelSettleMs ?? (manual ? 0 : 3000),
    ikeRetryIntervalMs: options.ikeRetryIntervalMs ?? 120_000,
    writeIkeAttempt: options.ikeWriter ?? writeIkeAttempt,
  });
  const pageSize = options.pageSize ?? 50;

  const router = new SimRouter();
  router.add(
    ...createNetworkRoutes({ resources, lro, runtime: engine, rbac, faults, pageSize: () => pageSize, failedUpdateKeeps: () => options.failedUpdateKeeps ?? 'requested' }),
    ...createResourceRoutes({ resources, pageSize: () => pageSize }),
    ...createAuthorizationRoutes({ resources, rbac, vaults, location: () => estate.location, pageSize: () => pageSize }),
    ...createInsightsRoutes({ resources, metrics: engine }),
    ...createLogAnalyticsRoutes({ resources, logs: engine, ingestionDelayMs: () => options.logIngestionDelayMs ?? 180_000 }),
  );

  const tick = async () => {
    lro.settleDue();
    await vaults.runLifetimeActions(clock.now());
    await engine.refresh(clock.now());
  };
  const publicFiles = new Map<string, string>();
  const server = new SimServer({
    tls,
    publicFiles,
    clock,
    router,
    rbac,
    faults,
    stats,
    ...(options.throttling ? { throttle: new SimThrottle(clock, { ...armThrottleLimits, ...(typeof options.throttling === 'object' ? options.throttling : {}) }) } : {}),
    // Only Key Vault's reads are limited (its bucket's `writes` is never taken).
    ...(options.throttling ? { keyVaultThrottle: new SimThrottle(clock, { reads: options.keyVaultReadLimits ?? keyVaultReadLimits, writes: keyVaultReadLimits }) } : {}),
    latencyMs: options.latencyMs ?? 0,
    checkTokenLifetime: !manual,
    subscriptionId: estate.subscriptionId,
    tick,
  });

  try {
    const url = await server.listenMain(options.port ?? 0);
    const kvHandler = createKeyVaultHandler(vaults);
    for (const v of estate.vaults) {
      createEstateVault(estate, v, vaults);
      vaults.setVaultUrl(v.name, await server.listenVault(v.name, estate.tenantId, kvHandler));
    }
    loadEstate(estate, { resources, rbac, vaults, devices, engine });
    await tick();

    const files = await writeEstateFiles(estate, options.stateDir, url);
    for (const file of estate.files ?? []) publicFiles.set(`/files/${file.path}`, file.content);
    const principals = Object.fromEntries(estate.principals.map((p) => [p.key, { key: p.key, objectId: p.objectId, tenantId: estate.tenantId, appId: p.appId, displayName: p.displayName }]));
    const sub = estate.subscriptionId;
    const estateInfo: EstateInfo = {
      subscriptionId: sub,
      tenantId: estate.tenantId,
      location: estate.location,
      resourceGroups: estate.resourceGroups,
      principals,
      gateways: estate.gateways.map((g) => ({ name: g.name, id: buildResourceId(sub, g.resourceGroup, 'Microsoft.Network/virtualNetworkGateways', g.name), publicIps: g.publicIps.map((p) => p.ipAddress) })),
      identities: estate.identities.map((i) => ({ name: i.name, id: buildResourceId(sub, i.resourceGroup, 'Microsoft.ManagedIdentity/userAssignedIdentities', i.name), principalId: i.principalId, clientId: i.clientId })),
      workspaces: estate.workspaces.map((w) => ({ name: w.name, id: buildResourceId(sub, w.resourceGroup, 'Microsoft.OperationalInsights/workspaces', w.name), customerId: w.customerId })),
      vaults: estate.vaults.map((v) => ({ name: v.name, url: vaults.vaultUrl(v.name), id: vaults.resourceIdOf(v.name), permissionModel: v.permissionModel ?? 'accessPolicies' })),
      sites: estate.sites.map((s) => ({
        name: s.name,
        resourceGroup: s.resourceGroup,
        devicePublicIp: s.device.publicIp,
        prefixes: s.device.prefixes,
        ...(s.localNetworkGateway ? { localNetworkGatewayId: buildResourceId(sub, s.resourceGroup, 'Microsoft.Network/localNetworkGateways', s.localNetworkGateway.name) } : {}),
        ...(s.connection ? { connectionId: buildResourceId(sub, s.resourceGroup, 'Microsoft.Network/connections', s.connection.name) } : {}),
      })),
      files,
    };

    const device = (site: string): SimDevice => {
      const found = devices.site(site);
      if (!found) throw new Error(`No device at site '${site}'.`);
      return found;
    };
    const eventGrid = new SimEventGrid(vaults, () => estateInfo.vaults.map((v) => v.name), clock);
    const changed = (d: SimDevice) => engine.deviceChanged(d.publicIp, clock.now());

    return {
      url,
      caPem: tls.caPem,
      subscriptionId: sub,
      tenantId: estate.tenantId,
      estateInfo,
      clock,
      faults,
      stats,
      rbac,
      vaults,
      resources,
      devices,
      eventGrid,
      settingsFor(principalKey = 'bot', overrides = {}) {
        const principal = principals[principalKey];
        if (!principal) throw new Error(`The estate has no principal '${principalKey}'.`);
        return createAzureSettings({
          mode: 'simulator',
          simulatorUrl: url,
          caPem: tls.caPem,
          principal,
          now: () => clock.now(),
          retry: overrides.retry ?? (manual ? { maxRetries: 2, retryDelayInMs: 10, maxRetryDelayInMs: 50 } : {}),
          ...(overrides.operationTimeoutMs !== undefined ? { operationTimeoutMs: overrides.operationTimeoutMs } : {}),
          ...(overrides.longRunningTimeoutMs !== undefined ? { longRunningTimeoutMs: overrides.longRunningTimeoutMs } : {}),
          ...(overrides.longRunningPollIntervalMs !== undefined ? { longRunningPollIntervalMs: overrides.longRunningPollIntervalMs } : manual ? { longRunningPollIntervalMs: 10 } : {}),
        });
      },
      setDeviceCertificate(site, certificate, chain) {
        const d = device(site);
        d.certificate = parseSimCertificate(certificate);
        if (chain) d.chain = chain.map(parseSimCertificate);
        changed(d);
      },
      setDeviceTrustedRoots(site, roots) {
        const d = device(site);
        d.trustedRoots = roots.map(parseSimCertificate);
        changed(d);
      },
      setDeviceProposals(site, proposals) {
        const d = device(site);
        d.proposals = proposals.map((p) => ({ ...p }));
        changed(d);
      },
      setDeviceReachable(site, reachable) {
        const d = device(site);
        d.reachable = reachable;
        changed(d);
      },
      addDevice(input) {
        changed(devices.add(toSimDevice(input)));
      },
      grantRole(principalId, role, scope) {
        rbac.assign({ principalId, role, scope, createdAt: clock.now() });
      },
      inspectTunnels: (connectionId) => engine.inspect(connectionId, clock.now()),
      async advance(ms) {
        if (!isManualClock(clock)) throw new Error('advance() needs a manual clock (startAzureSimulator({ clock: createManualClock() })).');
        clock.advance(ms);
        await tick();
      },
      tick,
      requestsInFlight: () => server.requestsInFlight,
      close: () => {
        eventGrid.stop();
        return server.close();
      },
    };
  } catch (error) {
    await server.close();
    throw error;
  }
}

async function writeEstateFiles(estate: Estate, stateDir: string | undefined, url: string): Promise<{ path: string; url: string }[]> {
  const written: { path: string; url: string }[] = [];
  if (!stateDir) return written;
  for (const file of estate.files ?? []) {
    const path = resolve(join(stateDir, file.path));
    if (!path.startsWith(resolve(stateDir))) throw new Error(`Estate file ${file.path} escapes the state dir.`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.content, 'utf8');
    written.push({ path, url: `${url}/files/${file.path}` });
  }
  return written;
}

export { createManualClock, sandboxNames };
