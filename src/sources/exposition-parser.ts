/**
 * Parser for one line of the Prometheus text format (0.0.4) or of OpenMetrics
 * 1.0. Ours because the exposition parsers on npm are unmaintained and lack
 * OpenMetrics; it works line by line so callers can stream.
 *
 * It accepts exactly what Prometheus 2.42's parsers (model/textparse) accept
 * and reads it the same way (the e2e test `prometheus-oracle` scrapes a corpus
 * with a real Prometheus and compares). The two formats differ: the text
 * format allows blanks between tokens, blank lines, free comments, labels
 * without commas between them; OpenMetrics allows single spaces only, no blank
 * lines and no comments but HELP, TYPE, UNIT and EOF, and has exemplars and
 * timestamps in seconds.
 */
import {
  goFloat,
  isBlank,
  labelNameEnd,
  metricNameEnd,
  omTimestampMs,
  readQuoted,
  skipBlanks,
  textTimestampMs,
} from './exposition-tokens.js';
import { fail } from './exposition-tokens.js';

export { ExpositionSyntaxError } from './exposition-tokens.js';

export type ExpositionFormat = 'text' | 'openmetrics';

export interface ParsedSample {
  readonly name: string;
  /** Prototype-free: `__proto__` and `constructor` are label names like any other. */
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly timestampMs: number | undefined;
}

/** A sample, `null` for a line without one (comment, metadata, blank), `'eof'` for OpenMetrics' `# EOF`. */
export type ParsedLine = ParsedSample | null | 'eof';

const TEXT_TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const OM_TYPES = new Set(['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown']);

/**
 * The labels of the line being parsed, in two reused arrays: most lines are
 * of metrics nobody asked for, so the map is only built for wanted ones (it
 * halves the time of a read). Duplicates are found by a scan while label sets
 * are small, by a Set beyond.
 */
/**
 * Objects with nothing inherited (their prototype is an empty object without
 * prototype), so `__proto__` or `constructor` are own properties only. Not
 * `Object.create(null)`: V8 keeps those in dictionary mode, which made a
 * read ~40% slower (measured on 200k lines).
 */
const LabelMap = function LabelMap() {} as unknown as new () => object;
LabelMap.prototype = Object.freeze(Object.create(null) as object);

class LabelScratch {
  private names: string[] = [];
  private values: string[] = [];
  private n = 0;
  private seen: Set<string> | null = null;

  reset(): void {
    this.n = 0;
    this.seen = null;
  }

  add(name: string, value: string, pos: number): void {
    // Prometheus refuses the sample at append time (label name not unique), failing the scrape.
    if (name === '__name__' || this.has(name)) fail(`duplicate label "${name}"`, pos);
    this.names[this.n] = name;
    this.values[this.n++] = value;
  }

  private has(name: string): boolean {
    if (this.seen === null && this.n < 16) {
      for (let i = 0; i < this.n; i++) if (this.names[i] === name) return true;
      return false;
    }
    this.seen ??= new Set(this.names.slice(0, this.n));
    if (this.seen.has(name)) return true;
    this.seen.add(name);
    return false;
  }

  /** A prototype-free map: `__proto__` and `constructor` are label names like any other. */
  map(): Record<string, string> {
    const out = new LabelMap() as Record<string, string>;
    for (let i = 0; i < this.n; i++) out[this.names[i] as string] = this.values[i] as string;
    return out;
  }
}

const scratch = new LabelScratch();
const NO_LABELS: Readonly<Record<string, string>> = Object.freeze(Object.create(null) as Record<string, string>);

/** Which metric names' labels the caller reads; the others' lines are only checked. */
export type WantedName = (name: string) => boolean;

function labelsFor(name: string, want: WantedName | undefined): Readonly<Record<string, string>> {
  return want === undefined || want(name) ? scratch.map() : NO_LABELS;
}

/** Text format `{...}` after the `{`: blanks anywhere, optional commas (also trailing). */
function textLabels(line: string, pos: number): number {
  pos = skipBlanks(line, pos);
  while (line[pos] !== '}') {
    const end = labelNameEnd(line, pos);
    if (end === pos) fail('expected a label name or "}"', pos);
    const name = line.slice(pos, end);
    pos = skipBlanks(line, end);
    if (line[pos] !== '=') fail(`expected "=" after label name "${name}"`, pos);
    const at = pos;
    const [value, next] = readQuoted(line, skipBlanks(line, pos + 1));
    scratch.add(name, value, at);
    pos = skipBlanks(line, next);
    if (line[pos] === ',') pos = skipBlanks(line, pos + 1);
  }
  return pos + 1;
}

/** Text format `# ...`: free comments, except `# HELP name text` and `# TYPE name type`. */
function textComment(line: string, pos: number): null {
  if (!isBlank(line.charCodeAt(pos + 1))) return null;
  pos = skipBlanks(line, pos + 1);
  const kw = line.startsWith('HELP', pos) ? 'HELP' : line.startsWith('TYPE', pos) ? 'TYPE' : null;
  if (kw === null || !isBlank(line.charCodeAt(pos + 4))) return null;
  pos = skipBlanks(line, pos + 4);
  const end = metricNameEnd(line, pos);
  if (end === pos) fail(`expected a metric name after ${kw}`, pos);
  // Prometheus drops the one byte after the name: a multi-byte character there leaves invalid UTF-8.
  if (kw === 'HELP' && line.charCodeAt(end) >= 0x80) fail('help text is not valid UTF-8', end);
  const text = line.slice(end + 1);
  if (kw === 'TYPE' && !TEXT_TYPES.has(text)) fail(`invalid metric type ${JSON.stringify(text.slice(0, 40))}`, end);
  return null;
}

/** A text format line (0.0.4), as Prometheus' lexer reads it. */
export function parseTextLine(line: string, want?: WantedName): ParsedLine {
  const start = skipBlanks(line, 0);
  if (start === line.length) return null;
  const c = line.charCodeAt(start);
  if (c === 0x23 /* # */) return textComment(line, start);
  // Prometheus stops reading at a NUL there and keeps what came before: we refuse to lose the rest silently.
  if (c === 0) fail('NUL byte at the start of a line', start);
  // Prometheus takes the blanks as part of the name, which is then invalid.
  if (start > 0) fail('blanks before the metric name', 0);
  const nameEnd = metricNameEnd(line, start);
  if (nameEnd === start) fail('expected a metric name or "#"', start);
  scratch.reset();
  let pos = skipBlanks(line, nameEnd);
  if (line[pos] === '{') pos = skipBlanks(line, textLabels(line, pos + 1));
  let end = pos;
  while (end < line.length && !isBlank(line.charCodeAt(end)) && line[end] !== '{') end++;
  if (end === pos) fail('expected a sample value', pos);
  const value = goFloat(line.slice(pos, end), pos);
  pos = skipBlanks(line, end);
  let timestampMs: number | undefined;
  if (pos < line.length) {
    end = pos;
    while (end < line.length && line.charCodeAt(end) >= 0x30 && line.charCodeAt(end) <= 0x39) end++;
    if (end === pos) fail('expected a timestamp (integer milliseconds) or the end of the line', pos);
    timestampMs = textTimestampMs(line.slice(pos, end), pos);
    if (skipBlanks(line, end) < line.length) fail('unexpected text after the timestamp', end);
  }
  const name = line.slice(start, nameEnd);
  return { name, labels: labelsFor(name, want), value, timestampMs };
}

/** OpenMetrics `{...}` after the `{`: no blanks, commas between labels only. */
function omLabels(line: string, pos: number, unique: boolean): number {
  if (line[pos] === '}') return pos + 1;
  for (;;) {
    const end = labelNameEnd(line, pos);
    if (end === pos) fail('expected a label name', pos);
    if (line[end] !== '=') fail('expected "=" after a label name', end);
    const [value, next] = readQuoted(line, end + 1);
    const name = line.slice(pos, end);
    if (unique) scratch.add(name, value, pos);
    if (line[next] === '}') return next + 1;
    if (line[next] !== ',') fail('expected "," or "}" after a label value', next);
    pos = next + 1;
  }
}

/** `# HELP|TYPE|UNIT name text` or `# EOF`; nothing else starts with `#` in OpenMetrics. */
function omMeta(line: string): null | 'eof' {
  if (line === '# EOF') return 'eof';
  const kw = line.slice(2, 7);
  if (line[1] !== ' ' || (kw !== 'HELP ' && kw !== 'TYPE ' && kw !== 'UNIT ')) {
    fail('expected "# HELP", "# TYPE", "# UNIT" or "# EOF" (OpenMetrics has no other comments)', 0);
  }
  const end = metricNameEnd(line, 7);
  if (end === 7) fail(`expected a metric name after ${kw}`, 7);
  if (line[end] !== ' ') fail(`expected a space and text after the metric name in ${kw.trim()}`, end);
  const text = line.slice(end + 1);
  if (kw === 'TYPE ' && !OM_TYPES.has(text)) fail(`invalid metric type ${JSON.stringify(text.slice(0, 40))}`, end + 1);
  if (kw === 'UNIT ' && text !== '' && !line.slice(7, end).endsWith(`_${text}`)) fail('unit is not a suffix of the metric name', end + 1);
  return null;
}

/** ` # {labels} value [timestamp]` after a sample; only `_total` and `_bucket` series may carry one. */
function omExemplar(line: string, pos: number, name: string): void {
  if (!name.endsWith('_total') && !name.endsWith('_bucket')) fail(`metric name ${name} does not support exemplars`, pos);
  pos = omLabels(line, pos + 4, false);
  const [tokens, at] = spaceTokens(line, pos);
  if (tokens.length === 0 || tokens.length > 2) fail('expected an exemplar value and an optional timestamp', at);
  goFloat(tokens[0] as string, pos);
  if (tokens[1] !== undefined) omTimestampMs(tokens[1], pos);
}

/** ` a b` (each preceded by exactly one space) up to the end of the line. */
function spaceTokens(line: string, pos: number): [string[], number] {
  const out: string[] = [];
  while (pos < line.length) {
    if (line[pos] !== ' ') fail('expected one space', pos);
    let end = line.indexOf(' ', pos + 1);
    if (end === -1) end = line.length;
    if (end === pos + 1) fail('expected one space, not more', pos);
    out.push(line.slice(pos + 1, end));
    pos = end;
  }
  return [out, pos];
}

/** An OpenMetrics 1.0 line, as Prometheus 2.42's OpenMetrics lexer reads it. */
export function parseOpenMetricsLine(line: string, want?: WantedName): ParsedLine {
  if (line === '') fail('empty line (not allowed in OpenMetrics)', 0);
  if (line[0] === '#') return omMeta(line);
  const nameEnd = metricNameEnd(line, 0);
  if (nameEnd === 0) fail('expected a metric name or "#"', 0);
  const name = line.slice(0, nameEnd);
  scratch.reset();
  let pos = nameEnd;
  if (line[pos] === '{') pos = omLabels(line, pos + 1, true);
  const ex = line.indexOf(' # {', pos);
  const [tokens, at] = spaceTokens(line.slice(0, ex === -1 ? line.length : ex), pos);
  if (tokens.length === 0) fail('expected a space and the sample value', at);
  if (tokens.length > 2) fail('unexpected text after the timestamp', at);
  const value = goFloat(tokens[0] as string, pos);
  const timestampMs = tokens[1] === undefined ? undefined : omTimestampMs(tokens[1], pos);
  if (ex !== -1) omExemplar(line, ex, name);
  return { name, labels: labelsFor(name, want), value, timestampMs };
}

/** `want`: when given, only the samples of names it accepts carry their labels (the others an empty map). */
export function parseLine(line: string, format: ExpositionFormat, want?: WantedName): ParsedLine {
  return format === 'openmetrics' ? parseOpenMetricsLine(line, want) : parseTextLine(line, want);
}

/** Parses a sample line (not a comment or blank line) of the text format. */
export function parseSampleLine(line: string, format: ExpositionFormat = 'text'): ParsedSample {
  const parsed = parseLine(line, format);
  if (parsed === null || parsed === 'eof') fail('expected a sample line', 0);
  return parsed;
}
