import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { infra } from './bicep-cli';

/** infra/permissions.json: the roles, and what each Azure call of the app needs (see its "about"). */
export interface PermissionRole {
  readonly roleName: string;
  readonly principal: 'app' | 'gateways';
  readonly scope: 'vpnScopes' | 'logWorkspaces' | 'diagnosticsWorkspace' | 'certificateVaults' | 'caKey';
  readonly grantedWhen: 'always' | 'allowVpnChanges' | 'allowEnableDiagnostics' | 'manageCertificates' | 'allowVaultAccessGrants';
  readonly for: string;
}

export interface PermissionLine {
  readonly role: string;
  readonly actions?: readonly string[];
  readonly dataActions?: readonly string[];
}

export interface CallLine extends PermissionLine {
  /** `<service> <METHOD> <path template>`; `{name}` stands for one path segment. */
  readonly call: string;
}

export interface GatewayReadLine extends PermissionLine {
  readonly read: string;
  /** The Key Vault access policy permissions the same read needs (the simulator's vaults use access policies). */
  readonly accessPolicy: { readonly certificates?: readonly string[]; readonly secrets?: readonly string[] };
}

export interface Permissions {
  readonly roles: Readonly<Record<string, PermissionRole>>;
  readonly calls: readonly CallLine[];
  readonly gatewayReads: readonly GatewayReadLine[];
}

export const permissionsFile = join(infra, 'permissions.json');

export function loadPermissions(): Permissions {
  return JSON.parse(readFileSync(permissionsFile, 'utf8')) as Permissions;
}

/** Every action and data action a line grants, as `role: action`. */
export function grantsOf(line: PermissionLine): string[] {
  return [...(line.actions ?? []), ...(line.dataActions ?? [])];
}

interface CompiledCall {
  readonly line: CallLine;
  readonly service: string;
  readonly method: string;
  readonly regex: RegExp;
  readonly literals: number;
}

function compile(line: CallLine): CompiledCall {
  const [service, method, template] = line.call.split(' ');
  if (!service || !method || !template?.startsWith('/')) throw new Error(`infra/permissions.json: "${line.call}" is not "<service> <METHOD> /path"`);
  const segments = template.split('/').slice(1);
  const pattern = segments.map((s) => (/^\{\w+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
  return { line, service, method, regex: new RegExp(`^/${pattern}/?$`, 'i'), literals: segments.filter((s) => !s.startsWith('{')).length };
}

/**
 * The lines a call needs: of the templates that match it, the most specific (most literal segments), and every line
 * with that template (a call needing permissions at two scopes has a line per role).
 */
export function linesFor(calls: readonly CallLine[], call: { service: string; method: string; path: string }): CallLine[] {
  const matching = calls.map(compile).filter((c) => c.service === call.service && c.method === call.method.toUpperCase() && c.regex.test(call.path));
  const best = Math.max(...matching.map((c) => c.literals));
  return matching.filter((c) => c.literals === best).map((c) => c.line);
}

const SCOPE_TEXT: Record<PermissionRole['scope'], string> = {
  vpnScopes: 'each `VPN_SCOPES` entry (resource group, or subscription)',
  logWorkspaces: 'each gateway log workspace (`DIAGNOSTICS_WORKSPACE_ID`, `GATEWAY_LOG_WORKSPACE_IDS`)',
  diagnosticsWorkspace: 'the `DIAGNOSTICS_WORKSPACE_ID` workspace',
  certificateVaults: 'each `CERTIFICATE_VAULT_IDS` vault',
  caKey: 'the `CA_KEY_ID` key itself',
};
const SWITCH_TEXT: Record<PermissionRole['grantedWhen'], string> = {
  always: 'always',
  allowVpnChanges: '`ALLOW_VPN_CHANGES=true`',
  allowEnableDiagnostics: '`ALLOW_ENABLE_DIAGNOSTICS=true`',
  manageCertificates: '`CERTIFICATE_VAULT_ACCESS=manage`',
  allowVaultAccessGrants: '`ALLOW_VAULT_ACCESS_GRANTS=true`',
};

/** The role table of infra/README.md, from the same file main.bicep builds the roles from. */
export function roleTable(p: Permissions): string {
  const rows = Object.entries(p.roles).map(([key, role]) => {
    const grants = [...new Set([...p.calls, ...p.gatewayReads].filter((l) => l.role === key).flatMap(grantsOf))];
    const who = role.principal === 'app' ? 'app identity' : 'each `GATEWAY_IDENTITY_PRINCIPAL_IDS` identity';
    const what = grants.length > 0 ? grants.map((g) => `\`${g}\``).join('<br>') : 'nothing yet: not created until a line of `permissions.json` needs it';
    return `| ${role.roleName} | ${who} | ${SCOPE_TEXT[role.scope]} | ${SWITCH_TEXT[role.grantedWhen]} | ${role.for} | ${what} |`;
  });
  return ['| role | for whom | scope | when | for | grants |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}
