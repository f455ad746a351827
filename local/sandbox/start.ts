/**
 * `npm start`: the bot on the sandbox estate, with the Agents Playground as the Teams client. Ctrl-C stops
 * everything it started.
 */
import { withImpliedRoles } from '../../core/auth/access-policy';
import { freePort } from './free-port';
import { SANDBOX_USERS } from './sandbox-identities';
import { clearSandboxState, writeSandboxState } from './sandbox-state';
import { startSandbox } from './sandbox';

async function main(): Promise<void> {
  const started = Date.now();
  console.log('Starting the sandbox: Azurite, the Azure simulator (seeded estate), the function app in the local host, and the Agents Playground…');
  const sandbox = await startSandbox({ hostPort: await freePort(3978), playgroundPort: 56150, log: 'info' });
  const playgroundUrl = sandbox.playground!.url.replace('127.0.0.1', 'localhost');
  writeSandboxState({ pid: process.pid, playgroundUrl: sandbox.playground!.url, hostUrl: sandbox.host.baseUrl, messagesUrl: sandbox.messagesUrl, simulatorUrl: sandbox.simulator.url });
  const info = sandbox.simulator.estateInfo;
  const rome = info.files.find((f) => f.path.endsWith('device-chain.pem'));
  const lines = [
    '',
    `Ready in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
    '',
    `  Teams client (Agents Playground):  ${playgroundUrl}`,
    `  Bot endpoint:                      ${sandbox.messagesUrl}`,
    `  Azure simulator:                   ${sandbox.simulator.url}  (subscription ${info.subscriptionId})`,
    '',
    'People (the Playground chats as the first; `npm run chat -- --as <name> "<command>"` speaks as any):',
    ...SANDBOX_USERS.map((u) => `  ${u.handle.padEnd(7)} ${u.name.padEnd(16)} ${(withImpliedRoles(u.roles).join(', ') || 'no role').padEnd(17)} ${u.description}`),
    '',
    `Sites in ${info.resourceGroups.join(', ')}: ${info.sites.map((s) => s.name).join(', ')}`,
    ...(rome ? [`site-rome's public device chain (for provisioning): ${rome.path}`] : []),
    '',
    'Try: help · whoami · status · status site-paris · diagnose site-berlin · jobs',
    'Press Ctrl-C to stop.',
  ];
  console.log(lines.join('\n'));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the sandbox…`);
    clearSandboxState();
    await sandbox.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`The sandbox did not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
