import type { LabelSet } from './series.js';
import { localRegExp, regexProblem } from './re2-check.js';
import { isQuote, readIdentifier, readString, SelectorSyntaxError } from './selector-lex.js';

export { SelectorSyntaxError } from './selector-lex.js';

/**
 * Label matchers in PromQL selector syntax (`a="x", b=~"y.*", c!=""`), as
 * written in `query_filter`. Every source's filter is parsed at load (config
 * mistakes are caught by `check`); sources that select series themselves
 * (files, scraped endpoints) also match with the result, query-API sources
 * send the text as written.
 *
 * The grammar is Prometheus' (promql/parser lex.go, inside braces): a label
 * name (`[a-zA-Z_][a-zA-Z0-9_]*`, or a quoted UTF-8 name as in Prometheus 3),
 * one of `=`, `!=`, `=~`, `!~`, a string in "", '' or ``; matchers separated
 * by commas, a trailing comma allowed, spaces anywhere between tokens.
 * MetricsQL (VictoriaMetrics) also joins groups with `or`: `a="b" or c="d"`
 * matches series that satisfy every matcher of at least one group.
 */
export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
  test(labelValue: string): boolean;
}

export interface SelectorOptions {
  /** Accept MetricsQL's `or` between groups of matchers (VictoriaMetrics only). */
  readonly allowOr?: boolean;
  /** The matchers will match series here (scrape and file sources): regexes must also compile in JavaScript. */
  readonly local?: boolean;
}

function makeMatcher(name: string, op: MatchOp, value: string, at: number, local: boolean): Matcher {
  if (op === '=' || op === '!=') {
    const want = op === '=';
    return { name, op, value, test: (v) => (v === value) === want };
  }
  const problem = regexProblem(value, local);
  if (problem) throw new SelectorSyntaxError(problem, at);
  // Only sources that match locally use `test`; a query-API source's regex
  // (checked as RE2 above) may have no JavaScript form: compiled on first use.
  let re: RegExp | undefined = local ? localRegExp(value) : undefined;
  const want = op === '=~';
  return { name, op, value, test: (v) => (re ??= localRegExp(value)).test(v) === want };
}

const OPS: readonly MatchOp[] = ['=~', '!~', '!=', '='];

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
    if (isQuote(this.text[this.pos])) {
      const [name, next] = readString(this.text, this.pos);
      if (name === '') throw new SelectorSyntaxError('a label name cannot be empty', this.pos);
      this.pos = next;
      return name;
    }
    const name = readIdentifier(this.text, this.pos);
    if (name === null) throw new SelectorSyntaxError(`expected a label name, found ${this.near()}`, this.pos);
    this.pos += name.length;
    return name;
  }
  op(): MatchOp {
    this.skipSpace();
    const op = OPS.find((o) => this.text.startsWith(o, this.pos));
    if (!op) throw new SelectorSyntaxError(`expected one of =, !=, =~, !~ after the label name, found ${this.near()}`, this.pos);
    this.pos += op.length;
    return op;
  }
  value(): string {
    this.skipSpace();
    if (!isQuote(this.text[this.pos]))
      throw new SelectorSyntaxError(`expected a quoted value ("…", '…' or \`…\`), found ${this.near()}`, this.pos);
    const [value, next] = readString(this.text, this.pos);
    this.pos = next;
    return value;
  }
  /** The word `or` as a separator (not the start of a longer name). */
  orKeyword(): boolean {
    return /^or(?![a-zA-Z0-9_])/.test(this.text.slice(this.pos, this.pos + 3));
  }
  near(): string {
    if (this.pos >= this.text.length) return 'the end';
    return JSON.stringify(this.text.slice(this.pos, this.pos + 12));
  }
}

/** After a matcher: true when another group starts (`or`), false for the same group or the end. */
function separator(s: Scanner, opts: SelectorOptions): boolean {
  if (s.text[s.pos] === ',') {
    s.pos++;
    return false;
  }
  if (s.orKeyword()) {
    if (!opts.allowOr)
      throw new SelectorSyntaxError('"or" between matchers is MetricsQL: it needs a source with flavor: victoriametrics', s.pos);
    s.pos += 2;
    if (s.done()) throw new SelectorSyntaxError('expected matchers after "or"', s.pos);
    return true;
  }
  if (s.text[s.pos] === '{' || s.text[s.pos] === '}')
    throw new SelectorSyntaxError('query_filter is the inside of {…}: write the matchers without braces', s.pos);
  throw new SelectorSyntaxError(`expected "," between matchers, found ${s.near()}`, s.pos);
}

/**
 * Parses the inside of `{...}` into groups of matchers (one group unless
 * MetricsQL's `or` is used); an empty or blank string yields one empty group.
 */
export function parseSelector(text: string, opts: SelectorOptions = {}): Matcher[][] {
  const s = new Scanner(text);
  const groups: Matcher[][] = [[]];
  while (!s.done()) {
    const at = s.pos;
    if (text[at] === '{' || text[at] === '}')
      throw new SelectorSyntaxError('query_filter is the inside of {…}: write the matchers without braces', at);
    const name = s.name();
    const op = s.op();
    const valueAt = (s.skipSpace(), s.pos);
    (groups[groups.length - 1] as Matcher[]).push(makeMatcher(name, op, s.value(), valueAt, opts.local === true));
    if (s.done()) break;
    if (separator(s, opts)) groups.push([]);
  }
  return groups;
}

/** One group of matchers (no `or`), for sources that select series themselves. */
export function parseMatchers(text: string): Matcher[] {
  return parseSelector(text, { local: true })[0] ?? [];
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
