import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './project-root';

/** Where a running `npm start` tells `npm run chat` how to reach it. */
export interface SandboxState {
  readonly pid: number;
  readonly playgroundUrl: string;
  readonly hostUrl: string;
  readonly messagesUrl: string;
  readonly simulatorUrl: string;
}

const stateFile = () => join(projectRoot(), '.sandbox', 'sandbox.json');

export function writeSandboxState(state: SandboxState): void {
  mkdirSync(join(projectRoot(), '.sandbox'), { recursive: true });
  writeFileSync(stateFile(), `${JSON.stringify(state, null, 2)}\n`);
}

export function clearSandboxState(): void {
  rmSync(stateFile(), { force: true });
}

/** The running sandbox, if its process is alive and its Playground answers. */
export async function findRunningSandbox(): Promise<SandboxState | undefined> {
  if (!existsSync(stateFile())) return undefined;
  let state: SandboxState;
  try {
    state = JSON.parse(readFileSync(stateFile(), 'utf8')) as SandboxState;
    process.kill(state.pid, 0);
  } catch {
    return undefined;
  }
  try {
    const pong = await fetch(`${state.playgroundUrl}/_debug/ping`, { signal: AbortSignal.timeout(2000) });
    return pong.ok ? state : undefined;
  } catch {
    return undefined;
  }
}
