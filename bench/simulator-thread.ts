import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EstateInfo } from '../local/simulator/azure-simulator';
import type { SimEventGridSubscription } from '../local/simulator/event-grid/sim-event-grid';
import type { SandboxSimulator } from '../local/sandbox/sandbox';
import type { SimCallRecord } from '../local/simulator/sim-stats';

/** What the thread is started with: plain data (a worker cannot be handed an estate builder). */
export interface SimulatorThreadOptions {
  readonly synthetic: { readonly sites: number; readonly resourceGroups: number; readonly distinctOutbound?: boolean };
  readonly latencyMs?: number;
  readonly throttling?: boolean;
  readonly pageSize?: number;
}

type SimulatorThreadCall = { readonly op: 'subscribe'; readonly subscription: SimEventGridSubscription } | { readonly op: 'watch' } | { readonly op: 'stats-reset' } | { readonly op: 'stats-calls' } | { readonly op: 'close' };

export type SimulatorThreadRequest = SimulatorThreadCall & { readonly id: number };

export type SimulatorThreadMessage =
  | { readonly kind: 'ready'; readonly url: string; readonly caPem: string; readonly estateInfo: EstateInfo; readonly outboundCertificates: Readonly<Record<string, string | undefined>> }
  | { readonly kind: 'failed'; readonly error: string }
  | { readonly kind: 'answer'; readonly id: number; readonly ok: true; readonly value?: unknown }
  | { readonly kind: 'answer'; readonly id: number; readonly ok: false; readonly error: string };

/** The Azure simulator running in a worker thread: its own event loop and heap, answering over HTTPS as before. */
export interface SimulatorThread extends SandboxSimulator {
  /** Each site's connection's `outboundAuthCertificate` as the simulator holds it, by site name. */
  readonly outboundCertificates: Readonly<Record<string, string | undefined>>;
  readonly stats: { reset(): Promise<void>; calls(): Promise<readonly SimCallRecord[]> };
  readonly worker: Worker;
}

/**
 * Starts the Azure simulator (the stand-in for Azure's servers) in a worker thread, so that a benchmark measures the
 * app's own work on its event loop apart from the simulator's request handling, TLS and rendering, as in production
 * where Azure's servers answer from elsewhere.
 */
export function startSimulatorThread(options: SimulatorThreadOptions): Promise<SimulatorThread> {
  const worker = new Worker(join(__dirname, 'simulator-thread-worker.js'), { workerData: options });
  let nextId = 0;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const call = (request: SimulatorThreadCall): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.on('exit', (code) => {
      for (const p of pending.values()) p.reject(new Error(`The simulator thread exited (code ${code}).`));
      pending.clear();
      reject(new Error(`The simulator thread exited (code ${code}) before it was ready.`));
    });
    worker.on('message', (message: SimulatorThreadMessage) => {
      if (message.kind === 'failed') return reject(new Error(`The simulator thread could not start: ${message.error}`));
      if (message.kind === 'answer') {
        const p = pending.get(message.id);
        pending.delete(message.id);
        if (message.ok) p?.resolve(message.value);
        else p?.reject(new Error(message.error));
        return;
      }
      resolve({
        url: message.url,
        caPem: message.caPem,
        estateInfo: message.estateInfo,
        outboundCertificates: message.outboundCertificates,
        worker,
        eventGrid: {
          subscribe: async (subscription) => {
            await call({ op: 'subscribe', subscription });
          },
          watch: () => void call({ op: 'watch' }),
        },
        stats: {
          reset: async () => {
            await call({ op: 'stats-reset' });
          },
          calls: async () => (await call({ op: 'stats-calls' })) as SimCallRecord[],
        },
        close: async () => {
          await call({ op: 'close' }).catch(() => undefined);
          await worker.terminate();
        },
      });
    });
  });
}
