import { SourceError } from '../model/errors.js';
import type { BodyConsumer, ResponseHead } from './http-client.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Of an error answer, only this much is kept: its start goes into the message. */
const ERROR_PREVIEW_BYTES = 120;

/**
 * Collects a JSON document (an HTTP answer or a file) for `JSON.parse`.
 *
 * Whole, not streamed: `records` is any JSONPath (filters, slices such as
 * `[-1:]`, `..`, `^N` ancestors), which needs the document. So memory is
 * bounded by `maxBytes` of decoded text (a gzip bomb is cut at `maxBytes` of
 * output, not input), and the run fails with `too_large` naming the option to
 * raise. Text is decoded as it arrives, strictly: invalid UTF-8 fails the run
 * like a scraped exposition does, rather than turning into U+FFFD.
 */
export class JsonBodyReader implements BodyConsumer<Json> {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private readonly parts: string[] = [];
  private readonly errorHead: Buffer[] = [];
  private bytes = 0;
  private errorAnswer = false;

  /** `limitName`: the option that sets `maxBytes`, named in the error. */
  constructor(
    private readonly where: string,
    private readonly maxBytes: number,
    private readonly limitName: string,
  ) {}

  start(head: ResponseHead): void {
    this.errorAnswer = head.status < 200 || head.status >= 300;
  }

  write(chunk: Buffer): void {
    const before = this.bytes;
    this.bytes += chunk.length;
    if (this.errorAnswer) {
      if (before < ERROR_PREVIEW_BYTES) this.errorHead.push(chunk.subarray(0, ERROR_PREVIEW_BYTES - before));
      return;
    }
    if (this.bytes > this.maxBytes) {
      throw new SourceError(
        'too_large',
        `${this.where}: JSON document larger than ${this.limitName} (${this.maxBytes} bytes, decompressed); it is parsed whole, so raise ${this.limitName} only as far as the heap allows`,
      );
    }
    try {
      this.parts.push(this.decoder.decode(chunk, { stream: true }));
    } catch {
      throw new SourceError('parse', `${this.where}: invalid UTF-8 in the JSON document after byte ${before}`);
    }
  }

  finish(head: ResponseHead): Json {
    if (this.errorAnswer) {
      const text = Buffer.concat(this.errorHead).toString('utf8');
      throw new SourceError('http_status', `HTTP ${head.status}: ${JSON.stringify(text)}`, { status: head.status });
    }
    try {
      this.parts.push(this.decoder.decode());
    } catch {
      throw new SourceError('parse', `${this.where}: invalid UTF-8 at the end of the JSON document (byte ${this.bytes})`);
    }
    const text = this.parts.join('');
    this.parts.length = 0;
    try {
      return JSON.parse(text) as Json;
    } catch (e) {
      throw new SourceError(
        'bad_response',
        `${this.where}: not JSON (${(e as Error).message}); starts with ${JSON.stringify(text.slice(0, 80))}`,
      );
    }
  }
}
