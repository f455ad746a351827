import type { AckLatencyBenchOptions, AckLatencyBenchResult } from './ack-latency-bench';
import { runAckLatencyBench } from './ack-latency-bench';
import type { ApprovalBenchOptions, ApprovalBenchResult } from './approval-bench';
import { runApprovalBench } from './approval-bench';
import type { ExpiryBenchOptions, ExpiryBenchResult } from './expiry-bench';
import { runExpiryBench } from './expiry-bench';
import type { FleetStatusBenchOptions, FleetStatusBenchResult } from './fleet-status-bench';
import { runFleetStatusBench } from './fleet-status-bench';
import type { LoadBenchOptions, LoadBenchResult } from './load-bench';
import { runLoadBench } from './load-bench';
import type { RotateOutboundBenchOptions, RotateOutboundBenchResult } from './rotate-outbound-bench';
import { runRotateOutboundBench } from './rotate-outbound-bench';

/** A benchmark that needs the whole product running: it gets a process of its own (see run-scenario-in-child.ts). */
export type BenchScenario =
  | { readonly kind: 'fleet-status'; readonly options: FleetStatusBenchOptions }
  | { readonly kind: 'ack-latency'; readonly options: AckLatencyBenchOptions }
  | { readonly kind: 'approval'; readonly options: ApprovalBenchOptions }
  | { readonly kind: 'load'; readonly options: LoadBenchOptions }
  | { readonly kind: 'rotate-outbound'; readonly options: RotateOutboundBenchOptions }
  | { readonly kind: 'expiry'; readonly options: ExpiryBenchOptions };

export async function runBenchScenario(scenario: BenchScenario): Promise<FleetStatusBenchResult | AckLatencyBenchResult | ApprovalBenchResult | LoadBenchResult | RotateOutboundBenchResult | ExpiryBenchResult> {
  switch (scenario.kind) {
    case 'fleet-status':
      return runFleetStatusBench(scenario.options);
    case 'ack-latency':
      return runAckLatencyBench(scenario.options);
    case 'approval':
      return runApprovalBench(scenario.options);
    case 'load':
      return runLoadBench(scenario.options);
    case 'rotate-outbound':
      return runRotateOutboundBench(scenario.options);
    case 'expiry':
      return runExpiryBench(scenario.options);
  }
}
