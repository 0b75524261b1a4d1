/**
 * Tokens shared by the text format and OpenMetrics parsers
 * (exposition-parser.ts), read the way Prometheus 2.42 reads them.
 */

export class ExpositionSyntaxError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
  }
}

export function fail(message: string, pos: number): never {
  throw new ExpositionSyntaxError(message, pos + 1);
}

/** Space or tab: the only blanks of the text format. */
export function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

export function skipBlanks(line: string, pos: number): number {
  while (isBlank(line.charCodeAt(pos))) pos++;
  return pos;
}

function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** End of `[a-zA-Z_:][a-zA-Z0-9_:]*` from `pos` (`pos` itself when there is none). */
export function metricNameEnd(line: string, pos: number): number {
  const first = line.charCodeAt(pos);
  if (!isLetter(first) && first !== 0x3a) return pos;
  let i = pos + 1;
  for (let c = line.charCodeAt(i); isLetter(c) || isDigit(c) || c === 0x3a; c = line.charCodeAt(++i));
  return i;
}

/** End of `[a-zA-Z_][a-zA-Z0-9_]*` from `pos`. */
export function labelNameEnd(line: string, pos: number): number {
  if (!isLetter(line.charCodeAt(pos))) return pos;
  let i = pos + 1;
  for (let c = line.charCodeAt(i); isLetter(c) || isDigit(c); c = line.charCodeAt(++i));
  return i;
}

/** `"..."` at `pos`: `\\`, `\"` and `\n` unescaped, any other escape kept as written (as Prometheus does). */
export function readQuoted(line: string, pos: number): [string, number] {
  if (line[pos] !== '"') fail("expected '\"' to start a label value", pos);
  let out = '';
  let start = pos + 1;
  for (let i = start; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x22) return [out + line.slice(start, i), i + 1];
    if (c === 0x5c) {
      if (i + 1 >= line.length) break;
      const next = line[i + 1] as string;
      out += line.slice(start, i) + (next === 'n' ? '\n' : next === '\\' || next === '"' ? next : `\\${next}`);
      i++;
      start = i + 1;
    }
  }
  return fail('unterminated label value', pos);
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Go's ParseFloat reads Inf (with a sign) and NaN (without) in any case; prom-client writes `Nan`. */
const SPECIAL = /^(?:([+-]?)inf(?:inity)?|nan)$/i;

/**
 * A sample value as Prometheus reads it: Go's ParseFloat minus hexadecimal
 * and `_` (Prometheus refuses `p`, `P`, `_`), so a value beyond ±1.8e308 is
 * an error, not an infinity.
 */
export function goFloat(tok: string, pos: number): number {
  const special = SPECIAL.exec(tok);
  if (special) return /^nan$/i.test(tok) ? NaN : special[1] === '-' ? -Infinity : Infinity;
  const n = DECIMAL.test(tok) ? Number(tok) : NaN;
  if (Number.isNaN(n)) fail(`invalid sample value ${JSON.stringify(tok.slice(0, 40))}`, pos);
  if (!Number.isFinite(n)) fail(`sample value ${JSON.stringify(tok.slice(0, 40))} out of range`, pos);
  return n;
}

const INT64_MAX = 9223372036854775807n;

/** Text format: integer milliseconds (digits only, no sign), at most int64. */
export function textTimestampMs(digits: string, pos: number): number {
  if (digits.length > 18 && BigInt(digits) > INT64_MAX) fail(`timestamp ${digits.slice(0, 40)} out of range`, pos);
  return Number(digits);
}

/** OpenMetrics: seconds, a float (not NaN or infinite), truncated to milliseconds as Prometheus does. */
export function omTimestampMs(tok: string, pos: number): number {
  const s = goFloat(tok, pos);
  if (!Number.isFinite(s)) fail(`invalid timestamp ${JSON.stringify(tok.slice(0, 40))}`, pos);
  return Math.trunc(s * 1000);
}
