import type { KqlExpr, KqlLiteral, KqlQuery } from './kql-parser';

export type KqlColumnType = 'string' | 'datetime' | 'int' | 'long' | 'real' | 'bool' | 'guid' | 'dynamic';
export type KqlValue = string | number | boolean | Date | null;
export type KqlRow = Readonly<Record<string, KqlValue>>;

export interface KqlColumn {
  readonly name: string;
  readonly type: KqlColumnType;
}

/** Equality and time-range terms of the leading `where`s, which a table source may use to skip rows early. */
export interface KqlScanHints {
  readonly from?: Date;
  readonly to?: Date;
  /** Lower-cased column name -> lower-cased values one of which the column must equal (case-insensitively). */
  readonly equals: ReadonlyMap<string, readonly string[]>;
}

export interface KqlTableSource {
  readonly columns: readonly KqlColumn[];
  /** Rows whose TimeGenerated lies in [from, to]; the engine re-applies every predicate, hints only prune. */
  scan(hints: KqlScanHints): Iterable<KqlRow>;
}

export class KqlSemanticError extends Error {}

export interface KqlResult {
  readonly columns: readonly KqlColumn[];
  readonly rows: readonly (readonly KqlValue[])[];
  /** Set when the result was cut at the service's row limit. */
  readonly truncated: boolean;
}

/** The service's cap on rows in one result. */
export const kqlMaxRows = 500_000;

/**
 * Runs a parsed query over in-memory tables. `window` is the request's timespan, which the service applies to
 * TimeGenerated in addition to anything the query says.
 */
export function executeKql(query: KqlQuery, tables: ReadonlyMap<string, KqlTableSource>, window: { from: Date; to: Date }): KqlResult {
  const source = [...tables.entries()].find(([name]) => name === query.table)?.[1];
  if (!source) throw new KqlSemanticError(`Failed to resolve table or column expression named '${query.table}'`);

  let columns: KqlColumn[] = [...source.columns];
  const hints = scanHints(query, window);
  let rows: KqlRow[] = [];
  const timeColumn = columns.find((c) => c.name === 'TimeGenerated');
  for (const row of source.scan(hints)) {
    if (timeColumn) {
      const t = row.TimeGenerated;
      if (!(t instanceof Date) || t < window.from || t > window.to) continue;
    }
    rows.push(row);
  }

  for (const op of query.operators) {
    switch (op.kind) {
      case 'where': {
        const predicate = bind(op.predicate, columns);
        checkColumns(predicate, columns, 'where');
        rows = rows.filter((row) => truthy(evaluate(predicate, row)));
        break;
      }
      case 'project': {
        const projected = op.columns.map((c) => {
          if (c.expr) {
            const expr = bind(c.expr, columns);
            checkColumns(expr, columns, 'project');
            return { column: { name: c.name, type: typeOf(expr, columns) }, value: (row: KqlRow) => evaluate(expr, row) };
          }
          const column = columns.find((k) => k.name === c.name);
          if (!column) throw new KqlSemanticError(`'project' operator: Failed to resolve column or scalar expression named '${c.name}'`);
          return { column, value: (row: KqlRow) => row[c.name] ?? null };
        });
        columns = projected.map((p) => p.column);
        rows = rows.map((row) => Object.fromEntries(projected.map((p) => [p.column.name, p.value(row)])));
        break;
      }
      case 'order': {
        for (const key of op.keys) {
          if (!columns.some((c) => c.name === key.name)) throw new KqlSemanticError(`'order' operator: Failed to resolve column or scalar expression named '${key.name}'`);
        }
        rows = [...rows].sort((a, b) => {
          for (const key of op.keys) {
            const cmp = compareValues(a[key.name] ?? null, b[key.name] ?? null);
            if (cmp !== 0) return key.descending ? -cmp : cmp;
          }
          return 0;
        });
        break;
      }
      case 'take':
        rows = rows.slice(0, op.count);
        break;
      case 'summarize': {
        const byColumns = op.by.map((c) => {
          const column = columns.find((k) => k.name === c.name);
          if (!column) throw new KqlSemanticError(`'summarize' operator: Failed to resolve column or scalar expression named '${c.name}'`);
          return column;
        });
        const groups = new Map<string, { key: KqlRow; count: number }>();
        for (const row of rows) {
          const key = Object.fromEntries(byColumns.map((c) => [c.name, row[c.name] ?? null]));
          const id = JSON.stringify(byColumns.map((c) => serialize(row[c.name] ?? null)));
          const group = groups.get(id) ?? { key, count: 0 };
          group.count++;
          groups.set(id, group);
        }
        columns = [...byColumns, { name: op.countAlias, type: 'long' }];
        rows = [...groups.values()].map((g) => ({ ...g.key, [op.countAlias]: g.count }));
        break;
      }
    }
  }

  const truncated = rows.length > kqlMaxRows;
  const limited = truncated ? rows.slice(0, kqlMaxRows) : rows;
  return { columns, rows: limited.map((row) => columns.map((c) => row[c.name] ?? null)), truncated };
}

/** Renders a value the way the Log Analytics JSON result carries it. */
export function serialize(value: KqlValue): string | number | boolean | null {
  return value instanceof Date ? value.toISOString() : value;
}

function scanHints(query: KqlQuery, window: { from: Date; to: Date }): KqlScanHints {
  let from = window.from;
  let to = window.to;
  const equals = new Map<string, string[]>();
  for (const op of query.operators) {
    if (op.kind !== 'where') break;
    for (const term of conjuncts(op.predicate)) {
      if (term.kind === 'between' && !term.negated && term.operand.kind === 'column' && term.operand.name === 'TimeGenerated' && term.low.kind === 'literal' && term.high.kind === 'literal') {
        if (term.low.literal.kind === 'datetime' && term.low.literal.value > from) from = term.low.literal.value;
        if (term.high.literal.kind === 'datetime' && term.high.literal.value < to) to = term.high.literal.value;
      } else if (term.kind === 'compare' && (term.op === '==' || term.op === '=~') && term.left.kind === 'column' && term.right.kind === 'literal' && term.right.literal.kind === 'string') {
        equals.set(term.left.name.toLowerCase(), [term.right.literal.value.toLowerCase()]);
      } else if (term.kind === 'in' && !term.negated && term.operand.kind === 'column') {
        equals.set(term.operand.name.toLowerCase(), term.values.map((v) => String(literalValue(v)).toLowerCase()));
      }
    }
  }
  return { from, to, equals };
}

function conjuncts(expr: KqlExpr): KqlExpr[] {
  return expr.kind === 'and' ? [...conjuncts(expr.left), ...conjuncts(expr.right)] : [expr];
}

/** Resolves `column_ifexists` against the columns the table has now: the column, or its default. */
function bind(expr: KqlExpr, columns: readonly KqlColumn[]): KqlExpr {
  switch (expr.kind) {
    case 'columnIfExists':
      return columns.some((c) => c.name === expr.name) ? { kind: 'column', name: expr.name, pos: 0 } : { kind: 'literal', literal: expr.fallback };
    case 'and':
    case 'or':
      return { ...expr, left: bind(expr.left, columns), right: bind(expr.right, columns) };
    case 'compare':
      return { ...expr, left: bind(expr.left, columns), right: bind(expr.right, columns) };
    case 'not':
      return { ...expr, operand: bind(expr.operand, columns) };
    case 'between':
      return { ...expr, operand: bind(expr.operand, columns), low: bind(expr.low, columns), high: bind(expr.high, columns) };
    case 'in':
      return { ...expr, operand: bind(expr.operand, columns) };
    case 'text':
      return { ...expr, operand: bind(expr.operand, columns), pattern: bind(expr.pattern, columns) };
    default:
      return expr;
  }
}

function typeOf(expr: KqlExpr, columns: readonly KqlColumn[]): KqlColumnType {
  if (expr.kind === 'column') return columns.find((c) => c.name === expr.name)?.type ?? 'string';
  if (expr.kind === 'literal') return expr.literal.kind === 'number' ? 'real' : expr.literal.kind === 'datetime' ? 'datetime' : expr.literal.kind === 'bool' ? 'bool' : 'string';
  return 'bool';
}

function checkColumns(expr: KqlExpr, columns: readonly KqlColumn[], operator: string): void {
  switch (expr.kind) {
    case 'column':
      if (!columns.some((c) => c.name === expr.name)) throw new KqlSemanticError(`'${operator}' operator: Failed to resolve column or scalar expression named '${expr.name}'`);
      return;
    case 'columnIfExists':
      return;
    case 'and':
    case 'or':
    case 'compare':
      checkColumns(expr.left, columns, operator);
      checkColumns(expr.right, columns, operator);
      return;
    case 'not':
      checkColumns(expr.operand, columns, operator);
      return;
    case 'between':
      checkColumns(expr.operand, columns, operator);
      checkColumns(expr.low, columns, operator);
      checkColumns(expr.high, columns, operator);
      return;
    case 'in':
      checkColumns(expr.operand, columns, operator);
      return;
    case 'text':
      checkColumns(expr.operand, columns, operator);
      checkColumns(expr.pattern, columns, operator);
      return;
    case 'literal':
      return;
  }
}

function evaluate(expr: KqlExpr, row: KqlRow): KqlValue {
  switch (expr.kind) {
    case 'literal':
      return literalValue(expr.literal);
    case 'column':
      return row[expr.name] ?? null;
    case 'columnIfExists':
      return row[expr.name] ?? literalValue(expr.fallback);
    case 'and':
      return truthy(evaluate(expr.left, row)) && truthy(evaluate(expr.right, row));
    case 'or':
      return truthy(evaluate(expr.left, row)) || truthy(evaluate(expr.right, row));
    case 'not':
      return !truthy(evaluate(expr.operand, row));
    case 'compare': {
      const left = evaluate(expr.left, row);
      const right = evaluate(expr.right, row);
      switch (expr.op) {
        case '==':
          return equalValues(left, right, false);
        case '!=':
          return !equalValues(left, right, false);
        case '=~':
          return equalValues(left, right, true);
        case '!~':
          return !equalValues(left, right, true);
        default: {
          if (left === null || right === null) return false;
          const cmp = compareValues(left, right);
          return expr.op === '<' ? cmp < 0 : expr.op === '<=' ? cmp <= 0 : expr.op === '>' ? cmp > 0 : cmp >= 0;
        }
      }
    }
    case 'between': {
      const value = evaluate(expr.operand, row);
      if (value === null) return false;
      const inside = compareValues(value, evaluate(expr.low, row)) >= 0 && compareValues(value, evaluate(expr.high, row)) <= 0;
      return expr.negated ? !inside : inside;
    }
    case 'in': {
      const value = evaluate(expr.operand, row);
      const found = expr.values.some((v) => equalValues(value, literalValue(v), expr.caseInsensitive));
      return expr.negated ? !found : found;
    }
    case 'text': {
      const value = evaluate(expr.operand, row);
      const pattern = evaluate(expr.pattern, row);
      if (value === null || pattern === null) return expr.negated;
      const haystack = String(serialize(value)).toLowerCase();
      const needle = String(serialize(pattern)).toLowerCase();
      let hit: boolean;
      switch (expr.op) {
        case 'contains':
          hit = haystack.includes(needle);
          break;
        case 'startswith':
          hit = haystack.startsWith(needle);
          break;
        case 'endswith':
          hit = haystack.endsWith(needle);
          break;
        case 'has':
          hit = hasTerm(haystack, needle);
          break;
      }
      return expr.negated ? !hit : hit;
    }
  }
}

/** `has` matches whole terms: the needle must start and end at boundaries between alphanumeric runs. */
function hasTerm(haystack: string, needle: string): boolean {
  if (!needle) return true;
  let from = 0;
  for (;;) {
    const at = haystack.indexOf(needle, from);
    if (at < 0) return false;
    const before = haystack[at - 1];
    const after = haystack[at + needle.length];
    const boundary = (ch: string | undefined) => ch === undefined || !/[a-z0-9]/i.test(ch);
    if ((boundary(before) || !/[a-z0-9]/i.test(needle[0] ?? '')) && (boundary(after) || !/[a-z0-9]/i.test(needle[needle.length - 1] ?? ''))) return true;
    from = at + 1;
  }
}

function literalValue(literal: KqlLiteral): KqlValue {
  return literal.value;
}

function truthy(value: KqlValue): boolean {
  return value === true;
}

function equalValues(a: KqlValue, b: KqlValue, caseInsensitive: boolean): boolean {
  if (a === null || b === null) return false;
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (typeof a === 'string' && typeof b === 'string') return caseInsensitive ? a.toLowerCase() === b.toLowerCase() : a === b;
  return a === b;
}

function compareValues(a: KqlValue, b: KqlValue): number {
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const left = String(serialize(a));
  const right = String(serialize(b));
  return left < right ? -1 : left > right ? 1 : 0;
}
