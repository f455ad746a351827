import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CHARON_PATH } from './strongswan-support';

const run = promisify(execFile);

/** Where one daemon lives on the network of its namespace. */
export interface PeerHost {
  /** Its public address (what the other peer names as `remote_addrs`). */
  readonly address: string;
  /**
   * Addresses it owns inside its protected prefixes (its local traffic selectors): kernel-libipsec routes a CHILD_SA
   * through its TUN device only for a host that has an address in the local selector.
   */
  readonly insideAddresses: readonly string[];
}

/** A running charon in its own network and mount namespace. */
export interface CharonDaemon {
  /** The daemon's directory: strongswan.conf, swanctl/, charon.log, run/. */
  readonly dir: string;
  readonly host: PeerHost;
  /** Runs `swanctl <command> --uri <this daemon> ...args` with this daemon's SWANCTL_DIR; resolves with stdout. */
  swanctl(command: string, ...args: string[]): Promise<string>;
  /** The charon log so far. */
  log(): string;
}

export interface CharonPair {
  readonly a: CharonDaemon;
  readonly b: CharonDaemon;
  /** Stops both daemons (their shutdown lines reach the logs); the namespaces and the veth pair go with them. */
  stop(): Promise<void>;
}

/**
 * Two charons, each in a namespace of its own joined by a veth pair, each namespace owning only the addresses given
 * (so the daemons may use the sandbox's public addresses: nothing outside the two namespaces sees them).
 *
 * No named namespace (`ip netns add`) is created: each namespace belongs to a small holder shell started with
 * `unshare --net --mount`, which bind-mounts the daemon's own /run (charon hard-codes /var/run/charon.pid) and then
 * runs charon. The holder reads its stdin: when this process closes it (stop, or this process dying), the holder
 * stops charon and exits, and the kernel removes the namespaces and the veth pair. Several pairs can run at once.
 *
 * `dirA`/`dirB` must already hold `strongswan.conf` (see `strongswanConf`) and a `swanctl/` directory.
 */
export async function startCharonPair(a: { dir: string; host: PeerHost }, b: { dir: string; host: PeerHost }): Promise<CharonPair> {
  const holders: Holder[] = [];
  try {
    holders.push(await startHolder(a.dir), await startHolder(b.dir));
    const [ha, hb] = holders as [Holder, Holder];
    const tag = randomBytes(4).toString('hex');
    const vethA = `vp${tag}a`;
    const vethB = `vp${tag}b`;
    await run('ip', ['link', 'add', vethA, 'netns', String(ha.pid), 'type', 'veth', 'peer', 'name', vethB, 'netns', String(hb.pid)]);
    await configureNetwork(ha.pid, vethA, a.host, b.host.address);
    await configureNetwork(hb.pid, vethB, b.host, a.host.address);
    await Promise.all(holders.map((h) => h.startCharon()));
    const daemon = (side: { dir: string; host: PeerHost }): CharonDaemon => ({
      dir: side.dir,
      host: side.host,
      swanctl: (command, ...args) => swanctl(side.dir, command, ...args),
      log: () => readLog(side.dir),
    });
    return {
      a: daemon(a),
      b: daemon(b),
      stop: async () => {
        await Promise.all(holders.map((h) => h.stop()));
      },
    };
  } catch (error) {
    await Promise.all(holders.map((h) => h.stop()));
    throw error;
  }
}

/** swanctl against one daemon's vici socket, with its configuration directory. */
export async function swanctl(dir: string, command: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('swanctl', [command, '--uri', `unix://${join(dir, 'charon.vici')}`, ...args], {
    env: { ...process.env, SWANCTL_DIR: join(dir, 'swanctl') },
    maxBuffer: 4 * 1024 * 1024,
  });
  return stdout;
}

function readLog(dir: string): string {
  const path = join(dir, 'charon.log');
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

interface Holder {
  readonly pid: number;
  startCharon(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The holder's script: $1 is the daemon's directory, $2 charon. It prints `ready` once in its namespaces, waits for
 * `go` (the network is configured), runs charon, and stops it when its stdin says `stop` or closes.
 */
const HOLDER_SCRIPT = [
  'mount --bind "$1/run" /run || exit 1',
  'echo ready',
  'read go || exit 0',
  'STRONGSWAN_CONF="$1/strongswan.conf" "$2" >"$1/daemon.out" 2>&1 &',
  'pid=$!',
  'read stop',
  'kill -TERM "$pid" 2>/dev/null',
  'wait "$pid"',
].join('\n');

async function startHolder(dir: string): Promise<Holder> {
  mkdirSync(join(dir, 'run'), { recursive: true });
  const child = spawn('unshare', ['--net', '--mount', '--propagation', 'private', 'sh', '-c', HOLDER_SCRIPT, 'holder', dir, CHARON_PATH], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await until(`the namespace holder for ${dir}`, () => output.includes('ready'), 5_000, child, () => output);
  const pid = child.pid;
  if (pid === undefined) throw new Error('unshare did not start');
  let stopped = false;
  return {
    pid,
    async startCharon() {
      child.stdin.write('go\n');
      const socket = join(dir, 'charon.vici');
      await until(`charon in ${dir}`, () => existsSync(socket), 5_000, child, () => `${output}${readIfExists(join(dir, 'daemon.out'))}`);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin.end('stop\n');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

async function configureNetwork(pid: number, veth: string, host: PeerHost, peerAddress: string): Promise<void> {
  const commands = [
    'link set lo up',
    ...host.insideAddresses.map((address) => `addr add ${address}/32 dev lo`),
    `addr add ${host.address}/32 dev ${veth}`,
    `link set ${veth} up`,
    // The peer is on the other end of the cable whatever its address: a host route, no shared subnet needed.
    `route add ${peerAddress}/32 dev ${veth} src ${host.address}`,
  ];
  await new Promise<void>((resolve, reject) => {
    const child = spawn('nsenter', ['--target', String(pid), '--net', 'ip', '-batch', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`configuring the namespace of ${host.address} failed: ${errors.trim()}`))));
    child.stdin.end(`${commands.join('\n')}\n`);
  });
}

function readIfExists(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

async function until(what: string, done: () => boolean, timeoutMs: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (child.exitCode !== null) throw new Error(`${what}: the holder exited (code ${child.exitCode}): ${output().trim()}`);
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs} ms: ${output().trim()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
