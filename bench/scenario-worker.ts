/**
 * Child-process entry of one benchmark scenario (started by run-scenario-in-child.ts): reads the scenario from argv,
 * runs it against a sandbox of its own, sends `{ ok, result | error }` over IPC and exits.
 */
import type { BenchScenario } from './bench-scenario';
import { runBenchScenario } from './bench-scenario';

export type ScenarioWorkerMessage = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: string };

async function main(): Promise<void> {
  const send = (message: ScenarioWorkerMessage) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
  try {
    const scenario = JSON.parse(process.argv[2] ?? '') as BenchScenario;
    const result = await runBenchScenario(scenario);
    await send({ ok: true, result });
  } catch (error) {
    // The report is for the person running the bench on their own machine: the stack is what they need.
    await send({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
}

if (typeof process.send !== 'function') {
  console.error('scenario-worker runs under bench/run.js (it reports over IPC).');
  process.exitCode = 2;
} else {
  // Exit explicitly: sockets of the stopped sandbox or SDK keep-alive agents must not keep the worker alive.
  void main().finally(() => process.exit(0));
}
