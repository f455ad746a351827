import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startProcess, waitUntil } from './child-process';
import { freePort } from './free-port';
import { playgroundConfigYaml } from './sandbox-identities';

export interface RunningPlayground {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Microsoft 365 Agents Playground (npm @microsoft/m365agentsplayground) as the Teams client, on loopback only.
 * `--disable-telemetry` alone still makes it call out; APPLICATION_INSIGHTS_NO_STATSBEAT=1 stops that. It reads
 * its config from, and writes devTools/ into, its working directory: we give it its own.
 */
export async function startPlayground(options: { botEndpoint: string; workDir: string; port?: number; echo?: boolean; currentUser?: string }): Promise<RunningPlayground> {
  const port = await freePort(options.port);
  mkdirSync(options.workDir, { recursive: true });
  writeFileSync(join(options.workDir, '.m365agentsplayground.yml'), playgroundConfigYaml(options.currentUser));
  const cli = join(dirname(require.resolve('@microsoft/m365agentsplayground/package.json')), 'cli.js');
  const proc = startProcess('playground', process.execPath, [cli, '-e', options.botEndpoint, '-c', 'msteams', '--disable-telemetry', '-p', String(port)], {
    cwd: options.workDir,
    env: { ...process.env, APPLICATION_INSIGHTS_NO_STATSBEAT: '1', TEAMSAPPTESTER_BROWSER: 'none', BROWSER: 'none' },
    ...(options.echo !== undefined ? { echo: options.echo } : {}),
  });
  // The port is a request: the Playground falls back to a random one when it is taken by the time it binds
  // (documented in its --help). The port it really serves on is the one it prints.
  let url = '';
  await waitUntil(
    'Agents Playground',
    async () => {
      const listening = /Listening on (\d+)/.exec(proc.output());
      if (!listening) return false;
      url = `http://127.0.0.1:${listening[1]}`;
      const ping = await fetch(`${url}/_debug/ping`, { signal: AbortSignal.timeout(2000) });
      return (await ping.text()).includes('pong');
    },
    { timeoutMs: 60_000, process: proc },
  );
  return { url, port: Number(new URL(url).port), stop: () => proc.stop() };
}
