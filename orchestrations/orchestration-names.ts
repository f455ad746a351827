/** Orchestration names: the bot starts them by name, `functions/` registers them under the same names. */
export const ORCHESTRATIONS = {
  siteStatus: 'siteStatus',
  fleetStatus: 'fleetStatus',
  diagnoseSite: 'diagnoseSite',
} as const;

export type OrchestrationName = (typeof ORCHESTRATIONS)[keyof typeof ORCHESTRATIONS];
