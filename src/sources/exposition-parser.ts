/**
 * Parser for one line of the Prometheus text format (0.0.4) and OpenMetrics
 * 1.0 sample lines. Ours because the exposition parsers on npm are unmaintained
 * and lack OpenMetrics; it works line by line so callers can stream.
 */

export interface ParsedSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
  readonly timestampMs: number | undefined;
}

export class ExpositionSyntaxError extends Error {
  constructor(message: string, readonly column: number) {
    super(message);
  }
}

const NAME_RE = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_RE = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const UNESCAPE: Record<string, string> = { n: '\n', '\\': '\\', '"': '"' };

function fail(message: string, pos: number): never {
  throw new ExpositionSyntaxError(message, pos + 1);
}

function skipSpaces(line: string, pos: number): number {
  while (line[pos] === ' ' || line[pos] === '\t') pos++;
  return pos;
}

function readQuoted(line: string, pos: number): [string, number] {
  if (line[pos] !== '"') fail('expected \'"\' to start a label value', pos);
  let out = '';
  let start = pos + 1;
  for (let i = start; i < line.length; i++) {
    const c = line[i];
    if (c === '"') return [out + line.slice(start, i), i + 1];
    if (c === '\\') {
      const next = line[i + 1] ?? '';
      out += line.slice(start, i) + (UNESCAPE[next] ?? `\\${next}`);
      i++;
      start = i + 1;
    }
  }
  return fail('unterminated label value', pos);
}

function readLabels(line: string, pos: number, labels: Record<string, string>): number {
  pos = skipSpaces(line, pos + 1);
  while (line[pos] !== '}') {
    LABEL_RE.lastIndex = pos;
    const m = LABEL_RE.exec(line);
    if (!m) fail('expected a label name', pos);
    const name = m[0];
    pos = skipSpaces(line, pos + name.length);
    if (line[pos] !== '=') fail(`expected "=" after label name "${name}"`, pos);
    const [value, next] = readQuoted(line, skipSpaces(line, pos + 1));
    if (Object.hasOwn(labels, name)) fail(`duplicate label "${name}"`, pos);
    labels[name] = value;
    pos = skipSpaces(line, next);
    if (line[pos] === ',') pos = skipSpaces(line, pos + 1);
    else if (line[pos] !== '}') fail('expected "," or "}" after a label value', pos);
  }
  return pos + 1;
}

/** Go's ParseFloat, which Prometheus uses, reads NaN and Inf in any case (prom-client writes `Nan`). */
const SPECIAL: Record<string, number> = { nan: NaN, inf: Infinity, '+inf': Infinity, '-inf': -Infinity, infinity: Infinity, '+infinity': Infinity, '-infinity': -Infinity };

function parseFloatToken(tok: string, pos: number): number {
  const special = SPECIAL[tok.toLowerCase()];
  if (special !== undefined) return special;
  const n = Number(tok);
  if (tok === '' || Number.isNaN(n) || /^[+-]?0[xob]/i.test(tok)) fail(`invalid sample value ${JSON.stringify(tok.slice(0, 40))}`, pos);
  return n;
}

/** Parses a sample line (not a comment or blank line). */
export function parseSampleLine(line: string): ParsedSample {
  NAME_RE.lastIndex = 0;
  const m = NAME_RE.exec(line);
  if (!m) fail('expected a metric name', 0);
  const labels: Record<string, string> = {};
  let pos = m[0].length;
  if (line[pos] === '{') pos = readLabels(line, pos, labels);
  if (line[pos] !== ' ' && line[pos] !== '\t') fail('expected a space before the sample value', pos);
  pos = skipSpaces(line, pos);
  // Value, optional timestamp, then an optional OpenMetrics exemplar (` # {...} v [ts]`).
  const rest = line.slice(pos).split('#', 1)[0]?.trim() ?? '';
  const [valueTok = '', tsTok, extra] = rest.split(/[ \t]+/);
  if (extra !== undefined) fail('unexpected text after the timestamp', pos);
  const value = parseFloatToken(valueTok, pos);
  let timestampMs: number | undefined;
  if (tsTok !== undefined) {
    const ts = Number(tsTok);
    if (!Number.isFinite(ts)) fail(`invalid timestamp ${JSON.stringify(tsTok.slice(0, 40))}`, pos);
    timestampMs = ts;
  }
  return { name: m[0], labels, value, timestampMs };
}
