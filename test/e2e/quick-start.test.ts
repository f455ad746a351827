import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { projectRoot } from '../../local/sandbox/project-root';

const run = promisify(execFile);

/**
 * The README's contract: `npm start` builds and runs the bot on the sandbox, prints the Playground URL, answers
 * through `npm run chat`, and Ctrl-C stops everything it started. Exercised on the compiled output, as people run it.
 */
it('npm start serves the bot on the sandbox, npm run chat talks to it, Ctrl-C stops it all', async () => {
  const root = projectRoot();
  await run('npm', ['run', 'build', '--silent'], { cwd: root, timeout: 180_000 });
  const start = spawn(process.execPath, ['dist/local/sandbox/start.js'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  start.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  start.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => start.once('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 90_000;
    while (!output.includes('Press Ctrl-C to stop.') && Date.now() < deadline && start.exitCode === null) await new Promise((r) => setTimeout(r, 200));
    expect(output).toMatch(/Teams client \(Agents Playground\):\s+http:\/\/localhost:\d+/);
    const playgroundUrl = /Teams client \(Agents Playground\):\s+(http:\/\/localhost:\d+)/.exec(output)![1]!.replace('localhost', '127.0.0.1');

    const chat = await run(process.execPath, ['dist/local/sandbox/chat.js', 'whoami'], { cwd: root, timeout: 60_000 });
    expect(chat.stdout).toMatch(/== Who am I ==[\s\S]*Alex Wilber[\s\S]*reader, operator/);

    start.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toMatch(/stopping the sandbox/);
    await expect(fetch(`${playgroundUrl}/_debug/ping`)).rejects.toThrow();
  } finally {
    if (start.exitCode === null) start.kill('SIGKILL');
  }
}, 300_000);
