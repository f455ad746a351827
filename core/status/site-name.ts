import { isSiteName } from '../commands/parse-command';
import { closestMatches } from '../text/closest-match';

/**
 * A site is a certificate-authenticated connection. People call it by its site name: the connection's `site` tag
 * when present, otherwise the connection name without a leading `cn-` (`cn-site-paris` is `site-paris`).
 * Names compare case-insensitively, as Azure resource names do.
 */
export function siteNameOf(connection: { readonly name: string; readonly tags?: Readonly<Record<string, string>> }): string {
  // Azure tag names are case-insensitive: `site`, `Site` and `SITE` are the same tag.
  const key = Object.keys(connection.tags ?? {}).find((k) => k.toLowerCase() === 'site');
  const tag = key !== undefined ? connection.tags![key]!.trim() : undefined;
  // A tag value nobody could type back (spaces, symbols, over 80 characters) would make a site that cards can't
  // address, so the connection name is used instead.
  if (tag && isSiteName(tag)) return tag;
  return connection.name.replace(/^cn-/i, '');
}

export type SiteResolution<T> =
  | { readonly kind: 'found'; readonly item: T }
  | { readonly kind: 'ambiguous'; readonly matches: readonly T[] }
  | { readonly kind: 'not-found'; readonly suggestions: readonly string[] };

/** Finds the site the user typed; accepts the site name or the connection name, in any case. */
export function resolveSite<T extends { readonly site: string; readonly connectionName: string }>(typed: string, candidates: readonly T[]): SiteResolution<T> {
  const wanted = typed.toLowerCase();
  const matches = candidates.filter((c) => c.site.toLowerCase() === wanted || c.connectionName.toLowerCase() === wanted);
  if (matches.length === 1) return { kind: 'found', item: matches[0]! };
  if (matches.length > 1) return { kind: 'ambiguous', matches };
  return { kind: 'not-found', suggestions: closestMatches(typed, candidates.map((c) => c.site)) };
}
