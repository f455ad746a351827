import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import type { RunningProcess } from './child-process';
import { startProcess, waitUntil } from './child-process';
import { freePort } from './free-port';

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface RunningAzurite {
  readonly tableEndpoint: string;
  readonly connectionString: string;
  stop(): Promise<void>;
}

/** Azurite's Table service (npm `azurite`), in memory, on loopback; no telemetry. */
export async function startAzurite(options: { port?: number } = {}): Promise<RunningAzurite> {
  const port = await freePort(options.port);
  const main = join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'table', 'main.js');
  const proc: RunningProcess = startProcess('azurite', process.execPath, [
    main,
    '--tableHost', '127.0.0.1',
    '--tablePort', String(port),
    '--inMemoryPersistence',
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--silent',
  ]);
  await waitUntil(
    'Azurite',
    () =>
      new Promise<boolean>((resolve) => {
        const socket = createConnection({ host: '127.0.0.1', port }, () => {
          socket.end();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      }),
    { timeoutMs: 20_000, process: proc },
  );
  const tableEndpoint = `http://127.0.0.1:${port}/${DEV_ACCOUNT}`;
  return {
    tableEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};TableEndpoint=${tableEndpoint};`,
    stop: () => proc.stop(),
  };
}
