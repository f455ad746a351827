/**
 * A parser for the subset of Kusto Query Language the product sends to Log Analytics:
 *
 *   Table | where <expr> | project a, b | order by a desc, b asc | take N | summarize count() by a, b
 *
 * Expressions: `and`/`or`/`not()`, parentheses, comparisons (== != =~ !~ < <= > >=), `between (x .. y)`,
 * `in (...)`/`!in (...)`, `contains`/`!contains`/`has`/`!has`/`startswith`, string/number/bool literals,
 * `datetime(...)` and `column_ifexists('name', default)`; `project` also takes `name = expression`. Anything else is a syntax error, reported as the service reports it, so a query that drifts
 * from what the simulator understands fails loudly in tests instead of silently returning nothing.
 */

export type KqlLiteral = { kind: 'string'; value: string } | { kind: 'number'; value: number } | { kind: 'bool'; value: boolean } | { kind: 'datetime'; value: Date };

export type KqlExpr =
  | { kind: 'literal'; literal: KqlLiteral }
  | { kind: 'column'; name: string; pos: number }
  /** `column_ifexists('name', default)`: the column when the table has it, else the default. */
  | { kind: 'columnIfExists'; name: string; fallback: KqlLiteral }
  | { kind: 'and' | 'or'; left: KqlExpr; right: KqlExpr }
  | { kind: 'not'; operand: KqlExpr }
  | { kind: 'compare'; op: '==' | '!=' | '=~' | '!~' | '<' | '<=' | '>' | '>='; left: KqlExpr; right: KqlExpr }
  | { kind: 'between'; operand: KqlExpr; low: KqlExpr; high: KqlExpr; negated: boolean }
  | { kind: 'in'; operand: KqlExpr; values: KqlLiteral[]; negated: boolean; caseInsensitive: boolean }
  | { kind: 'text'; op: 'contains' | 'has' | 'startswith' | 'endswith'; negated: boolean; operand: KqlExpr; pattern: KqlExpr };

export type KqlOperator =
  | { kind: 'where'; predicate: KqlExpr }
  | { kind: 'project'; columns: { name: string; pos: number; expr?: KqlExpr }[] }
  | { kind: 'order'; keys: { name: string; pos: number; descending: boolean }[] }
  | { kind: 'take'; count: number }
  | { kind: 'summarize'; countAlias: string; by: { name: string; pos: number }[] };

export interface KqlQuery {
  readonly table: string;
  readonly tablePos: number;
  readonly operators: readonly KqlOperator[];
}

export class KqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly token: string,
    readonly line: number,
    readonly pos: number,
  ) {
    super(message);
  }
}

type TokenKind = 'ident' | 'string' | 'number' | 'datetime' | 'op' | 'eof';
interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly pos: number;
  readonly value?: string | number | Date;
}

const operators = ['==', '!=', '=~', '!~', '<=', '>=', '..', '|', ',', '(', ')', '<', '>', '='];

export function parseKql(text: string): KqlQuery {
  return new Parser(text, tokenize(text)).parseQuery();
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    const start = i;
    if (/[A-Za-z_]/.test(ch) || (ch === '!' && /[A-Za-z]/.test(text[i + 1] ?? ''))) {
      i++;
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i] ?? '')) i++;
      if (/^!?in$/i.test(text.slice(start, i)) && text[i] === '~') i++;
      const word = text.slice(start, i);
      if (word.toLowerCase() === 'datetime' && peekNonSpace(text, i) === '(') {
        // datetime(2026-11-23T10:00:00Z): the literal inside is not a string token.
        const open = text.indexOf('(', i);
        const close = text.indexOf(')', open);
        if (close < 0) throw syntaxError(text, start, word);
        const inner = text.slice(open + 1, close).trim().replace(/^["']|["']$/g, '');
        const value = parseDatetime(inner);
        if (!value) throw syntaxError(text, open + 1, inner);
        tokens.push({ kind: 'datetime', text: text.slice(start, close + 1), pos: start, value });
        i = close + 1;
        continue;
      }
      tokens.push({ kind: 'ident', text: word, pos: start });
      continue;
    }
    if (ch === '"' || ch === "'") {
      i++;
      let value = '';
      while (i < text.length && text[i] !== ch) {
        if (text[i] === '\\') {
          const next = text[i + 1];
          if (next === undefined) break;
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          i += 2;
          continue;
        }
        value += text[i];
        i++;
      }
      if (text[i] !== ch) throw syntaxError(text, start, text.slice(start));
      i++;
      tokens.push({ kind: 'string', text: text.slice(start, i), pos: start, value });
      continue;
    }
    if (/[0-9]/.test(ch)) {
      while (i < text.length && /[0-9.]/.test(text[i] ?? '') && !text.startsWith('..', i)) i++;
      const numberText = text.slice(start, i);
      if (/[A-Za-z_]/.test(text[i] ?? '')) throw syntaxError(text, start, numberText + (text[i] ?? ''));
      tokens.push({ kind: 'number', text: numberText, pos: start, value: Number(numberText) });
      continue;
    }
    const op = operators.find((o) => text.startsWith(o, i));
    if (!op) throw syntaxError(text, start, ch);
    tokens.push({ kind: 'op', text: op, pos: start });
    i += op.length;
  }
  tokens.push({ kind: 'eof', text: '<end of query>', pos: text.length });
  return tokens;
}

class Parser {
  private index = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  parseQuery(): KqlQuery {
    const table = this.expect('ident');
    const ops: KqlOperator[] = [];
    while (this.peekOp('|')) {
      this.next();
      ops.push(this.parseOperator());
    }
    if (this.peek().kind !== 'eof') this.fail(this.peek());
    return { table: table.text, tablePos: table.pos, operators: ops };
  }

  private parseOperator(): KqlOperator {
    const word = this.expect('ident');
    switch (word.text.toLowerCase()) {
      case 'where':
        return { kind: 'where', predicate: this.parseOr() };
      case 'project':
        return { kind: 'project', columns: this.parseProjection() };
      case 'order':
      case 'sort': {
        const by = this.expect('ident');
        if (by.text.toLowerCase() !== 'by') this.fail(by);
        const keys: { name: string; pos: number; descending: boolean }[] = [];
        do {
          if (keys.length > 0) this.next();
          const column = this.expect('ident');
          let descending = true; // Kusto sorts descending unless told otherwise.
          const dir = this.peek();
          if (dir.kind === 'ident' && (dir.text.toLowerCase() === 'asc' || dir.text.toLowerCase() === 'desc')) {
            descending = dir.text.toLowerCase() === 'desc';
            this.next();
          }
          keys.push({ name: column.text, pos: column.pos, descending });
        } while (this.peekOp(','));
        return { kind: 'order', keys };
      }
      case 'take':
      case 'limit': {
        const count = this.expect('number');
        const value = Number(count.value);
        if (!Number.isInteger(value) || value < 0) this.fail(count);
        return { kind: 'take', count: value };
      }
      case 'summarize': {
        let alias = 'count_';
        if (this.peek().kind === 'ident' && this.tokens[this.index + 1]?.text === '=') {
          alias = this.next().text;
          this.next();
        }
        const fn = this.expect('ident');
        if (fn.text !== 'count') this.fail(fn);
        this.expectOp('(');
        this.expectOp(')');
        const by: { name: string; pos: number }[] = [];
        const next = this.peek();
        if (next.kind === 'ident' && next.text.toLowerCase() === 'by') {
          this.next();
          by.push(...this.parseColumnList());
        }
        return { kind: 'summarize', countAlias: alias, by };
      }
      default:
        return this.fail(word);
    }
  }

  /** `a, b, c = <expr>`. */
  private parseProjection(): { name: string; pos: number; expr?: KqlExpr }[] {
    const columns: { name: string; pos: number; expr?: KqlExpr }[] = [];
    do {
      if (columns.length > 0) this.next();
      const column = this.expect('ident');
      if (this.peekOp('=')) {
        this.next();
        columns.push({ name: column.text, pos: column.pos, expr: this.parseOr() });
      } else {
        columns.push({ name: column.text, pos: column.pos });
      }
    } while (this.peekOp(','));
    return columns;
  }

  private parseColumnList(): { name: string; pos: number }[] {
    const columns: { name: string; pos: number }[] = [];
    do {
      if (columns.length > 0) this.next();
      const column = this.expect('ident');
      columns.push({ name: column.text, pos: column.pos });
    } while (this.peekOp(','));
    return columns;
  }

  private parseOr(): KqlExpr {
    let left = this.parseAnd();
    while (this.peekWord('or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): KqlExpr {
    let left = this.parseUnary();
    while (this.peekWord('and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): KqlExpr {
    if (this.peekWord('not') && this.tokens[this.index + 1]?.text === '(') {
      this.next();
      this.expectOp('(');
      const operand = this.parseOr();
      this.expectOp(')');
      return { kind: 'not', operand };
    }
    return this.parsePredicate();
  }

  private parsePredicate(): KqlExpr {
    const left = this.parsePrimary();
    const token = this.peek();
    if (token.kind === 'op' && ['==', '!=', '=~', '!~', '<', '<=', '>', '>='].includes(token.text)) {
      this.next();
      return { kind: 'compare', op: token.text as '==', left, right: this.parsePrimary() };
    }
    if (token.kind === 'ident') {
      const word = token.text.toLowerCase();
      if (word === 'between' || word === '!between') {
        this.next();
        this.expectOp('(');
        const low = this.parsePrimary();
        this.expectOp('..');
        const high = this.parsePrimary();
        this.expectOp(')');
        return { kind: 'between', operand: left, low, high, negated: word.startsWith('!') };
      }
      if (['in', '!in', 'in~', '!in~'].includes(word)) {
        this.next();
        this.expectOp('(');
        const values: KqlLiteral[] = [];
        do {
          if (values.length > 0) this.next();
          const literal = this.parsePrimary();
          if (literal.kind !== 'literal') this.fail(this.tokens[this.index - 1] ?? token);
          values.push(literal.literal);
        } while (this.peekOp(','));
        this.expectOp(')');
        return { kind: 'in', operand: left, values, negated: word.startsWith('!'), caseInsensitive: word.endsWith('~') };
      }
      const textOp = /^(!?)(contains|has|startswith|endswith)$/.exec(word);
      if (textOp?.[2]) {
        this.next();
        return { kind: 'text', op: textOp[2] as 'contains', negated: textOp[1] === '!', operand: left, pattern: this.parsePrimary() };
      }
    }
    return left;
  }

  private parsePrimary(): KqlExpr {
    const token = this.next();
    switch (token.kind) {
      case 'string':
        return { kind: 'literal', literal: { kind: 'string', value: String(token.value) } };
      case 'number':
        return { kind: 'literal', literal: { kind: 'number', value: Number(token.value) } };
      case 'datetime':
        return { kind: 'literal', literal: { kind: 'datetime', value: token.value as Date } };
      case 'ident': {
        const lower = token.text.toLowerCase();
        if (lower === 'true' || lower === 'false') return { kind: 'literal', literal: { kind: 'bool', value: lower === 'true' } };
        if (['and', 'or', 'not', 'between', 'in', 'contains', 'has', 'by'].includes(lower)) return this.fail(token);
        if (lower === 'column_ifexists' && this.peekOp('(')) {
          this.next();
          const name = this.expect('string');
          this.expectOp(',');
          const fallback = this.parsePrimary();
          if (fallback.kind !== 'literal') this.fail(this.tokens[this.index - 1] ?? token);
          this.expectOp(')');
          return { kind: 'columnIfExists', name: String(name.value), fallback: fallback.literal };
        }
        if (this.peekOp('(')) return this.fail(token); // other function calls are not supported
        return { kind: 'column', name: token.text, pos: token.pos };
      }
      case 'op':
        if (token.text === '(') {
          const inner = this.parseOr();
          this.expectOp(')');
          return inner;
        }
        return this.fail(token);
      default:
        return this.fail(token);
    }
  }

  private peek(): Token {
    return this.tokens[this.index] ?? { kind: 'eof', text: '<end of query>', pos: this.text.length };
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.index++;
    return token;
  }

  private peekOp(op: string): boolean {
    const token = this.peek();
    return token.kind === 'op' && token.text === op;
  }

  private peekWord(word: string): boolean {
    const token = this.peek();
    return token.kind === 'ident' && token.text.toLowerCase() === word;
  }

  private expect(kind: TokenKind): Token {
    const token = this.next();
    if (token.kind !== kind) this.fail(token);
    return token;
  }

  private expectOp(op: string): Token {
    const token = this.next();
    if (token.kind !== 'op' || token.text !== op) this.fail(token);
    return token;
  }

  private fail(token: Token): never {
    throw syntaxError(this.text, token.pos, token.text);
  }
}

function syntaxError(text: string, pos: number, token: string): KqlSyntaxError {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return new KqlSyntaxError(`Query could not be parsed at '${token}' on line [${line},${column}]`, token, line, column);
}

function peekNonSpace(text: string, from: number): string | undefined {
  for (let i = from; i < text.length; i++) if (!/\s/.test(text[i] ?? '')) return text[i];
  return undefined;
}

function parseDatetime(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?)?(Z|[+-]\d{2}:\d{2})?$/.test(text)) return undefined;
  // Kusto reads a datetime without a zone as UTC, and a date alone as its midnight.
  const withTime = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00` : text.replace(' ', 'T');
  const normalized = /[Zz]$|[+-]\d{2}:\d{2}$/.test(withTime) ? withTime : `${withTime}Z`;
  const trimmedFraction = normalized.replace(/(\.\d{3})\d+/, '$1');
  const value = new Date(trimmedFraction);
  return Number.isNaN(value.getTime()) ? undefined : value;
}
