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
  /** Several connections answer to the name: the same site name in several resource groups, or a short name of several sites. */
  | { readonly kind: 'ambiguous'; readonly matches: readonly T[] }
  | { readonly kind: 'not-found'; readonly suggestions: readonly string[] };

/** Where a site name may be cut to give its short name: after a prefix that ends in one of these (`site-`). */
const SEPARATORS = /[-_.]/g;

/**
 * A site's short names: what follows each prefix that ends in `-`, `_` or `.` (`site-eu-paris` is also `eu-paris` and
 * `paris`), so people can leave out the prefix their sites share. Lower case, as names compare.
 */
export function shortNamesOf(site: string): string[] {
  const name = site.toLowerCase();
  const names: string[] = [];
  for (const m of name.matchAll(SEPARATORS)) {
    const rest = name.slice(m.index + 1);
    if (rest !== '') names.push(rest);
  }
  return names;
}

/**
 * Finds the site the user typed, in any case: its site name or connection name; else its short name (`paris` is
 * `site-paris`) when only one site has it. A short name of several sites is ambiguous (every match is returned); for
 * anything else the closest site names are suggested, near misses of short names included (`pari`, `berlim`).
 */
export function resolveSite<T extends { readonly site: string; readonly connectionName: string }>(typed: string, candidates: readonly T[]): SiteResolution<T> {
  const wanted = typed.toLowerCase();
  const exact = candidates.filter((c) => c.site.toLowerCase() === wanted || c.connectionName.toLowerCase() === wanted);
  if (exact.length === 1) return { kind: 'found', item: exact[0]! };
  if (exact.length > 1) return { kind: 'ambiguous', matches: exact };
  const short = candidates.filter((c) => shortNamesOf(c.site).includes(wanted));
  if (short.length === 1) return { kind: 'found', item: short[0]! };
  if (short.length > 1) return { kind: 'ambiguous', matches: short };
  return { kind: 'not-found', suggestions: closestSites(typed, candidates.map((c) => c.site)) };
}

/** The site names closest to `typed`, best first: near misses of full names and of short names alike. */
function closestSites(typed: string, sites: readonly string[], limit = 3): string[] {
  const sitesByText = new Map<string, Set<string>>();
  const add = (text: string, site: string) => sitesByText.set(text, (sitesByText.get(text) ?? new Set<string>()).add(site));
  for (const site of sites) {
    add(site.toLowerCase(), site);
    for (const short of shortNamesOf(site)) add(short, site);
  }
  const found = new Set<string>();
  // One site may answer to several close texts (`site-paris`, `paris`): ask for more, keep `limit` sites.
  for (const text of closestMatches(typed, [...sitesByText.keys()], limit * 4)) {
    for (const site of sitesByText.get(text)!) found.add(site);
  }
  return [...found].slice(0, limit);
}
