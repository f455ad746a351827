import type { ChangeKind } from './change-kind';

/** One field that changes, as the plan card shows it: before -> after. */
export interface PlannedChange {
  /** The resource, by name (e.g. `vpngw-hub`). */
  readonly resource: string;
  readonly field: string;
  readonly before: string;
  readonly after: string;
}

/**
 * What a change will do, decided before anyone approves it: the target, every field before and after, the risk in one
 * line, how it is verified and how it would be rolled back. Approvers approve exactly this plan: its fingerprint is
 * checked on every press and again before applying. Small and JSON-safe (it travels through durable history).
 */
export interface ChangePlan {
  readonly kind: ChangeKind;
  /** e.g. `Enable diagnostics on site-lisbon`. */
  readonly title: string;
  readonly site: string;
  /** The connection the change is about: its id is the change job's business key. */
  readonly target: { readonly connectionId: string; readonly connectionName: string };
  readonly changes: readonly PlannedChange[];
  readonly risk: string;
  readonly verify: string;
  /**
   * How long verification may take, from the start of the step it checks (apply, or rollback): a check that answers
   * "not yet" is asked again (2 s, doubling, at most 1 min apart) until then. Absent: the first answer decides.
   */
  readonly verifyWithinMs?: number;
  /** How it would be undone when verification fails; absent when the kind defines no rollback. */
  readonly rollback?: string;
  /**
   * `keep-or-remove`: when it applied but does not verify (e.g. a new site whose device never connects), nothing is
   * rolled back or applied again: the site is diagnosed, the finding shown, and the card offers Keep (leave it for
   * the device owner) or Remove (its own change, with approval). An apply that fails part-way ends saying what
   * exists, with the same offer; asking for the change again continues from there.
   */
  readonly whenNotVerified?: 'keep-or-remove';
  /**
   * What people must see besides the changes, e.g. the CA certificate a device must trust first (shown in full). A note
   * with `file` is also handed over as that file where the chat allows (a personal chat: see bot/handover-files.ts).
   */
  readonly notes?: readonly { readonly label: string; readonly text: string; readonly mono?: boolean; readonly file?: string }[];
  /**
   * A maintenance window (ISO UTC): once approved, the change waits until then before applying; it can be withdrawn
   * or cancelled until then. Absent: applied as soon as it is approved.
   */
  readonly notBefore?: string;
  /**
   * A change made of several Azure steps (e.g. the resources of a new site, created in order): apply runs them one by
   * one, each its own activity (the handler's `apply` gets the step's index), and the card shows each as it goes, with
   * Azure's expected time. Absent: one apply.
   */
  readonly steps?: readonly { readonly title: string; readonly expectedMs?: number }[];
  /** What apply, verify and rollback need beyond the above (resource ids), kind-specific. */
  readonly details: Readonly<Record<string, string>>;
}

/** The plan's outcome when there is nothing to change (e.g. diagnostics already on): no approval is asked. */
export interface NothingToChange {
  readonly kind: 'nothing-to-change';
  readonly title: string;
  readonly site: string;
  readonly why: string;
}
