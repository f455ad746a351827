import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export interface RunningProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Output so far (bounded), for error messages when a process fails to start. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts a helper process that dies with us (SIGTERM, then SIGKILL) and keeps the tail of its output. */
export function startProcess(name: string, command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; echo?: boolean } = {}): RunningProcess {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-8000);
    if (options.echo) process.stdout.write(text.split('\n').map((l) => (l ? `[${name}] ${l}` : l)).join('\n'));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return {
    name,
    child,
    output: () => tail,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Polls `probe` until it resolves true, or fails with the process output after `timeoutMs`. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, options: { timeoutMs: number; process?: RunningProcess }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (options.process && options.process.child.exitCode !== null) {
      throw new Error(`${what}: ${options.process.name} exited (code ${options.process.child.exitCode}).\n${options.process.output()}`);
    }
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: not ready after ${options.timeoutMs} ms.${options.process ? `\n${options.process.output()}` : ''}`);
}
