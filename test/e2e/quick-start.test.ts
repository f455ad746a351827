import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { projectRoot } from '../../local/sandbox/project-root';

const run = promisify(execFile);

/** The README's sample of what `npm start` prints: the block after "it prints:". */
function readmeStartSample(): string {
  const readme = readFileSync(join(projectRoot(), 'README.md'), 'utf8');
  const block = /it prints:\n\n```\n([\s\S]*?)\n```/.exec(readme)?.[1];
  if (!block) throw new Error('README: no sample after "it prints:"');
  return block;
}

/** Seconds, ports and the (per-run) simulator port replaced, so a sample can be compared with a run. */
function volatileAside(text: string): string {
  return text.replace(/\d+\.\d s/g, 'N s').replace(/:\d{2,5}\b/g, ':PORT');
}

/**
 * The README's contract: `npm start` builds (when a source changed) and runs the bot on the sandbox, prints the
 * Playground URL, answers through `npm run chat` (which finds nothing to build), and Ctrl-C stops everything it
 * started. Run through the same runner as the npm scripts, on the compiled output, as people run it.
 */
it('npm start serves the bot on the sandbox, npm run chat talks to it without building again, Ctrl-C stops it all', async () => {
  const root = projectRoot();
  const start = spawn(process.execPath, ['local/sandbox/run-built.mjs', 'start'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  start.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  start.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => start.once('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 90_000;
    while (!output.includes('Press Ctrl-C to stop.') && Date.now() < deadline && start.exitCode === null) await new Promise((r) => setTimeout(r, 200));
    expect(output).toMatch(/Teams client \(Agents Playground\):\s+http:\/\/localhost:\d+/);
    const playgroundUrl = /Teams client \(Agents Playground\):\s+(http:\/\/localhost:\d+)/.exec(output)![1]!.replace('localhost', '127.0.0.1');

    // What the figure covers is said: the build when there was one, and the sandbox's own start.
    expect(output).toMatch(/\nReady in \d+\.\d s \((build \d+\.\d s \+ sandbox \d+\.\d s|no source changed since the last build, so no build; sandbox \d+\.\d s)\)\.\n/);
    expect(output).toMatch(/\nsite-rome: a device waiting to be provisioned \(not in Azure yet\)/);
    // The README shows this part of the output as it is printed (times and ports aside).
    const printed = output.slice(output.indexOf('Ready in'), output.indexOf('Press Ctrl-C to stop.') + 'Press Ctrl-C to stop.'.length);
    expect(volatileAside(printed)).toBe(volatileAside(readmeStartSample()));

    const chat = await run(process.execPath, ['local/sandbox/run-built.mjs', 'chat', 'whoami'], { cwd: root, timeout: 60_000 });
    expect(chat.stdout).toMatch(/== Who am I ==[\s\S]*Alex Wilber[\s\S]*reader, operator/);
    expect(chat.stderr).not.toMatch(/Building/);

    start.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toMatch(/stopping the sandbox/);
    await expect(fetch(`${playgroundUrl}/_debug/ping`)).rejects.toThrow();
  } finally {
    if (start.exitCode === null) start.kill('SIGKILL');
  }
}, 400_000);
