import type { IpsecPolicySettings } from '../../adapters/azure/network';
import type { IkeProposal } from '../../core/ike/ike-proposal';
import { AZURE_DEFAULT_IKE_PROPOSALS } from '../../core/ike/ike-proposal';
import type { CertificateInfo } from '../../core/pki/certificate-info';
import type { Estate, EstateSite } from '../estate/estate';
import { buildSandboxEstate, sandboxNames } from '../estate/sandbox-estate';
import { createRootCa, issueCertificate, toPemBundle, type IssuedCertificate } from '../pki/cert-factory';

/**
 * One certificate set of the real-peer corpus: a site of its own (`case-<name>`) whose device and connection differ
 * from a healthy one in one way. A `change` is applied to the connection the way the product changes Azure (a PUT
 * through the network adapter), so Azure's own refusals show; the rest is in the estate from the start.
 */
export interface PeerCase {
  readonly name: string;
  readonly site: string;
  /** One line: what is broken. */
  readonly what: string;
  readonly change?: {
    /** Point the connection at this Key Vault certificate (its latest version). */
    readonly outboundCertificate?: string;
    readonly inboundChain?: readonly CertificateInfo[];
    readonly ipsecPolicy?: IpsecPolicySettings;
    readonly usePolicyBasedTrafficSelectors?: boolean;
  };
  /** Selectors the device insists on (a policy-based device), instead of its prefixes to the VNet's. */
  readonly deviceTrafficSelectors?: { readonly local: readonly string[]; readonly remote: readonly string[] };
  /** The device's constraint on Azure's key (strongSwan's `remote.auth`, e.g. `rsa-2048`). */
  readonly deviceRemoteAuth?: string;
}

/** The peers' Azure-side root, also held as a CA in the sandbox's CA vault (kv-vpn-ca). */
export const PEERS_CA_CERTIFICATE = 'peers-root-ca';

export interface PeerEstate {
  /** The sandbox estate plus one site per case, on the same gateway, vault and workspace. */
  readonly estate: Estate;
  readonly cases: readonly PeerCase[];
  /** The root that issues the cases' outbound certificates (their devices trust it): what a rotation issues from. */
  readonly azureRoot: IssuedCertificate;
}

const dayMs = 86_400_000;
const hourMs = 3_600_000;

/** A custom IPsec/IKE policy with strong algorithms (what diagnose recommends pinning). */
export const STRONG_POLICY: IpsecPolicySettings = {
  saLifeTimeSeconds: 27_000,
  saDataSizeKilobytes: 102_400_000,
  ipsecEncryption: 'GCMAES256',
  ipsecIntegrity: 'GCMAES256',
  ikeEncryption: 'GCMAES256',
  ikeIntegrity: 'SHA384',
  dhGroup: 'ECP384',
  pfsGroup: 'None',
};

/**
 * The sandbox estate with the real-peer corpus added: healthy and broken certificate sets, each a site of its own
 * with a device at 203.0.113.1xx routing 10.1xx.0.0/16. Certificates are made afresh, dates relative to `now`.
 */
export async function buildPeerEstate(now: Date): Promise<PeerEstate> {
  const base = await buildSandboxEstate({ now });
  const at = (ms: number) => new Date(now.getTime() + ms);
  const n = sandboxNames;
  const azureRoot = await createRootCa({ subject: 'CN=Contoso Azure Peer Test Root CA, O=Contoso', notBefore: at(-400 * dayMs), notAfter: at(3000 * dayMs) });
  const outbound = (subject: string, extra: { keyBits?: number; extendedKeyUsages?: string[] } = {}) => issueCertificate(azureRoot, { subject, notBefore: at(-30 * dayMs), notAfter: at(300 * dayMs), ...extra });
  const [good, noEku, weak] = await Promise.all([
    outbound('CN=azure-peers.vpn.contoso.example, O=Contoso'),
    outbound('CN=azure-peers-noeku.vpn.contoso.example, O=Contoso', { extendedKeyUsages: [] }),
    outbound('CN=azure-peers-weak.vpn.contoso.example, O=Contoso', { keyBits: 1024 }),
  ]);

  const pki = async (name: string, intermediates = 1) => {
    const root = await createRootCa({ subject: `CN=${name} Root CA, O=Contoso Peers`, notBefore: at(-500 * dayMs), notAfter: at(3000 * dayMs) });
    const cas = [root];
    for (let i = 1; i <= intermediates; i++) {
      cas.push(await issueCertificate(cas[i - 1] as IssuedCertificate, { subject: `CN=${name} CA ${i}, O=Contoso Peers`, isCa: true, notBefore: at(-400 * dayMs), notAfter: at(2000 * dayMs) }));
    }
    return cas;
  };
  const [devicePki, roguePki, sixPki, otherAzureRoot] = await Promise.all([pki('Peers Device'), pki('Fabrikam Device'), pki('Peers Long', 5), createRootCa({ subject: 'CN=Some Other Azure Root CA, O=Fabrikam' })]);
  const leaf = (issuer: IssuedCertificate, cn: string, from = -30 * dayMs, to = 335 * dayMs) => issueCertificate(issuer, { subject: `CN=${cn}`, notBefore: at(from), notAfter: at(to), subjectAltNames: { dns: [cn] } });
  const issuing = devicePki[1] as IssuedCertificate;

  const cases: PeerCase[] = [];
  const sites: EstateSite[] = [];
  const add = async (
    spec: Omit<PeerCase, 'site'> & {
      device?: (cn: string) => Promise<IssuedCertificate>;
      sends?: readonly IssuedCertificate[];
      trusts?: readonly IssuedCertificate[];
      inboundChain?: readonly IssuedCertificate[];
      inboundSubject?: string;
      proposals?: readonly IkeProposal[];
    },
  ) => {
    const i = cases.length;
    const site = `case-${spec.name}`;
    const cn = `${spec.name}.peers.contoso.example`;
    const deviceCert = await (spec.device ?? ((c: string) => leaf(issuing, c)))(cn);
    const prefixes = [`10.${100 + i}.0.0/16`];
    sites.push({
      name: site,
      resourceGroup: n.resourceGroup,
      device: {
        publicIp: `203.0.113.${100 + i}`,
        prefixes,
        certificate: deviceCert.info,
        privateKeyPem: deviceCert.privateKeyPem,
        chain: (spec.sends ?? [issuing, devicePki[0] as IssuedCertificate]).map((c) => c.info),
        trustedRoots: (spec.trusts ?? [azureRoot]).map((c) => c.info),
        proposals: (spec.proposals ?? AZURE_DEFAULT_IKE_PROPOSALS).map((p) => ({ ...p })),
      },
      localNetworkGateway: { name: `lng-${site}`, addressPrefixes: prefixes },
      connection: {
        name: `cn-${site}`,
        gateway: n.gateway,
        outbound: { vault: n.keyVault, certificate: 'outbound-peers' },
        inboundSubjectName: spec.inboundSubject ?? `CN=${cn}`,
        inboundChain: (spec.inboundChain ?? devicePki).map((c) => c.info),
        createdAt: at(-hourMs),
      },
    });
    const { device: _d, sends: _s, trusts: _t, inboundChain: _c, inboundSubject: _i, proposals: _p, ...rest } = spec;
    cases.push({ ...rest, site });
  };

  await add({ name: 'good', what: 'nothing: a healthy set (root + issuing CA inbound, the device sends its issuing CA)' });
  await add({ name: 'custom-policy', what: "the device proposes only GCMAES256/SHA384/ECP384; the connection's custom policy pins exactly that", proposals: [{ encryption: 'GCMAES256', integrity: 'SHA384', dhGroup: 'ECP384' }], change: { ipsecPolicy: STRONG_POLICY } });
  await add({ name: 'wrong-root', what: "the device's certificate comes from another PKI than the inbound chain", device: (cn) => leaf(roguePki[1] as IssuedCertificate, cn), sends: roguePki });
  await add({ name: 'missing-intermediate', what: 'the inbound chain has only the root, and the device does not send its issuing CA', inboundChain: [devicePki[0] as IssuedCertificate], sends: [] });
  await add({ name: 'subject-mismatch', what: "the inbound subject names another device than the certificate's", inboundSubject: 'CN=other.peers.contoso.example' });
  await add({ name: 'expired', what: "the device's certificate ended 35 days ago", device: (cn) => leaf(issuing, cn, -400 * dayMs, -35 * dayMs) });
  await add({ name: 'not-yet-valid', what: "the device's certificate starts in 30 days", device: (cn) => leaf(issuing, cn, 30 * dayMs, 400 * dayMs) });
  await add({ name: 'eku-missing', what: 'the outbound certificate has no Extended Key Usage', change: { outboundCertificate: 'outbound-peers-noeku' } });
  await add({ name: 'weak-key', what: "the outbound certificate's RSA key has 1024 bits", change: { outboundCertificate: 'outbound-peers-weak' } });
  await add({ name: 'weak-key-rsa-2048', what: 'as weak-key, and the device requires RSA 2048 of its peer (remote.auth = rsa-2048)', change: { outboundCertificate: 'outbound-peers-weak' }, deviceRemoteAuth: 'rsa-2048' });
  await add({ name: 'chain-of-six', what: 'the device PKI has six CAs (root, four intermediates, issuing CA), all in the inbound chain', device: (cn) => leaf(sixPki[5] as IssuedCertificate, cn), sends: [...sixPki].reverse(), inboundChain: [sixPki[0] as IssuedCertificate], change: { inboundChain: sixPki.map((c) => c.info) } });
  await add({ name: 'proposal-mismatch', what: "the device proposes only AES128/SHA256/ECP256 and GCMAES256/SHA384/ECP384, none of Azure's defaults", proposals: [{ encryption: 'AES128', integrity: 'SHA256', dhGroup: 'ECP256' }, { encryption: 'GCMAES256', integrity: 'SHA384', dhGroup: 'ECP384' }] });
  await add({ name: 'ts-mismatch', what: "policy-based traffic selectors, and the device's remote selector is 10.99.0.0/16 instead of the VNet's 10.0.0.0/16", change: { usePolicyBasedTrafficSelectors: true } });
  await add({ name: 'device-distrusts-azure', what: "the device trusts another root than the one that issued Azure's outbound certificate", trusts: [otherAzureRoot] });

  // The policy-based device's selectors: its own prefix, and a remote prefix Azure's VNet does not have.
  const tsCase = cases.findIndex((c) => c.name === 'ts-mismatch');
  cases[tsCase] = { ...(cases[tsCase] as PeerCase), deviceTrafficSelectors: { local: [`10.${100 + tsCase}.0.0/16`], remote: ['10.99.0.0/16'] } };

  const vault = base.vaults.find((v) => v.name === n.keyVault);
  if (!vault) throw new Error('The sandbox estate has no Key Vault.');
  const caVault = base.vaults.find((v) => v.name === n.caVault);
  return {
    azureRoot,
    cases,
    estate: {
      ...base,
      vaults: base.vaults.map((v) =>
        v === vault
          ? {
              ...v,
              certificates: [
                ...v.certificates,
                { name: 'outbound-peers', pem: toPemBundle(good, [azureRoot]) },
                { name: 'outbound-peers-noeku', pem: toPemBundle(noEku, [azureRoot]) },
                { name: 'outbound-peers-weak', pem: toPemBundle(weak, [azureRoot]) },
              ],
            }
          : v === caVault
            ? // The peers' root as a CA in Key Vault too (key not exportable): rotate outbound --source ca issues from it.
              { ...v, certificates: [...v.certificates, { name: PEERS_CA_CERTIFICATE, pem: toPemBundle(azureRoot), exportable: false }] }
            : v,
      ),
      sites: [...base.sites, ...sites],
    },
  };
}
