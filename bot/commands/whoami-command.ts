import { whoAmICard } from '../../cards/whoami-card';
import { normalizeId } from '../../core/auth/access-policy';
import type { CommandHandler } from '../command-handler';

export const whoamiCommand: CommandHandler<'whoami'> = {
  async run({ message, roles, deps }) {
    const { caller } = message;
    return whoAmICard({
      displayName: caller.displayName,
      ...(caller.aadObjectId ? { aadObjectId: caller.aadObjectId } : {}),
      ...(caller.tenantId ? { tenantId: caller.tenantId } : {}),
      tenantAllowed: caller.tenantId !== undefined && deps.access.allowedTenantIds.has(normalizeId(caller.tenantId)),
      roles,
      environmentName: deps.environmentName,
    });
  },
};
