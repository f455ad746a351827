import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { BenchScenario } from './bench-scenario';
import type { ScenarioWorkerMessage } from './scenario-worker';

/**
 * Runs one scenario in a fresh Node process. The function app is one per process, as in the Functions worker: the
 * local host locks registrations after the first load and app-services keeps the configuration it validated first,
 * so a second estate (another simulator, another scope) cannot be loaded into the same process. A process per
 * scenario also gives each one a cold heap, so the 500-site run's peak memory is its own.
 */
export function runScenarioInChild(scenario: BenchScenario, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    // --expose-gc: a scenario may measure heap growth after a full collection (the load benchmark does).
    const child = fork(join(__dirname, 'scenario-worker.js'), [JSON.stringify(scenario)], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [...process.execArgv, '--expose-gc'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-6000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let message: ScenarioWorkerMessage | undefined;
    child.on('message', (m) => {
      message = m as ScenarioWorkerMessage;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`did not finish within ${Math.round(timeoutMs / 1000)} s.\n${output}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (message?.ok) resolve(message.result);
      else if (message) reject(new Error(`${message.error}\n--- output ---\n${output}`));
      else reject(new Error(`the worker exited (${signal ?? `code ${code}`}) without a result.\n${output}`));
    });
  });
}
