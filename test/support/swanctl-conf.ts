/**
 * strongSwan's settings syntax as swanctl reads swanctl.conf (strongswan.conf(5), "SETTINGS SYNTAX"): sections
 * `name {` … `}`, `key = value` on one line, `#` comments, blank lines. Anything else (an unbalanced brace, a key
 * without `=`, a second definition of a key in one section) is an error naming its line, as swanctl would refuse it.
 */
export interface SwanctlSection {
  readonly [key: string]: string | SwanctlSection;
}

export function parseSwanctlConf(text: string): SwanctlSection {
  const root: Record<string, string | SwanctlSection> = {};
  const stack: Record<string, string | SwanctlSection>[] = [root];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    const where = `line ${i + 1}: ${raw.trim()}`;
    if (line === '') return;
    const current = stack[stack.length - 1]!;
    const open = /^([A-Za-z0-9_.-]+)\s*\{$/.exec(line);
    if (open) {
      if (open[1]! in current) throw new Error(`${where}: ${open[1]} defined twice`);
      const section: Record<string, string | SwanctlSection> = {};
      current[open[1]!] = section;
      stack.push(section);
      return;
    }
    if (line === '}') {
      if (stack.length === 1) throw new Error(`${where}: a closing brace without a section`);
      stack.pop();
      return;
    }
    const setting = /^([A-Za-z0-9_.-]+)\s*=\s*(.*)$/.exec(line);
    if (!setting) throw new Error(`${where}: neither a section nor a setting`);
    if (setting[1]! in current) throw new Error(`${where}: ${setting[1]} defined twice`);
    current[setting[1]!] = setting[2]!.trim();
  });
  if (stack.length !== 1) throw new Error(`${stack.length - 1} section(s) not closed`);
  return root;
}
