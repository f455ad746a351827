import type { SimClock } from '../sim-clock';
import type { SimLroError } from '../sim-lro';
import type { SimConnection, SimConnectionConfig, SimGateway, SimResources } from '../sim-resources';
import type { ConnectionRuntime, SimConnectionHealth, SimConnectionStatus } from '../arm/connection-runtime';
import type { MetricsSource, TunnelMetricTrack } from '../arm/gateway-metrics';
import { resourceIdKey } from '../arm/resource-id';
import { azureDiagnosticsRow, type AzureDiagnosticsCategory, type DiagnosticLogSource } from '../log-analytics/azure-diagnostics';
import type { KqlRow } from '../log-analytics/kql-engine';
import { evaluateTunnel, readOutboundCertificate, type OutboundCertificateSource, type TunnelEvaluation } from './evaluate-tunnel';
import type { SimDevices } from './sim-device';
import { gatewayInstances, type GatewayInstanceName, type IkeAttemptDetails, type IkeAttemptLog, type IkeAttemptWriter, type TunnelOutcome } from './tunnel-outcome';
import { minuteSample, stableGuid, trafficProfile, type TunnelTrafficProfile } from './traffic-model';

export interface TunnelEngineOptions {
  readonly resources: SimResources;
  readonly devices: SimDevices;
  readonly certificates: OutboundCertificateSource;
  readonly clock: SimClock;
  /** How long a tunnel stays Connecting after its configuration changes (sandbox: seconds; tests: 0). */
  readonly settleMs: number;
  /** How often the gateway retries IKE while a tunnel is down. */
  readonly ikeRetryIntervalMs: number;
  readonly writeIkeAttempt: IkeAttemptWriter;
}

type SegmentStatus = 'Connecting' | 'Connected' | 'NotConnected';

interface Segment {
  readonly from: Date;
  readonly status: SegmentStatus;
  readonly outcome?: TunnelOutcome;
  readonly details?: IkeAttemptDetails;
  /** Why the segment began: 'created' | 'updated' | 'reset' | 'dependency' | 'deleted' | 'evaluation' | 'history'. */
  readonly cause: string;
  readonly remoteIp: string;
  readonly localIp: string;
  /** Share of the device's traffic from prefixes the site lacks (dropped as traffic-selector mismatch). */
  readonly unroutedShare: number;
}

interface Track {
  readonly key: string;
  readonly connectionId: string;
  readonly connectionName: string;
  readonly gatewayId: string;
  readonly gatewayName: string;
  readonly instance: GatewayInstanceName;
  readonly instanceIndex: number;
  readonly createdAt: Date;
  removedAt?: Date;
  readonly segments: Segment[];
  readonly profile: TunnelTrafficProfile;
  memo: { untilMinute: number; ingress: number; egress: number };
}

interface ConnectionState {
  readonly connectionId: string;
  readonly tracks: Track[];
  pendingAt?: Date;
  pendingCause?: string;
  nextChangeAt?: Date;
}

const minuteMs = 60_000;
const maxAttemptsPerQuery = 200_000;

/**
 * The tunnels behind every connection: per gateway instance, a timeline of states decided by evaluating the real
 * certificates, proposals and reachability (`evaluateTunnel`). From that timeline come the connection's status
 * and byte counters, the gateway's tunnel metrics, and the IKE/tunnel diagnostic rows a workspace receives.
 * Everything is a function of the timeline and the clock, so history is generated lazily and consistently.
 */
export class TunnelEngine implements ConnectionRuntime, MetricsSource, DiagnosticLogSource {
  private readonly live = new Map<string, ConnectionState>();
  private readonly allTracks: Track[] = [];
  private refreshing: Promise<void> = Promise.resolve();
  /**
   * Before this time (ms) no connection has a pending evaluation or a change due, so a refresh has nothing to do;
   * every request refreshes, and walking every connection each time was the simulator's own cost per request.
   * -Infinity: unknown (a change was recorded), walk them.
   */
  private nothingDueBefore = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: TunnelEngineOptions) {}

  // ----------------------------------------------------------------------------------------------------------
  // Changes

  configurationApplied(connection: SimConnection, at: Date, cause: 'created' | 'updated' | 'reset' | 'dependency'): void {
    const state = this.stateFor(connection, at);
    for (const track of state.tracks) this.push(track, { from: at, status: 'Connecting', cause, ...this.endpoints(connection, track.instanceIndex), unroutedShare: 0 });
    state.pendingAt = new Date(at.getTime() + this.options.settleMs);
    state.pendingCause = cause;
    this.nothingDueBefore = Number.NEGATIVE_INFINITY;
  }

  connectionDeleted(connection: SimConnection, at: Date): void {
    const state = this.live.get(resourceIdKey(connection.id));
    if (!state) return;
    for (const track of state.tracks) {
      this.push(track, { from: at, status: 'NotConnected', cause: 'deleted', ...this.endpoints(connection, track.instanceIndex), unroutedShare: 0 });
      track.removedAt = at;
    }
    this.live.delete(resourceIdKey(connection.id));
  }

  /** Re-evaluates every connection that talks to the device at `publicIp` (a device changed). */
  deviceChanged(publicIp: string, at: Date): void {
    for (const connection of this.options.resources.connections.list()) {
      const site = this.options.resources.localNetworkGateways.get(connection.config.localNetworkGatewayId);
      if (site?.gatewayIpAddress === publicIp && this.live.has(resourceIdKey(connection.id))) this.configurationApplied(connection, at, 'dependency');
    }
  }

  /**
   * Seeds history for the estate: the connection's tunnels had `outcome` from each `at` on. `'evaluate'` decides
   * the outcome from the current configuration at that moment.
   */
  seedHistory(connection: SimConnection, entries: { at: Date; outcome: TunnelOutcome | 'evaluate' }[]): void {
    const sorted = [...entries].sort((a, b) => a.at.getTime() - b.at.getTime());
    const first = sorted[0];
    if (!first) return;
    const state = this.stateFor(connection, first.at);
    for (const entry of sorted) {
      if (entry.outcome === 'evaluate') {
        state.pendingAt = entry.at;
        state.pendingCause = 'history';
        this.nothingDueBefore = Number.NEGATIVE_INFINITY;
        continue;
      }
      for (const track of state.tracks) {
        this.push(track, {
          from: entry.at,
          status: entry.outcome.kind === 'connected' ? 'Connected' : 'NotConnected',
          outcome: entry.outcome,
          cause: 'history',
          ...this.endpoints(connection, track.instanceIndex),
          unroutedShare: 0,
        });
      }
    }
  }

  /** Brings every tunnel up to `now`: settles pending evaluations and certificate validity boundaries. */
  refresh(now: Date): Promise<void> {
    // Requests may arrive concurrently; evaluations must run one at a time and in order.
    const run = this.refreshing.then(() => this.refreshNow(now));
    this.refreshing = run.catch(() => undefined);
    return run;
  }

  private refreshNow(now: Date): void {
    if (now.getTime() < this.nothingDueBefore) return;
    this.walk(now);
    let next = Number.POSITIVE_INFINITY;
    for (const state of this.live.values()) {
      const due = (state.pendingAt ?? state.nextChangeAt)?.getTime();
      if (due !== undefined && due < next) next = due;
    }
    // Read after the walk, so it includes whatever the walk (or a change during it) left due.
    this.nothingDueBefore = next;
  }

  private walk(now: Date): void {
    for (const state of this.live.values()) {
      const connection = this.options.resources.connections.get(state.connectionId);
      if (!connection) continue;
      for (let guard = 0; guard < 1000; guard++) {
        const pending = state.pendingAt;
        const due = pending ?? state.nextChangeAt;
        if (!due || due > now) break;
        const forced = pending !== undefined;
        const cause = forced ? (state.pendingCause ?? 'evaluation') : 'evaluation';
        const evaluation = this.evaluate(connection, due);
        // A change that arrived while evaluating supersedes this result (its Connecting state is already recorded);
        // a deletion ends the tunnels.
        if (this.live.get(resourceIdKey(connection.id)) !== state) break;
        if (state.pendingAt !== pending) continue;
        delete state.pendingAt;
        delete state.pendingCause;
        if (evaluation.nextChangeAt) state.nextChangeAt = evaluation.nextChangeAt;
        else delete state.nextChangeAt;
        const share = evaluation.unroutedDevicePrefixes.length > 0 ? this.unroutedShare(connection, evaluation) : 0;
        for (const track of state.tracks) {
          const last = track.segments[track.segments.length - 1];
          if (!forced && last && sameOutcome(last.outcome, evaluation.outcome)) continue;
          this.push(track, {
            from: due,
            status: evaluation.outcome.kind === 'connected' ? 'Connected' : 'NotConnected',
            outcome: evaluation.outcome,
            details: evaluation.details,
            cause,
            ...this.endpoints(connection, track.instanceIndex),
            unroutedShare: share,
          });
        }
      }
    }
  }

  private evaluate(connection: SimConnection, at: Date): TunnelEvaluation {
    const { resources, devices, certificates } = this.options;
    const gateway = resources.gateways.get(connection.config.virtualNetworkGatewayId);
    const site = resources.localNetworkGateways.get(connection.config.localNetworkGatewayId);
    if (!gateway || !site) return { outcome: { kind: 'peer-unreachable' }, details: {}, unroutedDevicePrefixes: [] };
    return evaluateTunnel({
      source: certificates,
      config: connection.config,
      gateway,
      site,
      vnet: resources.virtualNetworks.get(gateway.virtualNetworkId),
      device: devices.atIp(site.gatewayIpAddress),
      at,
    });
  }

  private unroutedShare(connection: SimConnection, evaluation: TunnelEvaluation): number {
    const site = this.options.resources.localNetworkGateways.get(connection.config.localNetworkGatewayId);
    const device = this.options.devices.atIp(site?.gatewayIpAddress);
    const total = device?.prefixes.length ?? 0;
    return total > 0 ? evaluation.unroutedDevicePrefixes.length / total : 0;
  }

  /** The current state and negotiation outcome of each of a connection's tunnels (a test and sandbox hook). */
  inspect(connectionId: string, now: Date): { instance: GatewayInstanceName; status: string; outcome?: TunnelOutcome; since: Date }[] {
    const state = this.live.get(resourceIdKey(connectionId));
    return (state?.tracks ?? []).map((track) => {
      const segment = segmentAt(track, now);
      return { instance: track.instance, status: segment?.status ?? 'Unknown', ...(segment?.outcome ? { outcome: segment.outcome } : {}), since: segment?.from ?? track.createdAt };
    });
  }

  // ----------------------------------------------------------------------------------------------------------
  // ConnectionRuntime: what GET and PUT need

  health(connection: SimConnection, now: Date): SimConnectionHealth {
    const state = this.live.get(resourceIdKey(connection.id));
    if (!state || state.tracks.length === 0) {
      const status: SimConnectionStatus = connection.provisioningState === 'Failed' ? 'NotConnected' : 'Unknown';
      return { connectionStatus: status, ingressBytesTransferred: 0, egressBytesTransferred: 0, tunnels: [] };
    }
    const tunnels = state.tracks.map((track) => {
      const segment = segmentAt(track, now);
      const bytes = this.cumulativeBytes(track, now);
      const established = [...track.segments].reverse().find((s) => s.status === 'Connected' && s.from <= now);
      return {
        tunnel: `${track.gatewayName}_${segment?.localIp ?? ''}`,
        connectionStatus: (segment?.status ?? 'Unknown') as SimConnectionStatus,
        ingressBytesTransferred: bytes.ingress,
        egressBytesTransferred: bytes.egress,
        ...(established ? { lastConnectionEstablishedUtcTime: established.from } : {}),
      };
    });
    const connectionStatus: SimConnectionStatus = tunnels.some((t) => t.connectionStatus === 'Connected')
      ? 'Connected'
      : tunnels.some((t) => t.connectionStatus === 'Connecting')
        ? 'Connecting'
        : 'NotConnected';
    return {
      connectionStatus,
      ingressBytesTransferred: tunnels.reduce((sum, t) => sum + t.ingressBytesTransferred, 0),
      egressBytesTransferred: tunnels.reduce((sum, t) => sum + t.egressBytesTransferred, 0),
      tunnels,
    };
  }

  outboundCertificateFailure(config: SimConnectionConfig, gateway: SimGateway, now: Date): SimLroError | undefined {
    const read = readOutboundCertificate(this.options.certificates, config, gateway, now);
    return read.ok ? undefined : { code: read.code, message: read.message };
  }

  // ----------------------------------------------------------------------------------------------------------
  // MetricsSource

  tracks(gatewayId: string): TunnelMetricTrack[] {
    const key = resourceIdKey(gatewayId);
    return this.allTracks
      .filter((t) => resourceIdKey(t.gatewayId) === key)
      .map((track) => ({
        connectionName: track.connectionName,
        remoteIp: track.segments[track.segments.length - 1]?.remoteIp ?? '',
        instance: track.instance,
        sample: (minuteStart: Date) => this.sampleMinute(track, Math.floor(minuteStart.getTime() / minuteMs), this.options.clock.now()),
      }));
  }

  private sampleMinute(track: Track, minuteIndex: number, now: Date) {
    const start = minuteIndex * minuteMs;
    const end = Math.min(start + minuteMs, now.getTime(), track.removedAt?.getTime() ?? Number.POSITIVE_INFINITY);
    const from = Math.max(start, track.createdAt.getTime());
    if (end <= from) return undefined;
    const connected = connectedMs(track, from, end);
    const segment = segmentAt(track, new Date(from));
    return minuteSample(track.profile, minuteIndex, connected / minuteMs, segment?.unroutedShare ?? 0);
  }

  private cumulativeBytes(track: Track, now: Date): { ingress: number; egress: number } {
    const nowMinute = Math.floor(now.getTime() / minuteMs);
    // Minutes that have ended can only change when a segment is added, and adding one (push) clears the memo: keep
    // their sum. (A clock moved back clears it below.)
    const stableUntil = nowMinute;
    let { untilMinute, ingress, egress } = track.memo;
    if (untilMinute > stableUntil) {
      untilMinute = Math.floor(track.createdAt.getTime() / minuteMs);
      ingress = 0;
      egress = 0;
    }
    for (let m = untilMinute; m < stableUntil; m++) {
      const s = this.sampleMinute(track, m, now);
      if (s) {
        ingress += s.ingressBytes;
        egress += s.egressBytes;
      }
    }
    track.memo = { untilMinute: stableUntil, ingress, egress };
    for (let m = stableUntil; m <= nowMinute; m++) {
      const s = this.sampleMinute(track, m, now);
      if (s) {
        ingress += s.ingressBytes;
        egress += s.egressBytes;
      }
    }
    return { ingress, egress };
  }

  // ----------------------------------------------------------------------------------------------------------
  // DiagnosticLogSource: AzureDiagnostics rows, generated from the timeline on demand

  *rows(gatewayId: string, category: AzureDiagnosticsCategory, from: Date, to: Date): Iterable<KqlRow> {
    const key = resourceIdKey(gatewayId);
    const gateway = this.options.resources.gateways.get(gatewayId);
    const now = this.options.clock.now();
    const until = new Date(Math.min(to.getTime(), now.getTime()));
    let attempts = 0;
    for (const track of this.allTracks) {
      if (resourceIdKey(track.gatewayId) !== key) continue;
      const base = {
        gatewayId: gateway?.id ?? track.gatewayId,
        subscriptionId: gateway?.subscriptionId ?? this.options.resources.subscriptionId,
        resourceGroup: gateway?.resourceGroup ?? '',
        gatewayName: track.gatewayName,
        instance: track.instance,
      };
      for (let i = 0; i < track.segments.length; i++) {
        const segment = track.segments[i] as Segment;
        const next = track.segments[i + 1];
        const segmentEnd = new Date(Math.min(next?.from.getTime() ?? Number.POSITIVE_INFINITY, until.getTime()));
        if (segmentEnd < from && segment.from < from && next) continue;
        if (segment.from > until) break;
        const previous = track.segments[i - 1];

        if (category === 'TunnelDiagnosticLog') {
          for (const row of this.tunnelRows(track, segment, previous)) {
            if (row.at >= from && row.at <= until) {
              yield azureDiagnosticsRow({ ...base, category, at: row.at, operationName: row.status === 'Connected' ? 'TunnelConnected' : 'TunnelDisconnected', level: 'Informational', message: row.message, remoteIp: segment.remoteIp || previous?.remoteIp || '', status: row.status, stateChangeReason: row.reason });
            }
          }
          continue;
        }

        if (!segment.outcome || segment.status === 'Connecting') continue;
        // One negotiation when the state begins; while down, the gateway keeps retrying.
        const times: Date[] = [];
        if (segment.status === 'Connected') times.push(segment.from);
        else {
          const interval = this.options.ikeRetryIntervalMs;
          const firstK = Math.max(0, Math.floor((from.getTime() - segment.from.getTime()) / interval) - 1);
          for (let k = firstK; ; k++) {
            const t = new Date(segment.from.getTime() + k * interval);
            if (t >= segmentEnd && k > 0) break;
            if (t > until) break;
            times.push(t);
            if (times.length > maxAttemptsPerQuery) break;
          }
        }
        for (const at of times) {
          if (++attempts > maxAttemptsPerQuery) return;
          const log = this.attempt(track, segment, at);
          for (const line of log.ike) {
            if (line.at < from || line.at > until) continue;
            yield azureDiagnosticsRow({ ...base, category, at: line.at, operationName: 'IKELogEvent', level: line.level, message: line.message });
          }
        }
      }
    }
  }

  private attempt(track: Track, segment: Segment, at: Date): IkeAttemptLog {
    let counter = 0;
    return this.options.writeIkeAttempt(
      segment.outcome ?? { kind: 'peer-unreachable' },
      {
        remoteIp: segment.remoteIp,
        localIp: segment.localIp,
        instance: track.instance,
        at,
        newGuid: () => stableGuid(track.key, String(at.getTime()), String(counter++)),
      },
      segment.details ?? {},
    );
  }

  /** Tunnel connect/disconnect events where the state changes. */
  private tunnelRows(track: Track, segment: Segment, previous: Segment | undefined): { at: Date; status: 'Connected' | 'Disconnected'; reason: string; message: string }[] {
    const rows: { at: Date; status: 'Connected' | 'Disconnected'; reason: string; message: string }[] = [];
    const wasUp = previous?.status === 'Connected';
    if (segment.status === 'Connected' && wasUp && segment.cause === 'reset') {
      // A reset that settles instantly still drops and re-establishes the tunnel.
      rows.push({ at: segment.from, status: 'Disconnected', reason: disconnectReason('reset'), message: `Tunnel to ${segment.remoteIp} disconnected: ${disconnectReason('reset')}` });
      rows.push({ at: segment.from, status: 'Connected', reason: 'Tunnel re-established after reset', message: `Tunnel to ${segment.remoteIp} connected: Tunnel re-established after reset` });
    } else if (segment.status === 'Connected' && !wasUp) {
      const written = this.attempt(track, segment, segment.from).tunnel.find((t) => t.status === 'Connected');
      const reason = written?.reason ?? 'Tunnel connected';
      rows.push({ at: written?.at ?? segment.from, status: 'Connected', reason, message: `Tunnel to ${segment.remoteIp} connected: ${reason}` });
    } else if (segment.status !== 'Connected' && wasUp) {
      let reason = disconnectReason(segment.cause);
      if (segment.outcome) {
        const written = this.attempt(track, segment, segment.from).tunnel.find((t) => t.status === 'Disconnected');
        if (written) reason = written.reason;
      }
      rows.push({ at: segment.from, status: 'Disconnected', reason, message: `Tunnel to ${previous?.remoteIp ?? segment.remoteIp} disconnected: ${reason}` });
    }
    return rows;
  }

  // ----------------------------------------------------------------------------------------------------------
  // Helpers

  private stateFor(connection: SimConnection, at: Date): ConnectionState {
    const key = resourceIdKey(connection.id);
    const existing = this.live.get(key);
    const gateway = this.options.resources.gateways.get(connection.config.virtualNetworkGatewayId);
    const instances = gateway?.activeActive ? 2 : 1;
    if (existing && existing.tracks.length === instances) return existing;
    const state: ConnectionState = existing ?? { connectionId: connection.id, tracks: [] };
    for (let i = state.tracks.length; i < instances; i++) {
      const instance = gatewayInstances[i] as GatewayInstanceName;
      const trackKey = `${resourceIdKey(connection.id)}|${connection.resourceGuid}|${instance}`;
      const track: Track = {
        key: trackKey,
        connectionId: connection.id,
        connectionName: connection.name,
        gatewayId: connection.config.virtualNetworkGatewayId,
        gatewayName: gateway?.name ?? '',
        instance,
        instanceIndex: i,
        createdAt: at,
        segments: [],
        profile: trafficProfile(trackKey),
        memo: { untilMinute: Math.floor(at.getTime() / minuteMs), ingress: 0, egress: 0 },
      };
      state.tracks.push(track);
      this.allTracks.push(track);
    }
    this.live.set(key, state);
    return state;
  }

  private push(track: Track, segment: Segment): void {
    const last = track.segments[track.segments.length - 1];
    // A change at the same instant replaces the state that never lasted.
    if (last && last.from.getTime() === segment.from.getTime()) track.segments.pop();
    track.segments.push(segment);
    track.memo = { untilMinute: Math.floor(track.createdAt.getTime() / minuteMs), ingress: 0, egress: 0 };
  }

  private endpoints(connection: SimConnection, instanceIndex: number): { remoteIp: string; localIp: string } {
    const { resources } = this.options;
    const gateway = resources.gateways.get(connection.config.virtualNetworkGatewayId);
    const site = resources.localNetworkGateways.get(connection.config.localNetworkGatewayId);
    const publicIpId = gateway?.publicIpIds[instanceIndex];
    return { remoteIp: site?.gatewayIpAddress ?? '', localIp: (publicIpId ? resources.publicIps.get(publicIpId)?.ipAddress : undefined) ?? '' };
  }
}

function segmentAt(track: Track, at: Date): Segment | undefined {
  let found: Segment | undefined;
  for (const s of track.segments) {
    if (s.from <= at) found = s;
    else break;
  }
  return found;
}

function connectedMs(track: Track, from: number, to: number): number {
  let total = 0;
  for (let i = 0; i < track.segments.length; i++) {
    const s = track.segments[i] as Segment;
    if (s.status !== 'Connected') continue;
    const start = Math.max(s.from.getTime(), from);
    const end = Math.min(track.segments[i + 1]?.from.getTime() ?? Number.POSITIVE_INFINITY, to);
    if (end > start) total += end - start;
  }
  return total;
}

function sameOutcome(a: TunnelOutcome | undefined, b: TunnelOutcome): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

function disconnectReason(cause: string): string {
  switch (cause) {
    case 'reset':
      return 'Connection reset requested';
    case 'deleted':
      return 'Connection deleted';
    case 'updated':
    case 'dependency':
      return 'Connection configuration changed';
    default:
      return 'Tunnel disconnected';
  }
}
