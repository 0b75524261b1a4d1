import { SourceError } from '../model/errors.js';
import type { SeriesSink } from '../model/series.js';
import { preview } from './body.js';
import type { BodyConsumer, ResponseHead } from './http-client.js';
import { decodeFull, decodeProjected } from './vector-element.js';
import { MAX_SKELETON_CHARS, TruncatedError, VectorStreamParser } from './vector-stream.js';
import { backendErrorText, isWrongPath, QUERY_API_BASE_URLS } from '../model/query-api.js';

interface Envelope {
  status?: unknown;
  errorType?: unknown;
  error?: unknown;
  warnings?: unknown;
  data?: { resultType?: unknown; result?: unknown };
}

const PREVIEW_BYTES = 200;

/**
 * Reads a `/api/v1/query` answer as it streams in, feeding each series of the
 * vector to `sink`, then checks the envelope in `finish`: error envelopes,
 * non-2xx statuses, non-JSON bodies (an HTML page from a proxy), truncated
 * JSON and answers of the wrong shape all become a `SourceError`. The caller
 * discards whatever the sink received when `finish` throws.
 */
export class VectorReader implements BodyConsumer<string[]> {
  private readonly parser: VectorStreamParser;
  private readonly head: Buffer[] = [];
  private headBytes = 0;

  /**
   * `projection`: the only labels the caller needs, or null for all. With a
   * projection, elements are decoded by `decodeProjected` (the fast path).
   * A label value longer than `maxLabelValueBytes` fails the run (`too_large`);
   * so does a series longer than 8 times that plus 1 MiB (memory is bounded
   * by the configuration, not by the answer), or an envelope over 1 MiB.
   */
  constructor(sink: SeriesSink, projection: readonly string[] | null = null, maxLabelValueBytes = Infinity) {
    const patterns = projection?.map((k) => `"${k}":"`);
    // A plain object is safe here (and a fast-mode one): projection keys are configured label
    // names, which can never be `__proto__` (names starting with `__` are refused at load).
    const scratch: Record<string, string | undefined> = {};
    const limits = { maxSkeletonChars: MAX_SKELETON_CHARS, maxElementChars: 8 * maxLabelValueBytes + (1 << 20) };
    this.parser = new VectorStreamParser((json) => {
      const e =
        projection && patterns
          ? decodeProjected(json, projection, patterns, scratch, maxLabelValueBytes)
          : decodeFull(json, maxLabelValueBytes);
      sink(e.labels, e.value);
    }, limits);
  }

  write(chunk: Buffer): void {
    if (this.headBytes < PREVIEW_BYTES) {
      this.head.push(chunk.subarray(0, PREVIEW_BYTES - this.headBytes));
      this.headBytes += Math.min(chunk.length, PREVIEW_BYTES);
    }
    this.parser.write(chunk);
  }

  /**
   * The reason first: the status, then the backend's own words (without
   * VictoriaMetrics' echo of the request), then a hint where the path is wrong.
   */
  private notAnswer(res: ResponseHead): SourceError {
    const ok = res.status >= 200 && res.status < 300;
    const ct = res.contentType ? ` (${res.contentType})` : '';
    const text = backendErrorText(Buffer.concat(this.head).toString('utf8'));
    const said = preview(Buffer.from(text), 160);
    const hint =
      !ok && isWrongPath(res.status, text)
        ? `; the source's url must be the API's base, below which /api/v1/query is asked. ${QUERY_API_BASE_URLS}`
        : '';
    const what = ok ? `not a Prometheus API answer, body starts with ${said}` : `${said} (not a Prometheus API answer)${hint}`;
    return new SourceError(ok ? 'bad_response' : 'http_status', `HTTP ${res.status}${ct}: ${what}`, { status: res.status });
  }

  private envelope(res: ResponseHead): Envelope {
    if (this.parser.notJson) throw this.notAnswer(res);
    let skeleton: string;
    try {
      skeleton = this.parser.end();
    } catch (e) {
      if (!(e instanceof TruncatedError)) throw e;
      if (this.headBytes === 0 || res.status < 200 || res.status >= 300) throw this.notAnswer(res);
      throw new SourceError('bad_response', `HTTP ${res.status}: ${e.message}; body starts with ${preview(Buffer.concat(this.head))}`);
    }
    try {
      return JSON.parse(skeleton) as Envelope;
    } catch {
      throw this.notAnswer(res);
    }
  }

  /** Validates the whole answer; returns its warnings. */
  finish(res: ResponseHead): string[] {
    const env = this.envelope(res);
    if (env.status === 'error' || res.status < 200 || res.status >= 300) {
      const type = typeof env.errorType === 'string' ? env.errorType : 'unknown';
      const msg = typeof env.error === 'string' ? env.error : 'no error message';
      throw new SourceError('error_envelope', `HTTP ${res.status}: ${type}: ${msg}`, { status: res.status });
    }
    if (env.status !== 'success' || !env.data || !Array.isArray(env.data.result)) {
      throw new SourceError(
        'bad_response',
        `HTTP ${res.status}: JSON without status "success" and data.result; body starts with ${preview(Buffer.concat(this.head))}`,
      );
    }
    if (env.data.resultType !== 'vector') {
      throw new SourceError('bad_response', `expected resultType "vector", got ${JSON.stringify(env.data.resultType)}`);
    }
    if (env.data.result.length > 0) {
      throw new SourceError('bad_response', 'data.result was not recognized while streaming (keys written with escapes?)');
    }
    return Array.isArray(env.warnings) ? env.warnings.filter((w): w is string => typeof w === 'string') : [];
  }
}

/** A whole answer at once (tests, small bodies). */
export function feedVector(
  res: ResponseHead & { readonly body: Buffer },
  sink: SeriesSink,
  projection: readonly string[] | null = null,
  maxLabelValueBytes = Infinity,
): string[] {
  const reader = new VectorReader(sink, projection, maxLabelValueBytes);
  try {
    reader.write(res.body);
  } catch (e) {
    if (e instanceof SourceError) throw e;
    throw new SourceError('bad_response', (e as Error).message);
  }
  return reader.finish(res);
}
