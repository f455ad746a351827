import type { IkeAttemptContext, IkeAttemptDetails, IkeAttemptLog, TunnelOutcome } from '../ike/ike-log-writer';

export type { IkeAttemptContext, IkeAttemptDetails, IkeAttemptLog, TunnelOutcome } from '../ike/ike-log-writer';

export type GatewayInstanceName = IkeAttemptContext['instance'];

/** Writes the IKE and tunnel diagnostic messages of one negotiation (`writeIkeAttempt` of the IKE log writer). */
export type IkeAttemptWriter = (outcome: TunnelOutcome, ctx: IkeAttemptContext, details?: IkeAttemptDetails) => IkeAttemptLog;

export const gatewayInstances: readonly GatewayInstanceName[] = ['GatewayTenantWorker_IN_0', 'GatewayTenantWorker_IN_1'];
