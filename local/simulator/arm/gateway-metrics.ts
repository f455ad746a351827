/** One minute of one tunnel, the raw material every VPN gateway tunnel metric is aggregated from. */
export interface TunnelMinuteSample {
  readonly ingressBytes: number;
  readonly egressBytes: number;
  readonly ingressPackets: number;
  readonly egressPackets: number;
  readonly ingressDrops: number;
  readonly egressDrops: number;
  readonly ingressTsMismatchDrops: number;
  readonly egressTsMismatchDrops: number;
  /** Bytes per second, both directions, averaged over the minute. */
  readonly averageBandwidth: number;
  /** Packets per second at the busiest second of the minute. */
  readonly peakPackets: number;
  readonly flowCount: number;
  /** Main-mode (IKE) SAs and quick-mode (child) SAs up during the minute. */
  readonly mmsaCount: number;
  readonly qmsaCount: number;
}

/** A tunnel as a metric time series: its dimension values and a sampler. */
export interface TunnelMetricTrack {
  readonly connectionName: string;
  readonly remoteIp: string;
  /** `GatewayTenantWorker_IN_0` / `_IN_1`. */
  readonly instance: string;
  /** The minute starting at `minuteStart`, or undefined when the tunnel did not exist then. */
  sample(minuteStart: Date): TunnelMinuteSample | undefined;
}

export interface MetricsSource {
  tracks(gatewayId: string): TunnelMetricTrack[];
}

interface MetricDefinition {
  readonly displayName: string;
  readonly description: string;
  readonly unit: 'Bytes' | 'BytesPerSecond' | 'Count';
  readonly primaryAggregation: 'average' | 'total' | 'maximum';
  /** How tunnels combine within one minute when a series covers several: sum, or max for peaks. */
  readonly combine: 'sum' | 'max';
  read(sample: TunnelMinuteSample): number;
}

/** The VPN gateway tunnel metrics (names, units, dimensions ConnectionName/RemoteIP/Instance) from Azure's metric list. */
export const gatewayMetricDefinitions = {
  TunnelAverageBandwidth: { displayName: 'Tunnel Bandwidth', description: 'Average bandwidth of a tunnel in bytes per second', unit: 'BytesPerSecond', primaryAggregation: 'average', combine: 'sum', read: (s) => s.averageBandwidth },
  TunnelEgressBytes: { displayName: 'Tunnel Egress Bytes', description: 'Outgoing bytes of a tunnel', unit: 'Bytes', primaryAggregation: 'total', combine: 'sum', read: (s) => s.egressBytes },
  TunnelIngressBytes: { displayName: 'Tunnel Ingress Bytes', description: 'Incoming bytes of a tunnel', unit: 'Bytes', primaryAggregation: 'total', combine: 'sum', read: (s) => s.ingressBytes },
  TunnelEgressPackets: { displayName: 'Tunnel Egress Packets', description: 'Outgoing packet count of a tunnel', unit: 'Count', primaryAggregation: 'total', combine: 'sum', read: (s) => s.egressPackets },
  TunnelIngressPackets: { displayName: 'Tunnel Ingress Packets', description: 'Incoming packet count of a tunnel', unit: 'Count', primaryAggregation: 'total', combine: 'sum', read: (s) => s.ingressPackets },
  TunnelEgressPacketDropCount: { displayName: 'Tunnel Egress Packet Drop Count', description: 'Count of outgoing packets dropped by tunnel', unit: 'Count', primaryAggregation: 'total', combine: 'sum', read: (s) => s.egressDrops },
  TunnelIngressPacketDropCount: { displayName: 'Tunnel Ingress Packet Drop Count', description: 'Count of incoming packets dropped by tunnel', unit: 'Count', primaryAggregation: 'total', combine: 'sum', read: (s) => s.ingressDrops },
  TunnelEgressPacketDropTSMismatch: { displayName: 'Tunnel Egress TS Mismatch Packet Drop', description: 'Outgoing packet drop count from traffic selector mismatch of a tunnel', unit: 'Count', primaryAggregation: 'total', combine: 'sum', read: (s) => s.egressTsMismatchDrops },
  TunnelIngressPacketDropTSMismatch: { displayName: 'Tunnel Ingress TS Mismatch Packet Drop', description: 'Incoming packet drop count from traffic selector mismatch of a tunnel', unit: 'Count', primaryAggregation: 'total', combine: 'sum', read: (s) => s.ingressTsMismatchDrops },
  TunnelPeakPackets: { displayName: 'Tunnel Peak PPS', description: 'Tunnel peak packets per second', unit: 'Count', primaryAggregation: 'maximum', combine: 'max', read: (s) => s.peakPackets },
  TunnelTotalFlowCount: { displayName: 'Tunnel Total Flow Count', description: 'Total flow count of a tunnel', unit: 'Count', primaryAggregation: 'total', combine: 'sum', read: (s) => s.flowCount },
  MmsaCount: { displayName: 'Tunnel MMSA Count', description: 'Main mode security association count of a tunnel', unit: 'Count', primaryAggregation: 'total', combine: 'sum', read: (s) => s.mmsaCount },
  QmsaCount: { displayName: 'Tunnel QMSA Count', description: 'Quick mode security association count of a tunnel', unit: 'Count', primaryAggregation: 'total', combine: 'sum', read: (s) => s.qmsaCount },
} as const satisfies Record<string, MetricDefinition>;

export type GatewayMetricName = keyof typeof gatewayMetricDefinitions;
