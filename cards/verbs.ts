/**
 * Action.Execute verbs. Data carries ids and names only; the server re-checks identity and role from the verified
 * invoke activity (never from the data), and `bot/handle-card-action.ts` must handle every verb (compile-time check).
 */
export const VERBS = {
  /** Run a command line as if the clicker had typed it (e.g. `status site-paris` from a fleet row). */
  runCommand: 'runCommand',
  /** Cancel a running job from the jobs card. */
  cancelJob: 'cancelJob',
  /** Create the gateway diagnostic setting that sends IKE and tunnel logs to Log Analytics. */
  enableDiagnostics: 'enableDiagnostics',
  /** Page through the fleet status card. */
  fleetPage: 'fleetPage',
  /** Approve a change on its approval card (approvers only, never the requester). */
  approveChange: 'approveChange',
  /** Reject a change, with an optional reason typed into the card. */
  rejectChange: 'rejectChange',
  /** The requester withdraws their change while it waits for approval. */
  withdrawChange: 'withdrawChange',
  /** Universal Actions refresh: the caller's own view of an approval card. */
  approvalView: 'approvalView',
  /** Page through the audit card. */
  auditPage: 'auditPage',
  /** Rotate a site's outbound certificate (a change request, as typed `rotate <site> outbound`). */
  rotateOutbound: 'rotateOutbound',
  /** Diagnose card (subject mismatch): set the connection's inbound subject to the one the device presents. */
  setInboundSubject: 'setInboundSubject',
  /** Diagnose card (device moved to a new PKI): the form's pasted CA certificates become the new inbound chain. */
  updateInboundChain: 'updateInboundChain',
  /** Diagnose card (proposal mismatch): pin the device's strongest strong proposal as the custom IPsec/IKE policy. */
  applyIpsecPolicy: 'applyIpsecPolicy',
  /** The provision form's Check and plan: its inputs come along with the press. */
  provisionSite: 'provisionSite',
  /** A provisioning that did not connect: Keep leaves it for the device owner (audited). */
  keepProvisioned: 'keepProvisioned',
  /** A provisioning that did not connect (or failed part-way): Remove asks for the removal (a change, with approval). */
  removeSite: 'removeSite',
  /** status of a site not in Azure yet: open the provision form with the site filled in. */
  provisionForm: 'provisionForm',
  /** Page through an expiry report (`expiry`, or a scheduled report in a channel). */
  expiryPage: 'expiryPage',
  /** A plan's hand-over as files: a file consent card per file, in the presser's personal chat with the bot. */
  handoverFiles: 'handoverFiles',
} as const;

export type Verb = (typeof VERBS)[keyof typeof VERBS];

export interface VerbData {
  /** `replace`: the answer replaces the pressed card (Refresh buttons). */
  runCommand: { readonly command: string; readonly replace?: boolean };
  cancelJob: { readonly jobId: string };
  enableDiagnostics: { readonly site: string };
  fleetPage: { readonly jobId: string; readonly page: number };
  approveChange: { readonly jobId: string; readonly requestId: string; readonly fingerprint: string };
  rejectChange: { readonly jobId: string; readonly requestId: string; readonly fingerprint: string };
  withdrawChange: { readonly jobId: string; readonly requestId: string };
  approvalView: { readonly jobId: string; readonly requestId: string };
  auditPage: { readonly site?: string; readonly days: number; readonly page: number };
  setInboundSubject: { readonly site: string; readonly subject: string };
  /** The form's Input.Text `chain` (the pasted certificates) comes along with the press. */
  updateInboundChain: { readonly site: string };
  applyIpsecPolicy: { readonly site: string; readonly encryption: string; readonly integrity: string; readonly dhGroup: string };
  /** `source: 'vault'`: move to the newest enabled version Key Vault already has (drift). */
  rotateOutbound: { readonly site: string; readonly source?: 'vault' };
  /** The form's inputs (site, ip, fqdn, prefixes, subject, chain, gateway, policy, outbound) come along with the press. */
  provisionSite: Record<string, never>;
  keepProvisioned: { readonly jobId: string; readonly requestId: string; readonly site: string };
  removeSite: { readonly site: string };
  provisionForm: { readonly site?: string; readonly ip?: string; readonly prefixes?: string; readonly subject?: string };
  /** `days`: a scheduled report's threshold (its run read the fleet for the largest one). */
  expiryPage: { readonly jobId: string; readonly page: number; readonly days?: number; readonly group?: number };
  handoverFiles: { readonly jobId: string };
}

export function executeAction<V extends Verb>(title: string, verb: V, data: VerbData[V], options: { style?: 'positive' | 'destructive' } = {}): Record<string, unknown> & { type: 'Action.Execute' } {
  return { type: 'Action.Execute', title, verb, data, ...(options.style ? { style: options.style } : {}) };
}
