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

/**
 * Azurite's Table service (npm `azurite`), in memory, on loopback; no telemetry. A port found free can be taken by
 * another process before Azurite binds it (tests start several sandboxes at once): Azurite then exits, and we try
 * again on another port. Ready means Azurite itself said it bound the port, not merely that something answers there.
 */
export async function startAzurite(options: { port?: number } = {}): Promise<RunningAzurite> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort(attempt === 1 ? options.port : undefined);
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
    try {
      await waitUntil('Azurite', async () => proc.output().includes(`successfully started on 127.0.0.1:${port}`), { timeoutMs: 20_000, process: proc });
    } catch (error) {
      await proc.stop();
      if (attempt < 3 && proc.child.exitCode !== null && /EADDRINUSE/.test(proc.output())) continue;
      throw error;
    }
    const tableEndpoint = `http://127.0.0.1:${port}/${DEV_ACCOUNT}`;
    return {
      tableEndpoint,
      connectionString: `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};TableEndpoint=${tableEndpoint};`,
      stop: () => proc.stop(),
    };
  }
}
