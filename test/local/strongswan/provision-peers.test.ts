import { expect, it } from 'vitest';
import { runProvisionBetweenPeers } from '../../../local/strongswan/provision';
import { describeRealPeers } from '../../support/real-peers';

describeRealPeers('provision between two real charons', () => {
  it("the device charon loads the plan's swanctl.conf unchanged and establishes IKE and CHILD SAs with Azure's side", async () => {
    const run = await runProvisionBetweenPeers();
    expect(run.swanctlConf).toMatch(/remote_addrs = 198\.51\.100\.10/);
    expect(run.established, `${run.initiateOutput}\n${run.deviceLog.slice(-3000)}`).toBe(true);
    expect(run.device.child).toBe(true);
    expect(run.azure.child).toBe(true);
  });
});
