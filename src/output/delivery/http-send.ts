import { DeadlineExceeded, withDeadline } from '../../model/deadline.js';
import { SourceError } from '../../model/errors.js';
import { redactUrlsInText } from '../../model/url.js';
import type { BodyConsumer, HttpClient, RequestSpec, ResponseHead } from '../../sources/http-client.js';
import type { FailureReason } from './observer.js';

/** A longer Retry-After is not waited for in full. */
const MAX_RETRY_AFTER_SECONDS = 300;
/** Enough of an error answer to say why (e.g. "out of order sample"). */
const ERROR_PREVIEW_BYTES = 512;

/** Reads an answer: 2xx is success; otherwise an error with the start of the body (redacted by the client). */
class AnswerConsumer implements BodyConsumer<void> {
  retryAfter: string | undefined;
  private preview = '';

  start(head: ResponseHead): void {
    this.retryAfter = head.retryAfter;
  }

  write(chunk: Buffer): void {
    if (this.preview.length < ERROR_PREVIEW_BYTES) this.preview += chunk.toString('utf8', 0, Math.min(chunk.length, ERROR_PREVIEW_BYTES));
  }

  finish(head: ResponseHead): void {
    if (head.status >= 200 && head.status < 300) return;
    const text = this.preview.slice(0, ERROR_PREVIEW_BYTES).replace(/\s+/g, ' ').trim();
    throw new SourceError('http_status', `HTTP ${head.status}${text ? `: ${text}` : ''}`, { status: head.status });
  }
}

/** Seconds to wait from a Retry-After value (delta-seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(Number(v), MAX_RETRY_AFTER_SECONDS);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, (at - nowMs) / 1000), MAX_RETRY_AFTER_SECONDS);
}

export interface SendFailure {
  readonly reason: FailureReason;
  readonly retry: boolean;
  readonly message: string;
  /** Seconds the server asked us to wait (Retry-After), if it did. */
  readonly retryAfter: number | undefined;
}

function classify(e: unknown, retryAfter: number | undefined): SendFailure {
  const fail = (reason: FailureReason, message: string, retry = true) => ({ reason, retry, message, retryAfter });
  if (e instanceof DeadlineExceeded) return fail('timeout', e.message);
  if (!(e instanceof SourceError)) return fail('other', (e as Error)?.message ?? String(e));
  const status = e.status;
  if (status !== undefined) {
    if (status === 429) return fail('http_429', e.message);
    if (status >= 500) return fail('http_5xx', e.message);
    return fail('http_4xx', e.message, false);
  }
  if (e.reason === 'timeout') return fail('timeout', e.message);
  if (e.reason === 'connection') return fail('connection', e.message);
  return fail('other', e.message);
}

/** Where and how one output's requests go. */
export interface PostTarget {
  readonly url: string;
  readonly timeoutSeconds: number;
  /** Names the request's deadline in its error (e.g. `remote write request timeout`). */
  readonly deadlineLabel: string;
}

/**
 * Sends one request (an output's POST). Resolves undefined on success, or with
 * why it failed. The request runs under its own deadline (the endpoint's
 * `timeout`) and is abandoned when it fires, whatever the HTTP client does
 * with its signal: a receiver that answers and then stalls cannot hold a
 * shard. Rejects only when `stop` aborted it.
 */
export async function postOnce(
  client: HttpClient,
  target: PostTarget,
  spec: RequestSpec,
  stop: AbortSignal,
): Promise<SendFailure | undefined> {
  const consumer = new AnswerConsumer();
  try {
    await withDeadline(target.deadlineLabel, target.timeoutSeconds, stop, (signal) => client.request(target.url, spec, signal, consumer));
    return undefined;
  } catch (e) {
    if (stop.aborted) throw e;
    const failure = classify(e, parseRetryAfter(consumer.retryAfter, Date.now()));
    // A receiver's error page may echo the URL or its key: never log them.
    return { ...failure, message: redactUrlsInText(failure.message, [target.url]) };
  }
}
