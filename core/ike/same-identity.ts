import { foldValue, nameKey, parseDistinguishedName } from '../pki/distinguished-name';

/** Whether two certificate identities are the same name: DN-wise (any RDN order, case and space folded) or by CN. */
export function sameIdentity(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const pa = parseDistinguishedName(a.trim());
  const pb = parseDistinguishedName(b.trim());
  const cn = (rdns: ReturnType<typeof parseDistinguishedName>, raw: string): string[] =>
    rdns
      ? rdns
          .flat()
          .filter((x) => x.type === 'CN')
          .map((x) => foldValue(x.value))
      : [foldValue(raw)];
  if (pa && pb) {
    const single = (r: typeof pa): boolean => r.flat().length === 1 && r.flat()[0]?.type === 'CN';
    if (single(pa) || single(pb)) return cn(pa, a).some((x) => cn(pb, b).includes(x));
    return nameKey(pa) === nameKey(pb) || nameKey(pa) === nameKey([...pb].reverse());
  }
  return cn(pa, a).some((x) => cn(pb, b).includes(x));
}
