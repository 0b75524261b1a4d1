import type { LabelSet } from './series.js';

/**
 * Label matchers in PromQL selector syntax (`a="x", b=~"y.*", c!=""`), as
 * written in `query_filter`. Used by sources that select series themselves
 * (files, scraped endpoints); query-API sources send the text to the server.
 */
export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
  test(labelValue: string): boolean;
}

export class SelectorSyntaxError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`);
    this.offset = offset;
  }
}

const ESCAPES = new Map([['n', '\n'], ['t', '\t'], ['r', '\r'], ['\\', '\\'], ['"', '"'], ["'", "'"], ['`', '`']]);

function makeMatcher(name: string, op: MatchOp, value: string, at: number): Matcher {
  if (op === '=' || op === '!=') {
    const want = op === '=';
    return { name, op, value, test: (v) => (v === value) === want };
  }
  let re: RegExp;
  try {
    // Prometheus regexes are fully anchored.
    re = new RegExp(`^(?:${value})$`, 's');
  } catch (e) {
    throw new SelectorSyntaxError(`invalid regular expression ${JSON.stringify(value)}: ${(e as Error).message}`, at);
  }
  const want = op === '=~';
  return { name, op, value, test: (v) => re.test(v) === want };
}

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}
  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] ?? '')) this.pos++;
  }
  done(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }
  name(): string {
    this.skipSpace();
    const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(this.text.slice(this.pos));
    if (!m) throw new SelectorSyntaxError('expected a label name', this.pos);
    this.pos += m[0].length;
    return m[0];
  }
  op(): MatchOp {
    this.skipSpace();
    for (const op of ['=~', '!~', '!=', '='] as const) {
      if (this.text.startsWith(op, this.pos)) {
        this.pos += op.length;
        return op;
      }
    }
    throw new SelectorSyntaxError('expected one of =, !=, =~, !~', this.pos);
  }
  string(): string {
    this.skipSpace();
    const quote = this.text[this.pos];
    if (quote !== '"' && quote !== "'" && quote !== '`') throw new SelectorSyntaxError('expected a quoted string', this.pos);
    let out = '';
    for (let i = this.pos + 1; i < this.text.length; i++) {
      const c = this.text[i] as string;
      if (c === quote) {
        this.pos = i + 1;
        return out;
      }
      if (c === '\\' && quote !== '`') {
        const next = this.text[++i] ?? '';
        out += ESCAPES.get(next) ?? `\\${next}`;
      } else {
        out += c;
      }
    }
    throw new SelectorSyntaxError('unterminated string', this.pos);
  }
}

/** Parses the inside of `{...}`; an empty or blank string yields no matchers. */
export function parseMatchers(text: string): Matcher[] {
  const s = new Scanner(text);
  const out: Matcher[] = [];
  while (!s.done()) {
    const at = s.pos;
    const name = s.name();
    const op = s.op();
    out.push(makeMatcher(name, op, s.string(), at));
    if (s.done()) break;
    if (s.text[s.pos] !== ',') throw new SelectorSyntaxError('expected "," between matchers', s.pos);
    s.pos++;
  }
  return out;
}

/**
 * A missing label matches as the empty string, as in Prometheus. Only the
 * series' own labels count: `constructor` or `toString` are label names, not
 * members inherited from Object.prototype.
 */
export function matchesAll(matchers: readonly Matcher[], labels: LabelSet): boolean {
  for (const m of matchers) {
    const v = Object.hasOwn(labels, m.name) ? labels[m.name] : undefined;
    if (!m.test(typeof v === 'string' ? v : '')) return false;
  }
  return true;
}
