import { describe } from 'vitest';
import { REAL_PEERS_REQUIRED, strongswanSupport } from '../../local/strongswan/strongswan-support';

/**
 * `describe` for tests that run two real charons. Where namespaces or strongSwan are missing they skip, saying so
 * loudly on stderr; under CI (`REQUIRE_REAL_PEERS=1`, set by .ci/run) they run anyway, so a machine that cannot run
 * them fails instead of passing quietly.
 */
export function describeRealPeers(name: string, body: () => void): void {
  const support = strongswanSupport();
  if (!support.ok && !REAL_PEERS_REQUIRED) {
    process.stderr.write(`\n*** SKIPPED (real IKE peers): ${name}\n*** ${support.reason}.\n*** These tests prove the product against real strongSwan; CI runs them (REQUIRE_REAL_PEERS=1).\n\n`);
    describe.skip(name, body);
    return;
  }
  describe(name, body);
}
