import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/** Debian's charon (packages in local/strongswan/README.md). */
export const CHARON_PATH = process.env.CHARON ?? '/usr/lib/ipsec/charon';

/** What `.ci/run` installs; named in every "cannot run" message so the fix is one command away. */
export const STRONGSWAN_PACKAGES = ['strongswan-swanctl', 'charon-systemd', 'strongswan-charon', 'libcharon-extra-plugins', 'libstrongswan-extra-plugins', 'libstrongswan-standard-plugins'] as const;

export type StrongswanSupport = { readonly ok: true } | { readonly ok: false; readonly reason: string };

let cached: StrongswanSupport | undefined;

/**
 * Whether two real charons can run here: root (network and mount namespaces), Debian's strongSwan packages, and
 * the tools the harness drives (`unshare`, `nsenter`, `ip`). The reason says what is missing and how to fix it.
 */
export function strongswanSupport(): StrongswanSupport {
  cached ??= probe();
  return cached;
}

function probe(): StrongswanSupport {
  if (process.platform !== 'linux') return { ok: false, reason: `real IKE peers need Linux network namespaces; this is ${process.platform}` };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return { ok: false, reason: 'real IKE peers need root (network namespaces, veth pairs, and charon binding UDP 500/4500); run the tests as root, as CI does' };
  try {
    accessSync(CHARON_PATH, constants.X_OK);
  } catch {
    return { ok: false, reason: `${CHARON_PATH} is missing: apt-get install --no-install-recommends ${STRONGSWAN_PACKAGES.join(' ')}` };
  }
  for (const tool of ['swanctl', 'unshare', 'nsenter', 'ip']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return { ok: false, reason: `${tool} is missing (swanctl: strongswan-swanctl; unshare/nsenter: util-linux; ip: iproute2)` };
    }
  }
  try {
    execFileSync('unshare', ['--net', '--mount', '--propagation', 'private', 'true'], { stdio: 'ignore' });
  } catch {
    return { ok: false, reason: 'this machine does not allow creating network and mount namespaces (unshare --net --mount failed)' };
  }
  return { ok: true };
}

/**
 * Set by CI (`.ci/run`): the real-peer and real-browser tests must run there, so a machine that cannot run them
 * fails CI instead of skipping. Elsewhere they skip with a loud message.
 */
export const REAL_PEERS_REQUIRED = process.env.REQUIRE_REAL_PEERS === '1';
