import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PeerHost } from './charon-pair';

/** The connection and child names every harness configuration uses (what `swanctl --initiate` is told). */
export const CONNECTION_NAME = 's2s';
export const CHILD_NAME = 'net';

/**
 * One side of a certificate-authenticated IKEv2 connection, in strongSwan's terms. Built from Azure's settings
 * (`azureSideFromSimulator`) or from a device of an estate (`deviceSideFromEstate`); rendered by `writePeerConfig`.
 */
export interface StructuredPeer {
  readonly kind: 'structured';
  /** For messages and file names: `azure` or `device`. */
  readonly role: string;
  readonly host: PeerHost;
  /** The other peer's public address. */
  readonly remoteAddress: string;
  /** Its own certificate (PEM) and private key (PKCS#8 PEM). */
  readonly certificate: { readonly pem: string; readonly privateKeyPem: string };
  /** Issuers it holds for its own certificate (PEM, nearest first); charon sends the intermediates among them. */
  readonly chain: readonly string[];
  /** CA certificates (PEM) it accepts the peer's certificate from: its trust anchors, and nothing else. */
  readonly trustAnchors: readonly string[];
  /** The identity the peer must have: `%any`, or a DN in strongSwan's form (most general RDN first). */
  readonly remoteId: string;
  /** `pubkey` (the default), or a constrained form such as `rsa-2048`. */
  readonly remoteAuth?: string;
  /** IKE proposals in strongSwan's keywords (`aes256-sha256-modp2048`), preferred first. */
  readonly ikeProposals: readonly string[];
  readonly espProposals: readonly string[];
  readonly localTs: readonly string[];
  readonly remoteTs: readonly string[];
}

/**
 * A side given as a finished `swanctl.conf` and the files it references (paths relative to the swanctl directory,
 * e.g. `x509/device.pem`, `private/device.key`, `x509ca/azure-root.pem`), loaded unchanged: the form a generated
 * device hand-over takes. `connection`/`child` name what to initiate.
 */
export interface SwanctlPeer {
  readonly kind: 'swanctl';
  readonly role: string;
  readonly host: PeerHost;
  readonly swanctlConf: string;
  readonly files: readonly { readonly path: string; readonly content: string }[];
  readonly connection: string;
  readonly child: string;
}

export type PeerSide = StructuredPeer | SwanctlPeer;

/** Debian's modular defaults load plugins that join multicast groups or fail inside a namespace; list them. */
const PLUGINS = 'random nonce aes sha1 sha2 md5 pem pkcs1 pkcs8 gmp curve25519 x509 revocation constraints pubkey openssl hmac kdf gcm kernel-libipsec kernel-netlink socket-default vici updown';

/**
 * strongswan.conf for one daemon: its vici socket and log file in `dir`, short retransmits (an unanswered request
 * gives up after about 2 s instead of 165 s), and the log format core/ike's charon parser reads
 * (`Nov 23 17:55:34 08[IKE] <s2s|1> ...`).
 */
export function strongswanConf(dir: string): string {
  return `charon {
  load_modular = no
  load = ${PLUGINS}
  retransmit_timeout = 0.5
  retransmit_base = 1.4
  retransmit_tries = 2
  install_virtual_ip = no
  plugins {
    vici { socket = unix://${join(dir, 'charon.vici')} }
    revocation {
      enable_ocsp = no
      enable_crl = no
    }
  }
  filelog {
    charon {
      path = ${join(dir, 'charon.log')}
      time_format = %b %e %T
      ike_name = yes
      append = no
      flush_line = yes
      default = 1
    }
  }
}
`;
}

/** Writes `dir/strongswan.conf` and `dir/swanctl/` for one side; returns what to initiate. */
export function writePeerConfig(dir: string, peer: PeerSide): { connection: string; child: string } {
  const swanctlDir = join(dir, 'swanctl');
  for (const sub of ['x509', 'x509ca', 'private', 'conf.d']) mkdirSync(join(swanctlDir, sub), { recursive: true });
  writeFileSync(join(dir, 'strongswan.conf'), strongswanConf(dir));
  if (peer.kind === 'swanctl') {
    for (const file of peer.files) {
      const path = join(swanctlDir, file.path);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, file.content, { mode: file.path.startsWith('private/') ? 0o600 : 0o644 });
    }
    writeFileSync(join(swanctlDir, 'swanctl.conf'), peer.swanctlConf);
    return { connection: peer.connection, child: peer.child };
  }
  writeFileSync(join(swanctlDir, 'x509', `${peer.role}.pem`), peer.certificate.pem);
  writeFileSync(join(swanctlDir, 'private', `${peer.role}.key`), peer.certificate.privateKeyPem, { mode: 0o600 });
  peer.chain.forEach((pem, i) => writeFileSync(join(swanctlDir, 'x509ca', `chain-${i}.pem`), pem));
  const anchors = peer.trustAnchors.map((pem, i) => {
    const name = `trust-${i}.pem`;
    writeFileSync(join(swanctlDir, 'x509ca', name), pem);
    return name;
  });
  writeFileSync(join(swanctlDir, 'swanctl.conf'), renderSwanctlConf(peer, anchors));
  return { connection: CONNECTION_NAME, child: CHILD_NAME };
}

function quote(value: string): string {
  if (/["\\\n]/.test(value)) throw new Error(`Cannot put ${JSON.stringify(value)} into swanctl.conf.`);
  return `"${value}"`;
}

function list(values: readonly string[]): string {
  return values.join(',');
}

export function renderSwanctlConf(peer: StructuredPeer, anchorFiles: readonly string[]): string {
  return `connections {
  ${CONNECTION_NAME} {
    version = 2
    local_addrs = ${peer.host.address}
    remote_addrs = ${peer.remoteAddress}
    proposals = ${list(peer.ikeProposals)}
    dpd_delay = 45s
    local {
      auth = pubkey
      certs = ${peer.role}.pem
    }
    remote {
      auth = ${peer.remoteAuth ?? 'pubkey'}
      id = ${quote(peer.remoteId)}
      ${anchorFiles.length > 0 ? `cacerts = ${anchorFiles.join(',')}` : ''}
    }
    children {
      ${CHILD_NAME} {
        local_ts = ${list(peer.localTs)}
        remote_ts = ${list(peer.remoteTs)}
        esp_proposals = ${list(peer.espProposals)}
        start_action = none
      }
    }
  }
}
`;
}
