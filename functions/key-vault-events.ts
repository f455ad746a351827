import { app } from '@azure/functions';
import { postKeyVaultAlert, readKeyVaultCertificateEvent } from '../activities/expiry-alerts';
import { appServices } from './app-services';

/**
 * Key Vault's certificate events through Event Grid (an event subscription on each vault, filtered to
 * `Microsoft.KeyVault.CertificateNearExpiry` and `Microsoft.KeyVault.CertificateExpired`, delivering to this
 * function): an alert card in every subscribed conversation for the sites that use the certificate, right away.
 * A failure throws, so Event Grid delivers the event again.
 */
app.eventGrid('keyVaultCertificateEvents', {
  handler: async (event) => {
    const services = appServices();
    const certificateEvent = readKeyVaultCertificateEvent(event);
    if (!certificateEvent) {
      services.log.info('Event Grid event ignored', { eventType: String((event as { eventType?: unknown }).eventType ?? '').slice(0, 80) });
      return;
    }
    const ports = services.activityPorts(() => {
      throw new Error('a Key Vault alert starts no job');
    });
    const outcome = await postKeyVaultAlert(certificateEvent, ports);
    services.log.info('Key Vault alert', { eventType: certificateEvent.eventType, certificate: certificateEvent.certificateName, outcome: outcome.kind, ...(outcome.kind === 'posted' ? { sites: outcome.sites.length, conversations: outcome.conversations } : { why: outcome.why }) });
  },
});
