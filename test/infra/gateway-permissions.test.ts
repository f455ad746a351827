import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxNames } from '../../local/estate/sandbox-estate';
import type { AzureSimulator } from '../../local/simulator/azure-simulator';
import { rawRequest, startTestSimulator } from '../local/simulator/simulator-fixture';
import { loadPermissions } from './permissions';

/**
 * The gateway identity's role (infra/permissions.json, "gatewayReads") is exactly what a gateway needs to apply a
 * certificate connection: in the simulator (whose vaults use access policies, one permission per line), a connection
 * applies with those permissions and fails, as Azure fails it, without any one of them.
 */
const { gatewayReads } = loadPermissions();
const connectionPath = `/subscriptions/${sandboxNames.subscriptionId}/resourceGroups/${sandboxNames.resourceGroup}/providers/Microsoft.Network/connections/cn-site-london`;
const apiVersion = '2025-05-01';
let sim: AzureSimulator;

beforeAll(async () => {
  sim = await startTestSimulator();
});

afterAll(async () => {
  await sim?.close();
});

/** Re-applies site-london's connection as it is, with the gateway identity holding `lines`' permissions only. */
async function applyWith(lines: typeof gatewayReads): Promise<{ state: string; code?: string }> {
  const identity = sim.estateInfo.identities[0]!.principalId;
  sim.vaults.setAccessPolicy(sandboxNames.keyVault, {
    objectId: identity,
    certificates: lines.flatMap((l) => l.accessPolicy.certificates ?? []),
    secrets: lines.flatMap((l) => l.accessPolicy.secrets ?? []),
    keys: [],
  });
  const current = await rawRequest(sim, 'GET', `${connectionPath}?api-version=${apiVersion}`);
  const body = current.body as { location: string; properties: Record<string, unknown> };
  const put = await rawRequest(sim, 'PUT', `${connectionPath}?api-version=${apiVersion}`, { body: { location: body.location, properties: body.properties } });
  expect(put.status, put.text).toBeLessThan(300);
  // Until Azure's operation ends (a re-apply of a connection whose last one failed provisions it again: minutes).
  for (let waited = 0; ; waited += 30_000) {
    await sim.advance(30_000);
    const after = await rawRequest(sim, 'GET', `${connectionPath}?api-version=${apiVersion}`);
    const state = String((after.body as { properties: { provisioningState: string } }).properties.provisioningState);
    if (state !== 'Updating' || waited >= 15 * 60_000) return { state, code: /VpnGatewayKeyVault\w+/.exec(JSON.stringify(after.body))?.[0] };
  }
}

describe('the gateway identity role', () => {
  it('reads what a gateway needs: a certificate connection applies with exactly those permissions', async () => {
    expect(gatewayReads.length).toBeGreaterThan(0);
    expect(await applyWith(gatewayReads)).toMatchObject({ state: 'Succeeded' });
  });

  for (const line of gatewayReads) {
    it(`needs ${line.dataActions?.join(', ')}: without it the connection fails to apply`, async () => {
      const result = await applyWith(gatewayReads.filter((l) => l !== line));
      expect(result.state).toBe('Failed');
    });
  }
});
