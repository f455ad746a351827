import type { SimIkeProposal } from '../ike/ike-proposals';
import { parseSimCertificate, type SimCertificate, type SimCertificateInput } from '../x509/sim-certificate';

/**
 * The customer's VPN device at one site, as the tunnels see it: where it is, what it routes, the certificate it
 * presents (with the intermediates it sends), the roots it trusts for Azure's certificate, and its IKE proposals.
 */
export interface SimDevice {
  /** Site name, e.g. `site-london`. */
  readonly site: string;
  publicIp: string;
  /** Its on-premises prefixes (what it sends through the tunnel). */
  prefixes: string[];
  /** The leaf certificate it authenticates with. */
  certificate: SimCertificate;
  /** Intermediate (and optionally root) certificates it sends along with its leaf. */
  chain: SimCertificate[];
  /** Roots (or CAs) it accepts Azure's outbound certificate from. */
  trustedRoots: SimCertificate[];
  /** IKE proposals it accepts. */
  proposals: SimIkeProposal[];
  /** Answers IKE at all (false: powered off, firewalled, wrong IP). */
  reachable: boolean;
  /** What it is configured to authenticate with. */
  authentication: 'certificate' | 'psk';
  /** For PSK devices. */
  sharedKey?: string;
  /** Traffic selectors it insists on (policy-based devices); undefined: any-to-any, as route-based devices do. */
  trafficSelectors?: { local: string[]; remote: string[] };
}

/** A device as callers describe it: certificates as DER (or anything carrying `der`). */
export type SimDeviceInput = Omit<SimDevice, 'certificate' | 'chain' | 'trustedRoots'> & {
  readonly certificate: SimCertificateInput;
  readonly chain: readonly SimCertificateInput[];
  readonly trustedRoots: readonly SimCertificateInput[];
};

export function toSimDevice(input: SimDeviceInput): SimDevice {
  return {
    ...input,
    prefixes: [...input.prefixes],
    proposals: input.proposals.map((p) => ({ ...p })),
    certificate: parseSimCertificate(input.certificate),
    chain: input.chain.map(parseSimCertificate),
    trustedRoots: input.trustedRoots.map(parseSimCertificate),
  };
}

/** Devices by public IP: a local network gateway's `gatewayIpAddress` decides which device a tunnel talks to. */
export class SimDevices {
  private readonly byIp = new Map<string, SimDevice>();
  private readonly bySite = new Map<string, SimDevice>();

  add(device: SimDevice): SimDevice {
    this.byIp.set(device.publicIp, device);
    this.bySite.set(device.site.toLowerCase(), device);
    return device;
  }

  atIp(ip: string | undefined): SimDevice | undefined {
    return ip ? this.byIp.get(ip) : undefined;
  }

  site(name: string): SimDevice | undefined {
    return this.bySite.get(name.toLowerCase());
  }

  /** Moves a device to a new public IP. */
  move(device: SimDevice, publicIp: string): void {
    this.byIp.delete(device.publicIp);
    device.publicIp = publicIp;
    this.byIp.set(publicIp, device);
  }

  list(): SimDevice[] {
    return [...this.bySite.values()];
  }
}
