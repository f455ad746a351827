import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * A structural checker for this project's Bicep, standing in for `bicep build` where no Bicep compiler can be
 * installed (it ships as a .NET binary downloaded from GitHub, which this machine cannot reach). It tokenizes the
 * files and checks what a compiler would reject and a reviewer would miss: module paths and imports, module
 * parameters (unknown or missing), module outputs, undeclared identifiers, unknown functions and decorators,
 * decorators that do not fit the parameter's type, defaults outside their own constraints, the scope a module is
 * deployed to against its targetScope, properties of imported object variables, and how role assignments are
 * written (guid(scope, principal, role) names, role ids only from the annotated table).
 */

export type Token =
  | { readonly kind: 'ident' | 'number' | 'punct'; readonly text: string; readonly line: number }
  | { readonly kind: 'newline'; readonly text: '\n'; readonly line: number }
  | { readonly kind: 'string'; readonly text: string; readonly line: number; readonly interpolations: readonly Token[][] };

export interface Comment {
  readonly line: number;
  readonly text: string;
}

export interface Decorator {
  readonly name: string;
  /** Tokens between the decorator's parentheses. */
  readonly args: readonly Token[];
}

export interface Declaration {
  readonly kind: 'param' | 'var' | 'resource' | 'module' | 'output' | 'import' | 'targetScope';
  readonly name: string;
  readonly line: number;
  readonly decorators: readonly Decorator[];
  /** param and output: the type tokens. */
  readonly type: readonly Token[];
  /** Tokens after `=` (param default, var value, resource/module body, output value). */
  readonly value: readonly Token[];
  /** resource: the type string; module and import: the path. */
  readonly target?: string;
  /** import: the imported names. */
  readonly imported?: readonly string[];
}

export interface BicepFile {
  readonly path: string;
  readonly tokens: readonly Token[];
  readonly comments: readonly Comment[];
  readonly declarations: readonly Declaration[];
  readonly targetScope: 'resourceGroup' | 'subscription' | 'managementGroup' | 'tenant';
}

const PUNCTUATION = ['=>', '==', '!=', '<=', '>=', '&&', '||', '??', '.?', '::', '{', '}', '[', ']', '(', ')', ',', ':', '.', '?', '!', '=', '<', '>', '+', '-', '*', '/', '%', '@'];

/** Bicep functions this project may call (all exist in Bicep's standard library). */
export const KNOWN_FUNCTIONS = new Set([
  'concat', 'contains', 'empty', 'filter', 'first', 'format', 'guid', 'join', 'last', 'length', 'map', 'replace', 'resourceGroup',
  'resourceId', 'split', 'string', 'subscription', 'subscriptionResourceId', 'take', 'tenant', 'toLower', 'toUpper', 'trim', 'union',
  'uniqueString', 'deployer', 'environment', 'startsWith', 'endsWith',
]);

const KNOWN_DECORATORS = new Set(['description', 'minLength', 'maxLength', 'minValue', 'maxValue', 'allowed', 'metadata', 'export', 'secure', 'batchSize']);
const KEYWORDS = new Set(['param', 'var', 'resource', 'module', 'output', 'import', 'from', 'as', 'targetScope', 'existing', 'for', 'in', 'if', 'true', 'false', 'null']);
const TYPES = new Set(['string', 'int', 'bool', 'object', 'array']);

export class BicepSyntaxError extends Error {
  override readonly name = 'BicepSyntaxError';
}

/** Tokens of `src` from `start`; with `untilBrace`, stops at the `}` closing a string interpolation. */
function tokenizeFrom(src: string, start: number, line: number, untilBrace: boolean, comments: Comment[]): { tokens: Token[]; end: number; line: number } {
  const tokens: Token[] = [];
  let i = start;
  let braces = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      tokens.push({ kind: 'newline', text: '\n', line });
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (src.startsWith('//', i)) {
      const end = src.indexOf('\n', i);
      const stop = end === -1 ? src.length : end;
      comments.push({ line, text: src.slice(i + 2, stop).trim() });
      i = stop;
    } else if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      if (end === -1) throw new BicepSyntaxError(`line ${line}: unterminated comment`);
      for (let k = i; k < end; k++) if (src[k] === '\n') line++;
      i = end + 2;
    } else if (src.startsWith("'''", i)) {
      const end = src.indexOf("'''", i + 3);
      if (end === -1) throw new BicepSyntaxError(`line ${line}: unterminated multi-line string`);
      const text = src.slice(i + 3, end);
      tokens.push({ kind: 'string', text, line, interpolations: [] });
      for (const ch of text) if (ch === '\n') line++;
      i = end + 3;
    } else if (c === "'") {
      const startLine = line;
      let text = '';
      const interpolations: Token[][] = [];
      i++;
      for (;;) {
        if (i >= src.length || src[i] === '\n') throw new BicepSyntaxError(`line ${startLine}: unterminated string`);
        const ch = src[i]!;
        if (ch === "'") {
          i++;
          break;
        }
        if (ch === '\\') {
          const next = src[i + 1];
          if (next === undefined || !"\\'nrt$u".includes(next)) throw new BicepSyntaxError(`line ${line}: unknown escape \\${next ?? ''}`);
          text += next === 'n' ? '\n' : next === 'r' ? '\r' : next === 't' ? '\t' : next;
          i += 2;
        } else if (src.startsWith('${', i)) {
          const inner = tokenizeFrom(src, i + 2, line, true, comments);
          if (inner.tokens.filter((t) => t.kind !== 'newline').length === 0) throw new BicepSyntaxError(`line ${line}: empty interpolation`);
          interpolations.push(inner.tokens);
          text += '${…}';
          i = inner.end + 1;
          line = inner.line;
        } else {
          text += ch;
          i++;
        }
      }
      tokens.push({ kind: 'string', text, line: startLine, interpolations });
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 200))!;
      tokens.push({ kind: 'ident', text: match[0], line });
      i += match[0].length;
    } else if (/[0-9]/.test(c)) {
      const match = /^[0-9]+/.exec(src.slice(i, i + 40))!;
      tokens.push({ kind: 'number', text: match[0], line });
      i += match[0].length;
    } else {
      const punct = PUNCTUATION.find((p) => src.startsWith(p, i));
      if (!punct) throw new BicepSyntaxError(`line ${line}: unexpected character ${JSON.stringify(c)}`);
      if (untilBrace && punct === '}' && braces === 0) return { tokens, end: i, line };
      if (punct === '{') braces++;
      if (punct === '}') braces--;
      tokens.push({ kind: 'punct', text: punct, line });
      i += punct.length;
    }
  }
  if (untilBrace) throw new BicepSyntaxError(`line ${line}: unterminated interpolation`);
  return { tokens, end: i, line };
}

export function tokenize(src: string): { tokens: Token[]; comments: Comment[] } {
  const comments: Comment[] = [];
  const { tokens } = tokenizeFrom(src, 0, 1, false, comments);
  return { tokens, comments };
}

const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** Top-level statements: a newline ends one only outside brackets. Checks that brackets balance. */
function statements(tokens: readonly Token[]): Token[][] {
  const result: Token[][] = [];
  const stack: string[] = [];
  let current: Token[] = [];
  for (const token of tokens) {
    if (token.kind === 'punct' && OPEN[token.text]) stack.push(OPEN[token.text]!);
    else if (token.kind === 'punct' && [')', ']', '}'].includes(token.text)) {
      const expected = stack.pop();
      if (expected !== token.text) throw new BicepSyntaxError(`line ${token.line}: unexpected ${token.text}`);
    }
    if (token.kind === 'newline' && stack.length === 0) {
      if (current.length > 0) result.push(current);
      current = [];
    } else {
      current.push(token);
    }
  }
  if (stack.length > 0) throw new BicepSyntaxError(`unclosed ${stack.join('')}`);
  if (current.length > 0) result.push(current);
  return result;
}

/** Index of the token closing the bracket opened at `open`. */
export function closingIndex(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== 'punct') continue;
    if (OPEN[t.text]) depth++;
    else if ([')', ']', '}'].includes(t.text) && --depth === 0) return k;
  }
  throw new BicepSyntaxError(`line ${tokens[open]?.line ?? '?'}: unclosed bracket`);
}

function significant(tokens: readonly Token[]): Token[] {
  return tokens.filter((t) => t.kind !== 'newline');
}

export function parseBicep(src: string, path = '<inline>'): BicepFile {
  const { tokens, comments } = tokenize(src);
  const declarations: Declaration[] = [];
  let decorators: Decorator[] = [];
  let targetScope: BicepFile['targetScope'] = 'resourceGroup';
  for (const raw of statements(tokens)) {
    const s = raw;
    const first = s[0]!;
    if (first.kind === 'punct' && first.text === '@') {
      const name = s[1];
      if (!name || name.kind !== 'ident' || s[2]?.text !== '(' || s[s.length - 1]?.text !== ')') throw new BicepSyntaxError(`${path}:${first.line}: malformed decorator`);
      decorators.push({ name: name.text, args: s.slice(3, s.length - 1) });
      continue;
    }
    if (first.kind !== 'ident') throw new BicepSyntaxError(`${path}:${first.line}: unexpected ${first.text}`);
    const keyword = first.text;
    const line = first.line;
    const eq = s.findIndex((t) => t.kind === 'punct' && t.text === '=');
    const after = eq === -1 ? [] : s.slice(eq + 1);
    const nameToken = s[1];
    const name = nameToken?.kind === 'ident' ? nameToken.text : '';
    switch (keyword) {
      case 'targetScope': {
        const value = s[2];
        if (s[1]?.text !== '=' || value?.kind !== 'string') throw new BicepSyntaxError(`${path}:${line}: malformed targetScope`);
        if (!['resourceGroup', 'subscription', 'managementGroup', 'tenant'].includes(value.text)) throw new BicepSyntaxError(`${path}:${line}: unknown targetScope ${value.text}`);
        targetScope = value.text as BicepFile['targetScope'];
        declarations.push({ kind: 'targetScope', name: value.text, line, decorators, type: [], value: [value] });
        break;
      }
      case 'import': {
        const fromIndex = s.findIndex((t) => t.kind === 'ident' && t.text === 'from');
        const source = s[fromIndex + 1];
        if (s[1]?.text !== '{' || fromIndex === -1 || source?.kind !== 'string') throw new BicepSyntaxError(`${path}:${line}: only "import { a, b } from 'file.bicep'" is supported`);
        const imported = s.slice(2, fromIndex - 1).filter((t) => t.kind === 'ident').map((t) => t.text);
        declarations.push({ kind: 'import', name: imported.join(','), line, decorators, type: [], value: [], target: source.text, imported });
        break;
      }
      case 'param':
      case 'output': {
        if (!name) throw new BicepSyntaxError(`${path}:${line}: ${keyword} without a name`);
        const type = s.slice(2, eq === -1 ? s.length : eq);
        if (type.length === 0) throw new BicepSyntaxError(`${path}:${line}: ${keyword} ${name} without a type`);
        if (keyword === 'output' && eq === -1) throw new BicepSyntaxError(`${path}:${line}: output ${name} without a value`);
        declarations.push({ kind: keyword, name, line, decorators, type, value: after });
        break;
      }
      case 'var':
        if (!name || eq !== 2) throw new BicepSyntaxError(`${path}:${line}: malformed var`);
        declarations.push({ kind: 'var', name, line, decorators, type: [], value: after });
        break;
      case 'resource':
      case 'module': {
        const target = s[2];
        if (!name || target?.kind !== 'string' || eq === -1) throw new BicepSyntaxError(`${path}:${line}: malformed ${keyword}`);
        declarations.push({ kind: keyword, name, line, decorators, type: [], value: after, target: target.text });
        break;
      }
      default:
        throw new BicepSyntaxError(`${path}:${line}: unsupported statement "${keyword}"`);
    }
    decorators = [];
  }
  if (decorators.length > 0) throw new BicepSyntaxError(`${path}: decorator without a declaration at the end`);
  return { path, tokens, comments, declarations, targetScope };
}

/** Top-level keys of the object literal opening at `open` (which must be `{`), with their value tokens. */
export function objectEntries(tokens: readonly Token[], open: number): Map<string, Token[]> {
  if (tokens[open]?.text !== '{') throw new BicepSyntaxError(`line ${tokens[open]?.line ?? '?'}: expected an object`);
  const close = closingIndex(tokens, open);
  const entries = new Map<string, Token[]>();
  let k = open + 1;
  while (k < close) {
    const t = tokens[k]!;
    if (t.kind === 'newline' || t.text === ',') {
      k++;
      continue;
    }
    if (t.kind === 'ident' && t.text === 'resource') {
      // A child resource declared inside a resource body: not a property; skip its whole declaration.
      const eq = tokens.findIndex((x, j) => j > k && x.text === '=');
      const value = eq + 1;
      if (eq === -1 || eq > close || !OPEN[tokens[value]?.text ?? '']) throw new BicepSyntaxError(`line ${t.line}: malformed child resource`);
      k = closingIndex(tokens, value) + 1;
      continue;
    }
    const colon = tokens[k + 1];
    if ((t.kind !== 'ident' && t.kind !== 'string') || colon?.text !== ':') throw new BicepSyntaxError(`line ${t.line}: expected a property name, found ${t.text}`);
    let end = k + 2;
    while (end < close && tokens[end]!.kind !== 'newline' && tokens[end]!.text !== ',') {
      const e = tokens[end]!;
      end = e.kind === 'punct' && OPEN[e.text] ? closingIndex(tokens, end) + 1 : end + 1;
    }
    // Interpolated keys ('${id}') are only known at deployment; keep each under its own entry.
    const key = t.kind === 'string' && t.interpolations.length > 0 ? `${t.text}#${k}` : t.text;
    if (entries.has(key)) throw new BicepSyntaxError(`line ${t.line}: property ${t.text} appears twice`);
    entries.set(key, tokens.slice(k + 2, end));
    k = end;
  }
  return entries;
}

/** The body object of a resource or module value: `{…}`, `if (…) {…}` or `[for … : {…}]`. */
export function bodyEntries(value: readonly Token[]): Map<string, Token[]> {
  const open = value.findIndex((t) => t.kind === 'punct' && t.text === '{');
  if (open === -1) throw new BicepSyntaxError(`line ${value[0]?.line ?? '?'}: no body`);
  return objectEntries(value, open);
}

export function decorator(d: Declaration, name: string): Decorator | undefined {
  return d.decorators.find((x) => x.name === name);
}

/** The literal value of simple expressions: strings without interpolation, numbers, booleans, arrays of those. */
export function literal(tokens: readonly Token[]): unknown {
  const t = significant(tokens);
  if (t.length === 1) {
    const only = t[0]!;
    if (only.kind === 'string' && only.interpolations.length === 0) return only.text;
    if (only.kind === 'number') return Number(only.text);
    if (only.kind === 'ident' && (only.text === 'true' || only.text === 'false')) return only.text === 'true';
  }
  if (t.length === 2 && t[0]!.text === '-' && t[1]!.kind === 'number') return -Number(t[1]!.text);
  if (t[0]?.text === '[' && t[t.length - 1]?.text === ']') {
    const items = t.slice(1, -1).filter((x) => x.text !== ',');
    const values = items.map((x) => literal([x]));
    return values.every((v) => v !== undefined) ? values : undefined;
  }
  return undefined;
}

export interface LintProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** Reads every .bicep file under `dir` (recursively). */
export function loadBicepFiles(dir: string): Map<string, BicepFile> {
  const files = new Map<string, BicepFile>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.bicep')) files.set(resolve(full), parseBicep(readFileSync(full, 'utf8'), full));
    }
  };
  walk(dir);
  return files;
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * Checks every file against the others. `roleTableFile` is the only file allowed to hold role definition ids
 * (as string literals annotated with the role name in a trailing comment).
 */
export function lintBicep(files: Map<string, BicepFile>, options: { root: string; roleTableFile?: string }): LintProblem[] {
  const problems: LintProblem[] = [];
  for (const file of files.values()) {
    const report = (line: number, message: string) => problems.push({ file: relative(options.root, file.path), line, message });
    const here = dirname(file.path);
    const byName = new Map<string, Declaration>();
    const declared = new Set<string>();
    for (const d of file.declarations) {
      if (d.kind === 'import') {
        for (const n of d.imported ?? []) declared.add(n);
        continue;
      }
      if (d.kind === 'targetScope' || d.kind === 'output') continue;
      if (byName.has(d.name)) report(d.line, `${d.name} is declared twice`);
      byName.set(d.name, d);
      declared.add(d.name);
    }
    collectLocals(file.tokens, declared);

    // Imports: the file exists and exports each imported name.
    const importedObjects = new Map<string, Set<string>>();
    for (const d of file.declarations.filter((x) => x.kind === 'import')) {
      const source = files.get(resolve(here, d.target!));
      if (!source) {
        report(d.line, `import source ${d.target} does not exist`);
        continue;
      }
      for (const n of d.imported ?? []) {
        const exported = source.declarations.find((x) => x.kind === 'var' && x.name === n && decorator(x, 'export'));
        if (!exported) report(d.line, `${d.target} does not export ${n}`);
        else if (exported.value[0]?.text === '{') importedObjects.set(n, new Set(objectEntries(exported.value, 0).keys()));
      }
    }
    for (const d of file.declarations.filter((x) => x.kind === 'var' && x.value[0]?.text === '{')) importedObjects.set(d.name, new Set(objectEntries(d.value, 0).keys()));

    for (const d of file.declarations) {
      checkDecorators(d, report);
      if (d.kind === 'param' && !decorator(d, 'description')) report(d.line, `param ${d.name} has no @description`);
      if (d.kind === 'output' && !decorator(d, 'description')) report(d.line, `output ${d.name} has no @description`);
      if (d.kind === 'module') checkModule(d, file, files, here, report);
      if (d.kind === 'resource') checkResource(d, file, report);
    }

    // Identifiers: declared, known functions, property accesses on object variables.
    checkIdentifiers(file.tokens, declared, byName, importedObjects, files, here, report);

    // Role definition ids live in one annotated table only.
    const isRoleTable = options.roleTableFile !== undefined && resolve(options.roleTableFile) === file.path;
    for (const t of allTokens(file.tokens)) {
      if (t.kind === 'string' && GUID.test(t.text) && !isRoleTable) report(t.line, `GUID literal ${t.text}: take role ids from the role table`);
    }
  }
  return problems;
}

function* allTokens(tokens: readonly Token[]): Generator<Token> {
  for (const t of tokens) {
    yield t;
    if (t.kind === 'string') for (const part of t.interpolations) yield* allTokens(part);
  }
}

/** Loop variables (`for x in`, `for (x, i) in`), lambda parameters (`x => …`) and nested resources. */
function collectLocals(tokens: readonly Token[], declared: Set<string>): void {
  const list = [...allTokens(tokens)].filter((t) => t.kind !== 'newline');
  list.forEach((t, k) => {
    if (t.kind === 'ident' && t.text === 'for') {
      const next = list[k + 1];
      if (next?.kind === 'ident') declared.add(next.text);
      else if (next?.text === '(') for (let j = k + 2; list[j] && list[j]!.text !== ')'; j++) if (list[j]!.kind === 'ident') declared.add(list[j]!.text);
    }
    if (t.kind === 'ident' && list[k + 1]?.text === '=>') declared.add(t.text);
    if (t.kind === 'ident' && t.text === 'resource' && list[k + 1]?.kind === 'ident') declared.add(list[k + 1]!.text);
  });
}

type Report = (line: number, message: string) => void;

function paramType(d: Declaration): string {
  return d.type.map((t) => t.text).join('');
}

function checkDecorators(d: Declaration, report: Report): void {
  const type = paramType(d);
  const isArray = type.endsWith('[]') || type === 'array';
  for (const dec of d.decorators) {
    if (!KNOWN_DECORATORS.has(dec.name)) report(d.line, `unknown decorator @${dec.name}`);
    if ((dec.name === 'minLength' || dec.name === 'maxLength') && d.kind === 'param' && type !== 'string' && !isArray) report(d.line, `@${dec.name} does not apply to ${type}`);
    if ((dec.name === 'minValue' || dec.name === 'maxValue') && d.kind === 'param' && type !== 'int') report(d.line, `@${dec.name} does not apply to ${type}`);
    if (dec.name === 'export' && d.kind !== 'var') report(d.line, '@export() is only used on variables here');
  }
  if (d.kind !== 'param') return;
  if (!TYPES.has(type) && !(isArray && TYPES.has(type.slice(0, -2)))) report(d.line, `param ${d.name} has unknown type ${type}`);
  const allowed = decorator(d, 'allowed');
  const allowedValues = allowed ? literal(allowed.args) : undefined;
  if (allowed && !Array.isArray(allowedValues)) report(d.line, `@allowed of ${d.name} is not a literal list`);
  if (Array.isArray(allowedValues)) {
    const wanted = type === 'int' ? 'number' : 'string';
    if (allowedValues.some((v) => typeof v !== wanted)) report(d.line, `@allowed of ${d.name} holds values that are not ${type}`);
  }
  const def = d.value.length > 0 ? literal(d.value) : undefined;
  if (def === undefined) return;
  if (Array.isArray(allowedValues) && !allowedValues.includes(def)) report(d.line, `default of ${d.name} is not in @allowed`);
  const bound = (name: string) => {
    const v = decorator(d, name);
    return v ? literal(v.args) : undefined;
  };
  const [minL, maxL, minV, maxV] = [bound('minLength'), bound('maxLength'), bound('minValue'), bound('maxValue')];
  if (typeof def === 'string' && typeof minL === 'number' && def.length < minL) report(d.line, `default of ${d.name} is shorter than @minLength`);
  if (typeof def === 'string' && typeof maxL === 'number' && def.length > maxL) report(d.line, `default of ${d.name} is longer than @maxLength`);
  if (typeof def === 'number' && typeof minV === 'number' && def < minV) report(d.line, `default of ${d.name} is below @minValue`);
  if (typeof def === 'number' && typeof maxV === 'number' && def > maxV) report(d.line, `default of ${d.name} is above @maxValue`);
  const typeOfDefault = typeof def === 'number' ? 'int' : typeof def === 'boolean' ? 'bool' : typeof def === 'string' ? 'string' : 'array';
  if (typeOfDefault !== (isArray ? 'array' : type)) report(d.line, `default of ${d.name} is not a ${type}`);
}

function scopeOfModule(body: Map<string, Token[]>, file: BicepFile, byName: (n: string) => Declaration | undefined): BicepFile['targetScope'] {
  const scope = significant(body.get('scope') ?? []);
  const head = scope[0];
  if (!head) return file.targetScope;
  if (head.text === 'resourceGroup') return 'resourceGroup';
  if (head.text === 'subscription') return 'subscription';
  const d = byName(head.text);
  if (d?.kind === 'resource' && d.target?.startsWith('Microsoft.Resources/resourceGroups@')) return 'resourceGroup';
  return file.targetScope;
}

function checkModule(d: Declaration, file: BicepFile, files: Map<string, BicepFile>, here: string, report: Report): void {
  const target = files.get(resolve(here, d.target!));
  if (!target) {
    report(d.line, `module ${d.name}: ${d.target} does not exist`);
    return;
  }
  const body = bodyEntries(d.value);
  const decl = (n: string) => file.declarations.find((x) => x.name === n);
  const scope = scopeOfModule(body, file, decl);
  if (scope !== target.targetScope) report(d.line, `module ${d.name} deploys ${d.target} (targetScope ${target.targetScope}) at ${scope} scope`);
  if (!body.has('name')) report(d.line, `module ${d.name} has no deployment name`);
  const paramsValue = body.get('params') ?? [];
  const passed = paramsValue[0]?.text === '{' ? new Set(objectEntries(paramsValue, 0).keys()) : new Set<string>();
  const params = target.declarations.filter((x) => x.kind === 'param');
  for (const p of passed) if (!params.some((x) => x.name === p)) report(d.line, `module ${d.name} passes ${p}, which ${d.target} does not declare`);
  for (const p of params) if (p.value.length === 0 && !passed.has(p.name)) report(d.line, `module ${d.name} does not pass required param ${p.name} of ${d.target}`);
}

function checkResource(d: Declaration, file: BicepFile, report: Report): void {
  if (!/^[A-Za-z.]+\/[A-Za-z/]+@\d{4}-\d{2}-\d{2}(-preview)?$/.test(d.target!)) report(d.line, `resource ${d.name} has a malformed type ${d.target}`);
  const type = d.target!.split('@')[0]!;
  if (file.targetScope === 'subscription' && !['Microsoft.Resources/resourceGroups', 'Microsoft.Authorization/roleAssignments'].includes(type)) {
    report(d.line, `resource ${d.name} (${type}) cannot be deployed at subscription scope here`);
  }
  if (file.targetScope === 'resourceGroup' && type === 'Microsoft.Resources/resourceGroups') report(d.line, `resource group ${d.name} declared in a resource-group-scoped file`);
  if (type !== 'Microsoft.Authorization/roleAssignments') return;
  const body = bodyEntries(d.value);
  const name = significant(body.get('name') ?? []);
  if (name[0]?.text !== 'guid' || name[1]?.text !== '(') {
    report(d.line, `role assignment ${d.name} is not named with guid(scope, principal, role)`);
  } else {
    const args = splitArgs(name, 1);
    if (args.length !== 3) report(d.line, `role assignment ${d.name}: guid() takes ${args.length} arguments, not (scope, principal, role)`);
  }
  const properties = body.get('properties');
  const props = properties?.[0]?.text === '{' ? objectEntries(properties, 0) : new Map<string, Token[]>();
  const roleDefinition = significant(props.get('roleDefinitionId') ?? []);
  const roleArgs = roleDefinition[0]?.text === 'subscriptionResourceId' ? splitArgs(roleDefinition, 1) : [];
  if (roleArgs.length !== 2 || literal(roleArgs[0]!) !== 'Microsoft.Authorization/roleDefinitions') {
    report(d.line, `role assignment ${d.name}: roleDefinitionId must be subscriptionResourceId('Microsoft.Authorization/roleDefinitions', <id from the role table>)`);
  }
  if (literal(props.get('principalType') ?? []) !== 'ServicePrincipal') report(d.line, `role assignment ${d.name} must set principalType 'ServicePrincipal'`);
  if (significant(props.get('principalId') ?? []).length === 0) report(d.line, `role assignment ${d.name} has no principalId`);
}

/** Top-level arguments of the call whose `(` is at `open`. */
export function splitArgs(tokens: readonly Token[], open: number): Token[][] {
  const close = closingIndex(tokens, open);
  const args: Token[][] = [];
  let current: Token[] = [];
  for (let k = open + 1; k < close; k++) {
    const t = tokens[k]!;
    if (t.kind === 'punct' && OPEN[t.text]) {
      const end = closingIndex(tokens, k);
      current.push(...tokens.slice(k, end + 1));
      k = end;
    } else if (t.text === ',') {
      args.push(current);
      current = [];
    } else if (t.kind !== 'newline') {
      current.push(t);
    }
  }
  if (current.length > 0) args.push(current);
  return args;
}

function checkIdentifiers(
  tokens: readonly Token[],
  declared: Set<string>,
  byName: Map<string, Declaration>,
  objects: Map<string, Set<string>>,
  files: Map<string, BicepFile>,
  here: string,
  report: Report,
): void {
  const list = tokens;
  list.forEach((t, k) => {
    if (t.kind === 'string') {
      for (const part of t.interpolations) checkIdentifiers(part, declared, byName, objects, files, here, report);
      return;
    }
    if (t.kind !== 'ident') return;
    const prev = list[k - 1];
    const next = list[k + 1];
    if (prev && (prev.text === '.' || prev.text === '.?' || prev.text === '::' || prev.text === '@')) return;
    if (next?.text === ':' && (!prev || prev.kind === 'newline' || prev.text === '{' || prev.text === ',')) return;
    if (KEYWORDS.has(t.text)) return;
    if (prev && prev.kind === 'ident' && ['param', 'var', 'resource', 'module', 'output'].includes(prev.text)) return;
    // The type after `param name` / `output name`.
    const prev2 = list[k - 2];
    if (prev2 && prev2.kind === 'ident' && (prev2.text === 'param' || prev2.text === 'output') && TYPES.has(t.text)) return;
    if (next?.text === '(') {
      if (!KNOWN_FUNCTIONS.has(t.text)) report(t.line, `unknown function ${t.text}()`);
      return;
    }
    if (!declared.has(t.text)) {
      report(t.line, `${t.text} is not declared`);
      return;
    }
    // object.property on an object variable (local or imported): the property must exist.
    const keys = objects.get(t.text);
    const prop = list[k + 2];
    if (keys && next?.text === '.' && prop?.kind === 'ident' && !keys.has(prop.text)) report(t.line, `${t.text} has no property ${prop.text}`);
    // module.outputs.x (or module[i].outputs.x): the module declares output x.
    const d = byName.get(t.text);
    if (d?.kind === 'module') {
      let j = k + 1;
      if (list[j]?.text === '[') j = closingIndex(list, j) + 1;
      if (list[j]?.text === '.' && list[j + 1]?.text === 'outputs' && list[j + 2]?.text === '.') {
        const output = list[j + 3];
        const target = files.get(resolve(here, d.target!));
        if (output && target && !target.declarations.some((x) => x.kind === 'output' && x.name === output.text)) report(t.line, `module ${d.name} has no output ${output.text}`);
      }
    }
  });
}
