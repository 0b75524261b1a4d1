import { SourceError } from '../model/errors.js';
import { matchesAll, parseMatchers, type Matcher } from '../model/selector.js';
import type { SeriesSink } from '../model/series.js';
import { ExpositionSyntaxError, parseSampleLine } from './exposition-parser.js';
import type { BodyConsumer, ResponseHead } from './http-client.js';

/** A longer line is not an exposition (or is an attack): the run fails instead of buffering it. */
export const MAX_LINE_BYTES = 1 << 20;

/**
 * Streams a Prometheus text (0.0.4) or OpenMetrics (1.0) exposition line by
 * line, feeding the samples of one metric that match the filter to `sink`.
 * Strict: invalid UTF-8, an over-long line, a malformed sample line (with its
 * line number) or an OpenMetrics body without `# EOF` fail the whole read.
 */
export class ExpositionConsumer implements BodyConsumer<void> {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private readonly matchers: Matcher[];
  private pending = '';
  private line = 0;
  private bytes = 0;
  private eof = false;
  /** A non-2xx answer: its body (an error page) is not parsed; `finish` reports the status. */
  private errorAnswer = false;

  constructor(
    private readonly metric: string,
    filter: string,
    private readonly sink: SeriesSink,
    private readonly where: string,
  ) {
    this.matchers = parseMatchers(filter);
  }

  start(head: ResponseHead): void {
    this.errorAnswer = head.status < 200 || head.status >= 300;
  }

  write(chunk: Buffer): void {
    if (this.errorAnswer) return;
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      throw new SourceError('parse', `${this.where}: invalid UTF-8 after byte ${this.bytes}`);
    }
    this.bytes += chunk.length;
    this.feed(text);
  }

  private feed(text: string): void {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const piece = text.slice(start, nl);
      this.handle(this.pending === '' ? piece : this.pending + piece);
      this.pending = '';
      start = nl + 1;
    }
    this.pending += text.slice(start);
    if (this.pending.length > MAX_LINE_BYTES) {
      throw new SourceError('parse', `${this.where}:${this.line + 1}: line longer than ${MAX_LINE_BYTES} bytes`);
    }
  }

  private handle(raw: string): void {
    this.line++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.eof) {
      if (line !== '') throw new SourceError('parse', `${this.where}:${this.line}: content after "# EOF"`);
      return;
    }
    if (line === '' || line.charCodeAt(0) === 0x23 /* # */) {
      if (line === '# EOF') this.eof = true;
      return;
    }
    // Every line is parsed, not only the wanted metric's: a malformed or cut
    // body must fail the run, wherever it breaks.
    let s;
    try {
      s = parseSampleLine(line);
    } catch (e) {
      if (e instanceof ExpositionSyntaxError) throw new SourceError('parse', `${this.where}:${this.line}:${e.column}: ${e.message}`);
      throw e;
    }
    if (s.name === this.metric && matchesAll(this.matchers, s.labels)) this.sink(s.labels, s.value);
  }

  finish(head: ResponseHead): void {
    if (head.status < 200 || head.status >= 300) {
      throw new SourceError('http_status', `${this.where}: HTTP ${head.status}`, { status: head.status });
    }
    try {
      this.feed(this.decoder.decode());
    } catch (e) {
      if (e instanceof SourceError) throw e;
      throw new SourceError('parse', `${this.where}: invalid UTF-8 at the end`);
    }
    if (this.pending !== '') this.handle(this.pending);
    this.pending = '';
    if (head.contentType.startsWith('application/openmetrics-text') && !this.eof) {
      throw new SourceError('parse', `${this.where}: OpenMetrics answer without "# EOF" (truncated)`);
    }
  }
}
