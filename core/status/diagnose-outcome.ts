import type { Diagnosis } from '../ike/diagnosis';
import type { SiteNote } from './site-notes';
import type { ConnectionState } from './site-status';

/** What `diagnose <site>` concluded; compact and JSON-safe (it is an activity result in durable history). */
export type DiagnoseOutcome =
  | {
      readonly kind: 'diagnosed';
      readonly site: string;
      readonly connectionName: string;
      readonly status: ConnectionState;
      readonly hours: number;
      readonly from: string;
      readonly to: string;
      readonly diagnosis: Diagnosis;
      /** Rows read, for the card's footer (the rows themselves stay in Log Analytics). */
      readonly counts: { readonly ike: number; readonly tunnel: number; readonly device?: number };
      /**
       * Set when a log query hit its row cap: only the newest `limit` rows of those logs were read, so the window is
       * covered from `oldestRead` (ISO; the later one when both logs were capped) to `to`, not from `from`.
       */
      readonly truncated?: { readonly limit: number; readonly logs: readonly ('ike' | 'tunnel')[]; readonly oldestRead: string };
      /** The site's other open warnings (e.g. an outbound certificate about to expire), with what fixes them. */
      readonly siteNotes?: readonly SiteNote[];
    }
  | {
      readonly kind: 'diagnostics-off';
      readonly site: string;
      readonly gatewayName: string;
      /** Categories the gateway does not send to a Log Analytics workspace. */
      readonly missing: readonly string[];
      readonly status: ConnectionState;
      readonly siteNotes?: readonly SiteNote[];
    }
  | {
      readonly kind: 'no-logs';
      readonly site: string;
      readonly connectionName: string;
      readonly status: ConnectionState;
      readonly hours: number;
      readonly workspaceName: string;
      readonly siteNotes?: readonly SiteNote[];
    };
