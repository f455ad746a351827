/** Worker-thread entry of the Azure simulator (started by simulator-thread.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { buildSyntheticEstate } from '../local/estate/synthetic-estate';
import { startAzureSimulator } from '../local/simulator/azure-simulator';
import type { SimulatorThreadMessage, SimulatorThreadOptions, SimulatorThreadRequest } from './simulator-thread';

async function main(): Promise<void> {
  const port = parentPort!;
  const options = workerData as SimulatorThreadOptions;
  const send = (message: SimulatorThreadMessage) => port.postMessage(message);
  try {
    const simulator = await startAzureSimulator({
      estate: () => buildSyntheticEstate(options.synthetic),
      ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
      ...(options.throttling !== undefined ? { throttling: options.throttling } : {}),
      ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
    });
    const outboundCertificates = Object.fromEntries(
      simulator.estateInfo.sites.filter((s) => s.connectionId !== undefined).map((s) => [s.name, simulator.resources.connections.get(s.connectionId!)?.config.certificateAuthentication?.outboundAuthCertificate]),
    );
    port.on('message', (request: SimulatorThreadRequest) => {
      const answer = async (): Promise<unknown> => {
        switch (request.op) {
          case 'subscribe':
            return simulator.eventGrid.subscribe(request.subscription);
          case 'watch':
            return simulator.eventGrid.watch();
          case 'stats-reset':
            return simulator.stats.reset();
          case 'stats-calls':
            return simulator.stats.calls().map((c) => ({ ...c }));
          case 'close':
            return simulator.close();
        }
      };
      answer().then(
        (value) => send({ kind: 'answer', id: request.id, ok: true, ...(value === undefined ? {} : { value }) }),
        (error: unknown) => send({ kind: 'answer', id: request.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
    });
    send({ kind: 'ready', url: simulator.url, caPem: simulator.caPem, estateInfo: simulator.estateInfo, outboundCertificates });
  } catch (error) {
    send({ kind: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
}

void main();
