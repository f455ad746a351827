/**
 * ASP.NET Core route templates as the Functions host applies them to HTTP triggers: literal segments
 * (case-insensitive), `{name}`, `{name?}`, `{name=default}`, `{name:constraint}` (int, long, bool, alpha, guid,
 * double, decimal, float, datetime, minlength(n), maxlength(n), length(n[,m]), min(n), max(n), range(a,b),
 * regex(expr), required) and catch-all `{*name}` / `{**name}`.
 */

type Constraint = (value: string) => boolean;

interface ParamPart {
  kind: 'param';
  name: string;
  optional: boolean;
  catchAll: boolean;
  defaultValue?: string;
  constraints: Constraint[];
}

interface LiteralPart {
  kind: 'literal';
  text: string;
}

type Part = ParamPart | LiteralPart;

export class RouteTemplateError extends Error {
  override readonly name = 'RouteTemplateError';
}

export class CompiledRoute {
  readonly params: ParamPart[] = [];
  private readonly regex: RegExp;
  /** Lower sorts first: literal-heavy routes win over parameter and catch-all routes, as in ASP.NET routing. */
  readonly precedence: number[] = [];

  constructor(readonly template: string) {
    const trimmed = template.replace(/^\/+|\/+$/g, '');
    const segments = trimmed === '' ? [] : trimmed.split('/');
    let pattern = '^';
    segments.forEach((segment, index) => {
      const parts = parseSegment(segment, template);
      const onlyParam = parts.length === 1 && parts[0]?.kind === 'param' ? parts[0] : undefined;
      if (onlyParam && (onlyParam.optional || onlyParam.catchAll)) {
        if (index !== segments.length - 1) {
          throw new RouteTemplateError(`Route '${template}': optional and catch-all parameters must be the last segment.`);
        }
        this.params.push(onlyParam);
        const group = `p${this.params.length - 1}`;
        pattern += onlyParam.catchAll ? `(?:/(?<${group}>.*))?` : `(?:/(?<${group}>[^/]+))?`;
        this.precedence.push(onlyParam.catchAll ? 5 : 4);
        return;
      }
      pattern += '/';
      let segmentRank = 1;
      for (const part of parts) {
        if (part.kind === 'literal') {
          pattern += escapeRegex(part.text);
        } else {
          if (part.optional || part.catchAll) {
            throw new RouteTemplateError(`Route '${template}': optional and catch-all parameters must fill a whole segment.`);
          }
          this.params.push(part);
          pattern += parts.length === 1 ? `(?<p${this.params.length - 1}>[^/]+)` : `(?<p${this.params.length - 1}>[^/]+?)`;
          segmentRank = Math.max(segmentRank, parts.length > 1 ? 2 : part.constraints.length > 0 ? 3 : 4);
        }
      }
      this.precedence.push(segmentRank);
    });
    pattern += '/?$';
    this.regex = new RegExp(pattern, 'i');
  }

  /** Matches a URL path (already stripped of the route prefix, not decoded); returns decoded params or undefined. */
  match(path: string): Record<string, string> | undefined {
    const normalized = '/' + path.replace(/^\/+/, '');
    const m = this.regex.exec(normalized);
    if (!m) return undefined;
    const result: Record<string, string> = {};
    for (let i = 0; i < this.params.length; i++) {
      const param = this.params[i] as ParamPart;
      const raw = m.groups?.[`p${i}`];
      let value: string | undefined;
      if (raw === undefined || raw === '') {
        value = param.defaultValue;
      } else {
        try {
          value = param.catchAll ? raw.split('/').map(decodeURIComponent).join('/') : decodeURIComponent(raw);
        } catch {
          return undefined;
        }
      }
      if (value === undefined) {
        if (!param.optional && !param.catchAll) return undefined;
        continue;
      }
      if (!param.constraints.every((check) => check(value))) return undefined;
      result[param.name] = value;
    }
    return result;
  }
}

export function compareRoutes(a: CompiledRoute, b: CompiledRoute): number {
  const length = Math.max(a.precedence.length, b.precedence.length);
  for (let i = 0; i < length; i++) {
    const x = a.precedence[i] ?? 0;
    const y = b.precedence[i] ?? 0;
    if (x !== y) return x - y;
  }
  return b.precedence.length - a.precedence.length;
}

function parseSegment(segment: string, template: string): Part[] {
  const parts: Part[] = [];
  let i = 0;
  let literal = '';
  while (i < segment.length) {
    const ch = segment[i];
    if (ch === '{') {
      if (segment[i + 1] === '{') {
        literal += '{';
        i += 2;
        continue;
      }
      if (literal) parts.push({ kind: 'literal', text: literal });
      literal = '';
      const end = findParamEnd(segment, i + 1);
      if (end < 0) throw new RouteTemplateError(`Route '${template}': unclosed '{' in segment '${segment}'.`);
      parts.push(parseParam(segment.slice(i + 1, end), template));
      i = end + 1;
    } else if (ch === '}') {
      if (segment[i + 1] === '}') {
        literal += '}';
        i += 2;
        continue;
      }
      throw new RouteTemplateError(`Route '${template}': unmatched '}' in segment '${segment}'.`);
    } else {
      literal += ch;
      i++;
    }
  }
  if (literal) parts.push({ kind: 'literal', text: literal });
  for (let k = 1; k < parts.length; k++) {
    if (parts[k]?.kind === 'param' && parts[k - 1]?.kind === 'param') {
      throw new RouteTemplateError(`Route '${template}': two parameters in segment '${segment}' need a literal between them.`);
    }
  }
  return parts;
}

function findParamEnd(segment: string, from: number): number {
  let depth = 0;
  for (let i = from; i < segment.length; i++) {
    const ch = segment[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === '}' && depth <= 0) return i;
  }
  return -1;
}

function parseParam(body: string, template: string): ParamPart {
  let text = body;
  let catchAll = false;
  if (text.startsWith('**')) {
    catchAll = true;
    text = text.slice(2);
  } else if (text.startsWith('*')) {
    catchAll = true;
    text = text.slice(1);
  }
  let defaultValue: string | undefined;
  const eq = indexOutsideParens(text, '=');
  if (eq >= 0) {
    defaultValue = text.slice(eq + 1);
    text = text.slice(0, eq);
  }
  let optional = false;
  if (text.endsWith('?')) {
    optional = true;
    text = text.slice(0, -1);
  }
  const pieces = splitConstraints(text);
  const name = pieces.shift() ?? '';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new RouteTemplateError(`Route '${template}': '${name}' is not a valid parameter name.`);
  }
  const constraints = pieces.map((spec) => buildConstraint(spec, template));
  return { kind: 'param', name, optional: optional || defaultValue !== undefined, catchAll, ...(defaultValue !== undefined ? { defaultValue } : {}), constraints };
}

function indexOutsideParens(text: string, char: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === char && depth === 0) return i;
  }
  return -1;
}

function splitConstraints(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ':' && depth === 0) {
      out.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  out.push(current);
  return out;
}

const numberPattern = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function buildConstraint(spec: string, template: string): Constraint {
  const m = /^([a-zA-Z]+)(?:\((.*)\))?$/s.exec(spec);
  if (!m) throw new RouteTemplateError(`Route '${template}': cannot read constraint '${spec}'.`);
  const kind = (m[1] ?? '').toLowerCase();
  const arg = m[2];
  const nums = (arg ?? '').split(',').map((s) => Number(s.trim()));
  switch (kind) {
    case 'int':
      return (v) => /^-?\d+$/.test(v) && Math.abs(Number(v)) <= 2 ** 31;
    case 'long':
      return (v) => /^-?\d+$/.test(v);
    case 'bool':
      return (v) => /^(true|false)$/i.test(v);
    case 'alpha':
      return (v) => /^[a-z]+$/i.test(v);
    case 'guid':
      return (v) => /^[{(]?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}[)}]?$/i.test(v);
    case 'double':
    case 'decimal':
    case 'float':
      return (v) => numberPattern.test(v);
    case 'datetime':
      return (v) => !Number.isNaN(Date.parse(v));
    case 'minlength':
      return (v) => v.length >= (nums[0] ?? 0);
    case 'maxlength':
      return (v) => v.length <= (nums[0] ?? Infinity);
    case 'length':
      return nums.length > 1 ? (v) => v.length >= (nums[0] ?? 0) && v.length <= (nums[1] ?? Infinity) : (v) => v.length === nums[0];
    case 'min':
      return (v) => /^-?\d+$/.test(v) && Number(v) >= (nums[0] ?? -Infinity);
    case 'max':
      return (v) => /^-?\d+$/.test(v) && Number(v) <= (nums[0] ?? Infinity);
    case 'range':
      return (v) => /^-?\d+$/.test(v) && Number(v) >= (nums[0] ?? -Infinity) && Number(v) <= (nums[1] ?? Infinity);
    case 'regex': {
      // Braces inside a route template are escaped by doubling them.
      const re = new RegExp((arg ?? '').replace(/\{\{/g, '{').replace(/\}\}/g, '}'), 'i');
      return (v) => re.test(v);
    }
    case 'required':
      return (v) => v.length > 0;
    default:
      throw new RouteTemplateError(`Route '${template}': unknown constraint '${kind}'.`);
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
