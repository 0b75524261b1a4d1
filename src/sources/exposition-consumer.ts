import { isUtf8 } from 'node:buffer';
import { SourceError } from '../model/errors.js';
import { labelText } from '../model/label-text.js';
import { matchesAll, parseMatchers, type Matcher } from '../model/selector.js';
import { CHECK_MASK, runNow, runSliced, type Steps } from '../model/time-slice.js';
import type { LabelSet, SeriesSink } from '../model/series.js';
import { ExpositionSyntaxError, parseLine, type ExpositionFormat, type ParsedSample } from './exposition-parser.js';
import type { BodyConsumer, ResponseHead } from './http-client.js';

/** A longer line (in bytes, newline excluded) is not an exposition (or is an attack): the run fails instead of buffering it. */
export const MAX_LINE_BYTES = 1 << 20;

/** The newest point of one series seen so far; no timestamp means "now", newer than any. */
interface Point {
  readonly labels: LabelSet;
  readonly value: number;
  readonly ts: number;
}

/** OpenMetrics by Content-Type, as Prometheus decides; anything else is the text format. */
export function expositionFormat(contentType: string): ExpositionFormat {
  const media = contentType.split(';', 1)[0]?.trim().toLowerCase();
  return media === 'application/openmetrics-text' ? 'openmetrics' : 'text';
}

/** A text format comment that is not HELP or TYPE: Prometheus does not look at its bytes. */
function isFreeComment(line: Buffer): boolean {
  let i = 0;
  while (line[i] === 0x20 || line[i] === 0x09) i++;
  if (line[i] !== 0x23) return false;
  if (line[i + 1] !== 0x20 && line[i + 1] !== 0x09) return true;
  for (i++; line[i] === 0x20 || line[i] === 0x09;) i++;
  const word = line.toString('latin1', i, i + 5);
  return !/^(?:HELP|TYPE)[ \t]/.test(word);
}

/**
 * Streams a Prometheus text (0.0.4) or OpenMetrics (1.0) exposition line by
 * line (the format by Content-Type, as Prometheus picks it) and hands the
 * series of one metric that match the filter to `sink` once the body is
 * complete and valid. Several points of one series (timestamped OpenMetrics
 * or text) resolve to the newest, as a Prometheus query would read them.
 * Strict where Prometheus is: invalid UTF-8 outside free comments, an
 * over-long line, a malformed line (with its line number), an OpenMetrics
 * body without `# EOF` or with anything after it fail the whole read.
 */
export class ExpositionConsumer implements BodyConsumer<void> {
  private readonly matchers: Matcher[];
  private readonly wanted = (name: string): boolean => name === this.metric;
  private format: ExpositionFormat = 'text';
  /** Bytes of the current, unfinished line. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private line = 0;
  private eof = false;
  /** The wanted series by label text, in order of first appearance. */
  private readonly points = new Map<string, Point>();
  /** A non-2xx answer: its body (an error page) is not parsed; `finish` reports the status. */
  private errorAnswer = false;

  constructor(
    private readonly metric: string,
    filter: string,
    private readonly sink: SeriesSink,
    private readonly where: string,
    /**
     * `finish` only checks the body; the caller then hands the series over with
     * `deliver`, in slices, so 200k series never hold the event loop at once
     * (measured: a 435 ms stall of CPU when fed in one loop). Off: `finish` feeds them.
     */
    private readonly deferred = false,
  ) {
    this.matchers = parseMatchers(filter);
  }

  start(head: ResponseHead): void {
    this.errorAnswer = head.status < 200 || head.status >= 300;
    this.format = expositionFormat(head.contentType);
  }

  write(chunk: Buffer): void {
    if (this.errorAnswer) return;
    const last = chunk.lastIndexOf(0x0a);
    if (last === -1) {
      this.hold(chunk);
      return;
    }
    const head = chunk.subarray(0, last + 1);
    const block = this.pendingBytes === 0 ? head : Buffer.concat([...this.pending, head]);
    this.pending = [];
    this.pendingBytes = 0;
    this.lines(block);
    this.hold(chunk.subarray(last + 1));
  }

  private hold(rest: Buffer): void {
    if (rest.length === 0) return;
    this.pendingBytes += rest.length;
    if (this.pendingBytes > MAX_LINE_BYTES) this.tooLong(this.line + 1);
    // A copy: a slice would keep the whole chunk alive.
    this.pending.push(Buffer.from(rest));
  }

  private tooLong(line: number): never {
    throw new SourceError('parse', `${this.where}:${line}: line longer than ${MAX_LINE_BYTES} bytes`);
  }

  /** `block`: whole lines, each ending in a newline. */
  private lines(block: Buffer): void {
    // Only a block longer than the limit can hold a line longer than it.
    const fast = block.length <= MAX_LINE_BYTES && isUtf8(block);
    let start = 0;
    for (let nl = block.indexOf(0x0a); nl !== -1; nl = block.indexOf(0x0a, start)) {
      // One string per line, not slices of one string per block: a kept sample's
      // label values would hold the whole block's text alive (measured: 2x slower).
      if (fast) this.handle(block.toString('utf8', start, nl));
      else this.bytes(block.subarray(start, nl));
      start = nl + 1;
    }
  }

  /** One line as bytes: the slow path, for long blocks and invalid UTF-8. */
  private bytes(line: Buffer): void {
    if (line.length > MAX_LINE_BYTES) this.tooLong(this.line + 1);
    if (isUtf8(line)) return this.handle(line.toString('utf8'));
    if (this.format === 'text' && !this.eof && isFreeComment(line)) {
      this.line++;
      return;
    }
    throw new SourceError('parse', `${this.where}:${this.line + 1}: invalid UTF-8`);
  }

  private handle(line: string): void {
    this.line++;
    if (this.eof) throw new SourceError('parse', `${this.where}:${this.line}: content after "# EOF"`);
    let s;
    try {
      // Every line is parsed, not only the wanted metric's: a malformed or cut
      // body must fail the run, wherever it breaks.
      s = parseLine(line, this.format, this.wanted);
    } catch (e) {
      if (e instanceof ExpositionSyntaxError) throw new SourceError('parse', `${this.where}:${this.line}:${e.column}: ${e.message}`);
      throw e;
    }
    if (s === 'eof') this.eof = true;
    else if (s !== null && s.name === this.metric && matchesAll(this.matchers, s.labels)) this.keep(s);
  }

  private keep(s: ParsedSample): void {
    const names = Object.keys(s.labels).sort();
    const key = labelText(
      names,
      names.map((n) => s.labels[n] as string),
    );
    const ts = s.timestampMs ?? Infinity;
    const before = this.points.get(key);
    // Equal timestamps: Prometheus keeps the first (a duplicate sample is dropped).
    if (before === undefined || ts > before.ts) this.points.set(key, { labels: s.labels, value: s.value, ts });
  }

  finish(head: ResponseHead): void {
    if (head.status < 200 || head.status >= 300) {
      throw new SourceError('http_status', `${this.where}: HTTP ${head.status}`, { status: head.status });
    }
    if (this.pendingBytes > 0) this.bytes(Buffer.concat(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
    if (this.format === 'openmetrics' && !this.eof) {
      throw new SourceError('parse', `${this.where}: OpenMetrics answer without "# EOF" (truncated)`);
    }
    if (!this.deferred) runNow(this.feed());
  }

  /** With `deferred`: hands the series to the sink after `finish`, giving the event loop turns; honours `signal`. */
  deliver(signal: AbortSignal): Promise<void> {
    return runSliced(this.feed(), signal);
  }

  private *feed(): Steps<void> {
    let i = 0;
    for (const p of this.points.values()) {
      this.sink(p.labels, p.value);
      if ((++i & CHECK_MASK) === 0) yield;
    }
    this.points.clear();
  }
}
