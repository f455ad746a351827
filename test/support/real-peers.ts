import { describe, it } from 'vitest';
import { REAL_PEERS_REQUIRED, strongswanSupport } from '../../local/strongswan/strongswan-support';

/**
 * `describe` for tests that run two real charons. Where namespaces or strongSwan are missing they skip, saying so
 * loudly on stderr; under CI (`REQUIRE_REAL_PEERS=1`, set by .ci/run) such a machine fails instead, with the reason,
 * so CI never passes by skipping them.
 */
export function describeRealPeers(name: string, body: () => void): void {
  const support = strongswanSupport();
  if (support.ok) {
    describe(name, body);
    return;
  }
  if (REAL_PEERS_REQUIRED) {
    describe(name, () => {
      it('can run real IKE peers here (REQUIRE_REAL_PEERS=1)', () => {
        throw new Error(`REQUIRE_REAL_PEERS=1, but ${support.reason}.`);
      });
    });
    return;
  }
  process.stderr.write(`\n*** SKIPPED (real IKE peers): ${name}\n*** ${support.reason}.\n*** These tests prove the product against real strongSwan; CI runs them (REQUIRE_REAL_PEERS=1).\n\n`);
  describe.skip(name, body);
}
