import type { ChangeRequest } from '../../core/change/change-kind';
import type { ChangeKindHandler } from './change-kind-handler';
import { enableDiagnosticsChange } from './enable-diagnostics-change';
import { provisionSiteChange } from './provision-site-change';
import { removeSiteChange } from './remove-site-change';
import { rotateCertificateChange } from './rotate-certificate-change';
import { setIpsecPolicyChange } from './set-ipsec-policy-change';

/**
 * Every change kind that can be requested, by kind; a missing handler is a compile error. A new change kind is its
 * request type (core/change/change-kind.ts), its handler here, and a command or button that asks for it.
 */
export const CHANGE_KIND_HANDLERS = {
  'enable-diagnostics': enableDiagnosticsChange,
  'rotate-certificate': rotateCertificateChange,
  'set-ipsec-policy': setIpsecPolicyChange,
  'provision-site': provisionSiteChange,
  'remove-site': removeSiteChange,
} as const satisfies { readonly [K in ChangeRequest['kind']]: ChangeKindHandler<Extract<ChangeRequest, { kind: K }>> };

export function handlerFor(kind: string): ChangeKindHandler {
  const handler = (CHANGE_KIND_HANDLERS as Record<string, ChangeKindHandler | undefined>)[kind];
  if (!handler || !Object.hasOwn(CHANGE_KIND_HANDLERS, kind)) throw new Error(`no handler for change kind ${kind}`);
  return handler;
}
