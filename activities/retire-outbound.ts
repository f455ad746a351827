import { parseKeyVaultCertificateId } from '../adapters/azure/key-vault';
import { isUserError } from '../core/errors/user-error';
import type { ActivityPorts } from './activity-ports';
import { ROTATION_TAGS } from './changes/rotate-outbound-change';
import { listScopeConnections } from './site-directory';

export interface RetirementSweep {
  /** `<certificate> version <v>` disabled now. */
  readonly disabled: readonly string[];
  /** Due, but still used by a connection: left enabled (named so someone looks). */
  readonly stillUsed: readonly string[];
  /** Certificates whose versions could not be read or changed, with the safe reason. */
  readonly problems: readonly string[];
}

/**
 * The end of a rotation's grace period: every outbound certificate version a rotation marked for retirement
 * (`retire-after` in the past) is disabled, unless a connection in scope still uses it. Run by a timer (hourly), so a
 * rotation's change job ends when the rotation is verified instead of staying open for the grace period (which would
 * block the next change to that connection). Each version disabled is audited; a version still in use is left enabled
 * and audited as refused, so nothing a tunnel needs is ever disabled.
 */
export async function retireOutboundVersions(ports: ActivityPorts): Promise<RetirementSweep> {
  const now = ports.now();
  const { connections, gaps } = await listScopeConnections(ports);
  const used = new Set<string>();
  const certificates = new Map<string, { vaultUrl: string; name: string; site: string }>();
  for (const c of connections) {
    const url = c.certificate?.outboundCertificateUrl;
    if (!url) continue;
    try {
      const ref = parseKeyVaultCertificateId(url);
      used.add(`${ref.vaultUrl.toLowerCase()}|${ref.name.toLowerCase()}|${(ref.version ?? '').toLowerCase()}`);
      certificates.set(`${ref.vaultUrl.toLowerCase()}|${ref.name.toLowerCase()}`, { vaultUrl: ref.vaultUrl, name: ref.name, site: c.site });
    } catch {
      // A connection whose reference is not a Key Vault identifier has nothing to retire.
    }
  }
  const disabled: string[] = [];
  const stillUsed: string[] = [];
  const problems = [...gaps];
  const system = { name: 'retirement sweep' };
  for (const cert of certificates.values()) {
    try {
      const versions = await ports.keyVault.listCertificateVersions(cert.vaultUrl, cert.name);
      // A versionless reference uses whatever is newest: never retire while one exists.
      const versionless = used.has(`${cert.vaultUrl.toLowerCase()}|${cert.name.toLowerCase()}|`);
      for (const v of versions) {
        const due = v.tags[ROTATION_TAGS.retireAfter];
        if (!v.enabled || !due || Number.isNaN(Date.parse(due)) || Date.parse(due) > now.getTime()) continue;
        const label = `${cert.name} version ${v.version}`;
        if (versionless || used.has(`${cert.vaultUrl.toLowerCase()}|${cert.name.toLowerCase()}|${v.version.toLowerCase()}`)) {
          stillUsed.push(label);
          await ports.audit.record({ action: 'retire-outbound-version', actor: system, target: cert.site, outcome: 'refused', detail: `${label} was due for retirement at ${due} but a connection still uses it; left enabled` });
          continue;
        }
        await ports.keyVault.setEnabled({ vaultUrl: cert.vaultUrl, name: cert.name, version: v.version }, false);
        const { [ROTATION_TAGS.retireAfter]: _after, [ROTATION_TAGS.retireFor]: rotation, ...rest } = v.tags;
        await ports.keyVault.setTags({ vaultUrl: cert.vaultUrl, name: cert.name, version: v.version }, { ...rest, 'retired-at': now.toISOString() });
        disabled.push(label);
        await ports.audit.record({ action: 'retire-outbound-version', actor: system, target: cert.site, outcome: 'succeeded', detail: `disabled ${label}: its grace period after rotation ${rotation ?? '(unknown)'} ended at ${due}` });
      }
    } catch (error) {
      if (!isUserError(error)) throw error;
      problems.push(`${cert.name}: ${error.safeMessage}`);
    }
  }
  if (problems.length > 0) ports.log.warn('retirement sweep could not finish everything', { problems: problems.slice(0, 10) });
  return { disabled, stillUsed, problems };
}
