/**
 * The string and name tokens of label matchers, following Prometheus' own
 * lexer (promql/parser/lex.go, `lexInsideBraces`, `lexString`, `lexEscape`):
 * `"…"` and `'…'` take the escapes \a \b \f \n \r \t \v \\ and their own
 * quote, octal \NNN, \xNN, \uNNNN and \UNNNNNNNN, and nothing else (`"\d"` is
 * an error: a regex class is written `"\\d"` or in backticks); they end at the
 * line's end. Backtick strings are raw.
 */

export class SelectorSyntaxError extends Error {
  /** 0-based character position in the matcher text. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/** Digits and base of the numeric escapes, as in lex.go. */
const NUMERIC: Readonly<Record<string, readonly [number, number, number]>> = {
  x: [2, 16, 0xff],
  u: [4, 16, 0x10ffff],
  U: [8, 16, 0x10ffff],
};

/** Reads one escape after the backslash at `at`; returns the text and the index after it. */
function escape(text: string, at: number, quote: string): [string, number] {
  const ch = text[at + 1];
  if (ch === undefined) throw new SelectorSyntaxError('escape sequence not terminated', at);
  const simple = ch === quote ? quote : SIMPLE_ESCAPES[ch];
  if (simple !== undefined) return [simple, at + 2];
  const octal = /^[0-7]$/.test(ch);
  const spec = octal ? ([3, 8, 0xff] as const) : NUMERIC[ch];
  if (!spec)
    throw new SelectorSyntaxError(
      `unknown escape sequence "\\${ch}" (a regex escape such as \\d is written \\\\d, or use a \`backtick\` string)`,
      at,
    );
  const [n, base] = spec;
  const start = octal ? at + 1 : at + 2;
  const digits = text.slice(start, start + n);
  const valid = base === 8 ? /^[0-7]+$/ : /^[0-9a-fA-F]+$/;
  if (digits.length < n || !valid.test(digits))
    throw new SelectorSyntaxError('invalid escape sequence: needs ' + `${n} ${base === 8 ? 'octal' : 'hex'} digits`, at);
  const code = parseInt(digits, base);
  if (code > spec[2] || (code >= 0xd800 && code < 0xe000))
    throw new SelectorSyntaxError('escape sequence is an invalid Unicode code point', at);
  return [String.fromCodePoint(code), start + n];
}

/** A quoted string starting at `at` (which holds the quote); returns its value and the index after it. */
export function readString(text: string, at: number): [string, number] {
  const quote = text[at] as string;
  let out = '';
  let i = at + 1;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === quote) return [out, i + 1];
    if (quote !== '`' && c === '\n') break;
    if (c === '\\' && quote !== '`') {
      const [s, next] = escape(text, i, quote);
      out += s;
      i = next;
    } else {
      out += c;
      i++;
    }
  }
  throw new SelectorSyntaxError(
    quote === '`' ? 'unterminated raw string' : `unterminated quoted string (the ${quote} opened here is not closed)`,
    at,
  );
}

export function isQuote(c: string | undefined): boolean {
  return c === '"' || c === "'" || c === '`';
}

/** `[a-zA-Z_][a-zA-Z0-9_]*` at `at`, or null. */
export function readIdentifier(text: string, at: number): string | null {
  const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(at));
  return m ? m[0] : null;
}
