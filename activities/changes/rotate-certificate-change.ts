import type { ChangeRequest } from '../../core/change/change-kind';
import type { ChangePlan } from '../../core/change/change-plan';
import type { ChangeKindHandler } from './change-kind-handler';
import { rotateOutboundChange } from './rotate-outbound-change';
import { rotateInboundChange } from './rotate-inbound-change';

type RotateRequest = Extract<ChangeRequest, { kind: 'rotate-certificate' }>;
type Side = RotateRequest['side'];

/**
 * `rotate <site> outbound|inbound`: one change kind, one handler per side. The plan records its side in
 * `details.side`, so apply, verify and rollback go to the handler that planned it.
 */
const SIDES: { readonly [S in Side]: ChangeKindHandler<Extract<RotateRequest, { side: S }>> } = {
  outbound: rotateOutboundChange,
  inbound: rotateInboundChange,
};

function sideOf(plan: ChangePlan): ChangeKindHandler<RotateRequest> {
  const side = plan.details.side as Side | undefined;
  const handler = side !== undefined && Object.hasOwn(SIDES, side) ? SIDES[side] : undefined;
  if (!handler) throw new Error(`rotate-certificate plan without a known side (${String(side)})`);
  return handler as ChangeKindHandler<RotateRequest>;
}

export const rotateCertificateChange: ChangeKindHandler<RotateRequest> = {
  plan: (request, ports) => (SIDES[request.side] as ChangeKindHandler<RotateRequest>).plan(request, ports),
  apply: (plan, ports) => sideOf(plan).apply(plan, ports),
  verify: (plan, ports, since) => sideOf(plan).verify(plan, ports, since),
  verifyUnchanged: (plan, ports, since) => sideOf(plan).verifyUnchanged(plan, ports, since),
  rollback: async (plan, ports) => {
    const handler = sideOf(plan);
    if (!handler.rollback) throw new Error(`rotate-certificate ${String(plan.details.side)} defines no rollback`);
    return handler.rollback(plan, ports);
  },
};
