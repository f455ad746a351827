import type { SimLroError } from '../sim-lro';
import type { SimConnection, SimConnectionConfig, SimGateway } from '../sim-resources';

export type SimConnectionStatus = 'Unknown' | 'Connecting' | 'Connected' | 'NotConnected';

export interface SimTunnelHealth {
  /** Azure's tunnel name: `<gateway name>_<gateway instance public IP>`. */
  readonly tunnel: string;
  readonly connectionStatus: SimConnectionStatus;
  readonly ingressBytesTransferred: number;
  readonly egressBytesTransferred: number;
  readonly lastConnectionEstablishedUtcTime?: Date;
}

export interface SimConnectionHealth {
  readonly connectionStatus: SimConnectionStatus;
  readonly ingressBytesTransferred: number;
  readonly egressBytesTransferred: number;
  readonly tunnels: readonly SimTunnelHealth[];
}

/**
 * What the ARM layer needs from the tunnel engine: health for GET, notifications when configuration takes effect,
 * and the check Azure makes while applying a certificate connection (the outbound certificate, read through the
 * gateway's identity).
 */
export interface ConnectionRuntime {
  health(connection: SimConnection, now: Date): SimConnectionHealth;
  /** The connection's configuration took effect at `at` (created, updated, reset, or something it depends on changed). */
  configurationApplied(connection: SimConnection, at: Date, reason: 'created' | 'updated' | 'reset' | 'dependency'): void;
  connectionDeleted(connection: SimConnection, at: Date): void;
  /** What applying the outbound certificate would fail with, reading it as the gateway's identity. */
  outboundCertificateFailure(config: SimConnectionConfig, gateway: SimGateway, now: Date): SimLroError | undefined;
}
