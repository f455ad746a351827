import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startCharonPair, type CharonDaemon } from './charon-pair';
import { writePeerConfig, type PeerSide } from './peer-config';

export type PeerRole = 'azure' | 'device';

/** What both daemons say about their SAs right now. */
export interface SaState {
  /** An IKE SA in state ESTABLISHED. */
  readonly ike: boolean;
  /** A CHILD_SA in state INSTALLED. */
  readonly child: boolean;
  /** `swanctl --list-sas` as printed. */
  readonly text: string;
}

export interface InitiateResult {
  /** IKE and CHILD SAs are up on both sides. */
  readonly established: boolean;
  readonly azure: SaState;
  readonly device: SaState;
  /** From `swanctl --initiate` to its answer. */
  readonly ms: number;
  /** What swanctl printed (it prints the same failure for every cause: read the logs for why). */
  readonly initiateOutput: string;
}

/** Two running charons, Azure's side and the device, with their configurations loaded. */
export interface Peers {
  readonly azure: CharonDaemon;
  readonly device: CharonDaemon;
  /** Has `by` initiate the connection's CHILD_SA (and so its IKE SA) and waits for the answer. */
  initiate(by?: PeerRole): Promise<InitiateResult>;
  sas(role: PeerRole): Promise<SaState>;
  /** Replaces one side's credentials and connection (`swanctl --load-all --clear`); established SAs stay until closed. */
  reconfigure(role: PeerRole, side: PeerSide): Promise<void>;
  /** Closes `role`'s IKE SA with a DELETE to the peer, as a gateway applying a new configuration resets its tunnels. */
  terminate(role: PeerRole): Promise<void>;
  /** Stops both daemons and removes their files; resolves with both logs (shutdown lines included). */
  stop(): Promise<{ azureLog: string; deviceLog: string }>;
}

export interface EstablishResult extends InitiateResult {
  readonly azureLog: string;
  readonly deviceLog: string;
}

/**
 * Starts two real charons, Azure's side and the device, each in its own network namespace with its own public
 * address (the sandbox's, when the sides were built from it), and loads their configurations. See
 * `local/strongswan/README.md`.
 */
export async function startPeers(azure: PeerSide, device: PeerSide): Promise<Peers> {
  const root = mkdtempSync(join(tmpdir(), 'ike-peers-'));
  const dirs = { azure: join(root, 'azure'), device: join(root, 'device') } as const;
  const targets = { azure: writePeerConfig(dirs.azure, azure), device: writePeerConfig(dirs.device, device) };
  let pair;
  try {
    pair = await startCharonPair({ dir: dirs.azure, host: azure.host }, { dir: dirs.device, host: device.host });
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  const daemons = { azure: pair.a, device: pair.b } as const;
  const load = async (role: PeerRole) => {
    try {
      await daemons[role].swanctl('--load-all', '--noprompt', '--clear');
    } catch (error) {
      throw new Error(`The ${role} side's configuration did not load: ${commandOutput(error)}`, { cause: error });
    }
  };
  const sas = async (role: PeerRole): Promise<SaState> => {
    const text = await daemons[role].swanctl('--list-sas');
    return { ike: /\bESTABLISHED\b/.test(text), child: /\bINSTALLED\b/.test(text), text };
  };
  try {
    await Promise.all([load('azure'), load('device')]);
  } catch (error) {
    await pair.stop();
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  return {
    azure: daemons.azure,
    device: daemons.device,
    sas,
    async initiate(by = 'device') {
      const target = targets[by];
      const started = performance.now();
      let initiateOutput: string;
      try {
        initiateOutput = await daemons[by].swanctl('--initiate', '--ike', target.connection, '--child', target.child, '--timeout', '10');
      } catch (error) {
        initiateOutput = commandOutput(error);
      }
      const ms = performance.now() - started;
      const [a, d] = await Promise.all([sas('azure'), sas('device')]);
      return { established: a.ike && a.child && d.ike && d.child, azure: a, device: d, ms, initiateOutput };
    },
    async reconfigure(role, side) {
      rmSync(join(dirs[role], 'swanctl'), { recursive: true, force: true });
      targets[role] = writePeerConfig(dirs[role], side);
      await load(role);
    },
    async terminate(role) {
      await daemons[role].swanctl('--terminate', '--ike', targets[role].connection, '--timeout', '5').catch(() => undefined);
    },
    async stop() {
      if (!stopped) {
        stopped = true;
        await pair.stop();
      }
      const logs = { azureLog: daemons.azure.log(), deviceLog: daemons.device.log() };
      rmSync(root, { recursive: true, force: true });
      return logs;
    },
  };
}

/**
 * The one call tests make: Azure's side and the device, the device initiating (or `initiator`), IKE and CHILD SAs
 * attempted once, both daemons stopped; resolves with whether the tunnel came up and both charon logs.
 */
export async function establish(azure: PeerSide, device: PeerSide, options: { initiator?: PeerRole } = {}): Promise<EstablishResult> {
  const peers = await startPeers(azure, device);
  let result: InitiateResult;
  try {
    result = await peers.initiate(options.initiator ?? 'device');
  } catch (error) {
    await peers.stop();
    throw error;
  }
  const logs = await peers.stop();
  return { ...result, ...logs };
}

function commandOutput(error: unknown): string {
  const e = error as { stdout?: string; stderr?: string; message?: string };
  return [e.stdout, e.stderr].filter((x) => x && x.trim() !== '').join('\n') || (e.message ?? String(error));
}
