/** One site-to-site connection as the site index knows it: which names it answers to, and its resource id. */
export interface SiteIndexEntry {
  readonly connectionId: string;
  readonly site: string;
  readonly connectionName: string;
}

/** The index as of its last full listing of the scope. */
export interface SiteIndexSnapshot {
  readonly entries: readonly SiteIndexEntry[];
  /** When the scope was last listed in full. */
  readonly refreshedAt: Date;
  /** Which scope was listed (the configured VPN_SCOPES, normalized): another scope's index is not this one. */
  readonly scopeKey: string;
}

/**
 * Where each site is, so `status <site>` finds its connection without listing the whole scope: refreshed by every
 * full listing (fleet reads, a lookup that missed) and by every change the bot makes, and trusted only for a short
 * time after the last full listing.
 */
export interface SiteIndex {
  /** The index, or undefined when the scope was never listed. */
  read(): Promise<SiteIndexSnapshot | undefined>;
  /** Replaces every entry with a full listing of the scope. */
  replace(entries: readonly SiteIndexEntry[], listed: { readonly scopeKey: string; readonly refreshedAt: Date }): Promise<void>;
  /** One connection as it is now (a change created or changed it). */
  put(entry: SiteIndexEntry): Promise<void>;
  /** A connection that is gone. */
  remove(connectionId: string): Promise<void>;
}
