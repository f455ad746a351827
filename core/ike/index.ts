// IKE log parsing and tunnel diagnosis, framework-free. See each module for details.
export { IKE_EVENT_KINDS, type IkeDirection, type IkeEvent, type IkeEventKind, type IkeLogSource, type OutboundCertificateProblem, type TrafficSelectorRange, type TunnelEvent } from './ike-event';
export {
  AZURE_DEFAULT_IKE_PROPOSALS,
  commonProposals,
  formatAzureLogPolicy,
  formatIkeProposal,
  normalizeDhGroup,
  normalizeEncryption,
  normalizeIkeProposal,
  normalizeIntegrity,
  parseAzureLogPolicies,
  parseCharonProposals,
  sameProposal,
  type IkeProposal,
} from './ike-proposal';
export { toStrongswanProposal } from './strongswan-proposal';
export { parseAzureIkeMessage, type AzureIkeRow } from './parse-azure-ike-message';
export { parseTunnelDiagnosticRow, type TunnelDiagnosticRow } from './parse-tunnel-diagnostic-row';
export { parseCharonLog, DEFAULT_MAX_CHARON_EVENTS, type CharonParseOptions } from './parse-charon-log';
export { diagnose } from './diagnose';
export { sameIdentity } from './same-identity';
export { deviceLogProvenance, type DeviceLogProvenance } from './device-log-provenance';
export {
  DIAGNOSIS_CAUSES,
  MAX_ACTIONS,
  MAX_EVIDENCE,
  MAX_LATEST_EVENTS,
  MAX_NOTES,
  type ConnectionFacts,
  type Diagnosis,
  type DiagnosisCause,
  type DiagnosisConfidence,
  type DiagnosisEvidence,
  type DiagnosisNote,
  type DiagnoseInput,
  type TunnelMetricsSummary,
} from './diagnosis';
export { WINDOWS_IKE_ERRORS, hexCode, windowsIkeError, type WindowsIkeError } from './windows-ike-errors';
export { MAX_EVENT_TEXT, sanitizeLogText } from './sanitize-log-text';
export { cidrToRange, formatSelector, parseAzureTrafficSelectors, parseCharonTrafficSelectors, rangeToCidr, rangeWithin } from './traffic-selectors';
