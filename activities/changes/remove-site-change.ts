import { isAzureError } from '../../adapters/azure/azure-error';
import { parseAzureResourceId } from '../../adapters/azure/azure-resource-id';
import type { KeyVaultCertificateVersion } from '../../adapters/azure/key-vault';
import { parseKeyVaultCertificateId } from '../../adapters/azure/key-vault';
import type { RemoveSiteRequest } from '../../core/change/change-kind';
import type { ChangePlan, PlannedChange } from '../../core/change/change-plan';
import { UserError } from '../../core/errors/user-error';
import type { ActivityPorts } from '../activity-ports';
import type { ChangeKindHandler } from './change-kind-handler';
import { PROVISION_TAGS, provisioningRecord } from './provision-site-change';
import { GRANT_TAG, grantLeft, grantToRemove, removeVaultGrant } from './provision-vault-access';

/**
 * Remove (offered when a provisioning did not connect, or failed part-way): deletes exactly what that provisioning
 * created, found by its tag (`provisioned-by`): the connection, the local network gateway when the same provisioning
 * made it, the outbound certificate versions it issued (disabled: Key Vault keeps versions), and the Key Vault access
 * it granted the gateway's identity (its role assignments, found by the names derived from the provisioning id, or
 * the access-policy permissions it added, remembered on its local network gateway). Anything without the tag (a
 * gateway identity attached, access granted by hand, resources made by hand) stays. No rollback: what is deleted is gone.
 */

async function readOrUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (isAzureError(error) && error.kind === 'NotFound') return undefined;
    throw error;
  }
}

const lastSegment = (id: string) => id.split('/').filter(Boolean).pop() ?? id;

export const removeSiteChange: ChangeKindHandler<RemoveSiteRequest> = {
  async plan(request, ports) {
    const lngs = (await Promise.all(ports.scopes.map((scope) => ports.network.listLocalNetworkGateways(scope)))).flat();
    const lng = lngs.find((l) => l.name.toLowerCase() === `lng-${request.site}`.toLowerCase() && l.tags[PROVISION_TAGS.provisionedBy] !== undefined);
    const connections = (await Promise.all(ports.scopes.map((scope) => ports.network.listSiteToSiteConnections(scope)))).flat();
    const connection = connections.find((c) => c.name.toLowerCase() === `cn-${request.site}`.toLowerCase() && c.tags[PROVISION_TAGS.provisionedBy] !== undefined);
    const provisionId = connection?.tags[PROVISION_TAGS.provisionedBy] ?? lng?.tags[PROVISION_TAGS.provisionedBy];
    if (!provisionId || (!connection && !lng)) {
      throw new UserError('NotProvisionedByBot', `Nothing of ${request.site} was provisioned by the bot (no connection or local network gateway carries a provisioning tag), so Remove has nothing it may delete.`, 'Remove resources made by hand in the portal.');
    }
    const connectionId = connection?.id ?? `/subscriptions/${parseAzureResourceId(lng!.id, 'Microsoft.Network/localNetworkGateways').subscriptionId}/resourceGroups/${lng!.resourceGroup}/providers/Microsoft.Network/connections/cn-${request.site}`;
    const lngOurs = lng && lng.tags[PROVISION_TAGS.provisionedBy] === provisionId && (!connection || connection.tags[PROVISION_TAGS.createdLng] !== 'no');
    let versions: KeyVaultCertificateVersion[] = [];
    let vaultUrl = '';
    let certName = '';
    const url = connection?.certificate?.outboundCertificateUrl;
    if (url) {
      const ref = parseKeyVaultCertificateId(url);
      vaultUrl = ref.vaultUrl;
      certName = ref.name;
      versions = (await ports.keyVault.listCertificateVersions(ref.vaultUrl, ref.name)).filter((v) => v.tags[PROVISION_TAGS.provisionedBy] === provisionId && v.enabled);
    }
    // No connection yet (a provisioning that stopped before it, or part 1 of --outbound external waiting for the
    // signed certificate): its record names the certificate it issues or requests, and what it left there goes too.
    let cancelPending = false;
    if (!connection && lngOurs) {
      const stored = await provisioningRecord(ports, connectionId, provisionId);
      if (stored && stored.details.outbound !== 'existing' && stored.details.vaultUrl && stored.details.certName) {
        vaultUrl = stored.details.vaultUrl;
        certName = stored.details.certName;
        versions = (await ports.keyVault.listCertificateVersions(vaultUrl, certName).catch(() => [])).filter((v) => v.tags[PROVISION_TAGS.provisionedBy] === provisionId && v.enabled && v.thumbprint !== undefined);
        cancelPending = (await ports.keyVault.getPendingRequest(vaultUrl, certName)) !== undefined;
      }
    }
    // The Key Vault access the provisioning granted the gateway's identity (remembered on its local network gateway).
    const grant = await grantToRemove(ports, lng && lng.tags[PROVISION_TAGS.provisionedBy] === provisionId ? lng.tags[GRANT_TAG] : undefined, provisionId);
    const rows: PlannedChange[] = [
      ...(connection ? [{ resource: connection.name, field: 'connection', before: 'exists', after: 'deleted' }] : []),
      ...(lngOurs ? [{ resource: lng.name, field: 'local network gateway', before: `exists (${lng.gatewayIpAddress ?? lng.fqdn ?? ''}, ${lng.addressPrefixes.join(', ')})`, after: 'deleted' }] : []),
      ...versions.map((v) => ({ resource: certName, field: `version ${v.version}`, before: 'enabled', after: 'disabled (Key Vault keeps versions)' })),
      ...(cancelPending ? [{ resource: certName, field: 'pending request', before: 'a key and CSR waiting for a certificate', after: 'cancelled' }] : []),
      ...grant.rows,
    ];
    const kept = [lng && !lngOurs ? `${lng.name} (not created by this provisioning)` : '', connection ? '' : ''].filter(Boolean);
    return {
      kind: 'remove-site',
      title: `Remove ${request.site} (what its provisioning created)`,
      site: request.site,
      target: { connectionId, connectionName: `cn-${request.site}` },
      changes: rows,
      risk: `Deletes only what provisioning ${provisionId} created${kept.length > 0 ? `; kept: ${kept.join(', ')}` : ''}; the gateway and its identity stay. The device's tunnels, if any, go down.`,
      verify: 'None of it exists any more (the certificate versions are disabled).',
      details: { provisionId, connectionId, lngId: lngOurs ? lng.id : '', vaultUrl, certName, versions: versions.map((v) => v.version).join(','), hadConnection: connection ? 'yes' : 'no', ...(cancelPending ? { cancelPending: 'yes' } : {}), ...(grant.encoded ? { vaultGrant: grant.encoded } : {}) },
    };
  },

  async apply(plan, ports) {
    const d = plan.details;
    const done: string[] = [];
    const connection = await readOrUndefined(() => ports.network.getConnection(d.connectionId!));
    if (connection) {
      if (connection.tags?.[PROVISION_TAGS.provisionedBy] !== d.provisionId) throw new UserError('NotProvisionedByBot', `${connection.name} is no longer the one provisioning ${d.provisionId} made; nothing was deleted.`, 'Plan Remove again.');
      await ports.network.deleteConnection(connection.id);
      done.push(`deleted connection ${connection.name}`);
    }
    if (d.lngId) {
      const lng = await readOrUndefined(() => ports.network.getLocalNetworkGateway(d.lngId!));
      if (lng && lng.tags[PROVISION_TAGS.provisionedBy] === d.provisionId) {
        await ports.network.deleteLocalNetworkGateway(lng.id);
        done.push(`deleted local network gateway ${lng.name}`);
      }
    }
    for (const version of (d.versions ?? '').split(',').filter(Boolean)) {
      await ports.keyVault.setEnabled({ vaultUrl: d.vaultUrl!, name: d.certName!, version }, false);
      done.push(`disabled ${d.certName} version ${version}`);
    }
    if (d.cancelPending === 'yes' && (await ports.keyVault.getPendingRequest(d.vaultUrl!, d.certName!))) {
      await ports.keyVault.cancelPendingRequest(d.vaultUrl!, d.certName!);
      done.push(`cancelled the pending request for ${d.certName}`);
    }
    // Last: the gateway's access to the vault, once no connection of this provisioning reads through it.
    done.push(...(await removeVaultGrant(ports, d.vaultGrant, d.provisionId!)));
    return done.length > 0 ? done.join('; ') : 'nothing was left to remove';
  },

  async verify(plan, ports) {
    const left = await remaining(plan, ports);
    return left.length === 0 ? { ok: true, detail: `removed: ${plan.changes.map((c) => `${c.resource}${c.field.startsWith('version') ? ` ${c.field}` : ''}`).join(', ') || 'nothing was left'}` } : { ok: false, detail: `still there: ${left.join(', ')}` };
  },

  async verifyUnchanged(plan, ports) {
    const left = await remaining(plan, ports);
    const all = plan.changes.length;
    return left.length === all ? { ok: true, detail: `everything is still there (${left.join(', ')})` } : { ok: false, detail: `${all - left.length} of ${all} removed; still there: ${left.join(', ') || 'nothing'}` };
  },
};

async function remaining(plan: ChangePlan, ports: ActivityPorts): Promise<string[]> {
  const d = plan.details;
  const left: string[] = [];
  if (await readOrUndefined(() => ports.network.getConnection(d.connectionId!))) left.push(lastSegment(d.connectionId!));
  if (d.lngId && (await readOrUndefined(() => ports.network.getLocalNetworkGateway(d.lngId!)))) left.push(lastSegment(d.lngId));
  const versions = (d.versions ?? '').split(',').filter(Boolean);
  if (versions.length > 0) {
    const listed = await ports.keyVault.listCertificateVersions(d.vaultUrl!, d.certName!);
    for (const v of listed.filter((x) => versions.includes(x.version) && x.enabled)) left.push(`${d.certName} version ${v.version} (enabled)`);
  }
  if (d.cancelPending === 'yes' && (await ports.keyVault.getPendingRequest(d.vaultUrl!, d.certName!))) left.push(`a pending request for ${d.certName}`);
  left.push(...(await grantLeft(ports, d.vaultGrant, d.provisionId!)));
  return left;
}
