import { createNetworkAdapter, type CertificateAuthenticationSettings, type IpsecPolicySettings } from '../../adapters/azure/network';
import type { AzureSimulator } from '../simulator/azure-simulator';

/** What a real-peer test changes on a connection; everything else stays as Azure has it. */
export interface ConnectionChange {
  readonly certificate?: Partial<CertificateAuthenticationSettings>;
  readonly ipsecPolicy?: IpsecPolicySettings;
  readonly usePolicyBasedTrafficSelectors?: boolean;
}

/**
 * Changes a certificate connection the way the product changes Azure: a PUT of the whole connection through the
 * product's network adapter, as the bot, guarded by the connection's etag. Rejects with the adapter's `AzureError`
 * (Azure's code in `details.azureCode`) when Azure refuses the change; Azure then keeps the previous configuration.
 */
export async function changeConnection(sim: AzureSimulator, connectionId: string, change: ConnectionChange): Promise<void> {
  const network = createNetworkAdapter(sim.settingsFor('bot', { longRunningPollIntervalMs: 10 }));
  const existing = await network.getConnection(connectionId);
  if (!existing.certificate || !existing.localNetworkGatewayId) throw new Error(`${existing.name} is not a certificate connection with a local network gateway.`);
  const ipsecPolicy = change.ipsecPolicy ?? existing.ipsecPolicy;
  await network.upsertCertificateConnection({
    id: existing.id,
    location: existing.location,
    gatewayId: existing.gatewayId,
    localNetworkGatewayId: existing.localNetworkGatewayId,
    certificate: { ...existing.certificate, ...change.certificate },
    usePolicyBasedTrafficSelectors: change.usePolicyBasedTrafficSelectors ?? existing.usePolicyBasedTrafficSelectors,
    ...(ipsecPolicy ? { ipsecPolicy } : {}),
    ...(existing.etag ? { ifMatchEtag: existing.etag } : {}),
  });
}
