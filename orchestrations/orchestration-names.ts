/**
 * Orchestration names: the bot starts them by name, `functions/` registers them under the same names. Function
 * names share one namespace with activities, hence the `Job` suffix.
 */
export const ORCHESTRATIONS = {
  siteStatus: 'siteStatusJob',
  fleetStatus: 'fleetStatusJob',
  diagnoseSite: 'diagnoseSiteJob',
  enableDiagnostics: 'enableDiagnosticsJob',
} as const;

export type OrchestrationName = (typeof ORCHESTRATIONS)[keyof typeof ORCHESTRATIONS];
