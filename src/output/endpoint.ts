import { compress } from 'snappyjs';
import type { RemoteWriteConfig } from '../config/types.js';
import type { Logger } from '../logging/logger.js';
import { SourceError } from '../model/errors.js';
import { redactUrlsInText } from '../model/url.js';
import { HttpClient, type BodyConsumer, type ResponseHead } from '../sources/http-client.js';
import { BatchQueue, type Batch } from './queue.js';
import { encodeWriteRequest, type RemoteSample } from './protobuf.js';
import type { FailureReason, RemoteWriteObserver } from './observer.js';

/** A longer Retry-After is not waited for in full. */
const MAX_RETRY_AFTER_SECONDS = 300;
/** Enough of an error answer to say why (e.g. "out of order sample"). */
const ERROR_PREVIEW_BYTES = 512;

export interface EndpointDeps {
  readonly observer: RemoteWriteObserver;
  readonly logger: Logger;
  readonly userAgent: string;
}

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

function classify(e: unknown): { reason: FailureReason; retry: boolean; message: string } {
  if (!(e instanceof SourceError)) return { reason: 'other', retry: true, message: (e as Error)?.message ?? String(e) };
  const status = e.status;
  if (status !== undefined) {
    if (status === 429) return { reason: 'http_429', retry: true, message: e.message };
    if (status >= 500) return { reason: 'http_5xx', retry: true, message: e.message };
    return { reason: 'http_4xx', retry: false, message: e.message };
  }
  if (e.reason === 'timeout') return { reason: 'timeout', retry: true, message: e.message };
  if (e.reason === 'connection') return { reason: 'connection', retry: true, message: e.message };
  return { reason: 'other', retry: true, message: e.message };
}

/**
 * One remote-write endpoint: a bounded queue and one sender that posts the
 * batches in order. 5xx, 429 and network failures are retried with
 * exponential backoff (or the server's Retry-After) for as long as it takes,
 * while newer batches wait behind; other 4xx answers are final. Logs once per
 * change of state, never a credential.
 */
export class RemoteEndpoint {
  readonly name: string;
  private readonly queue: BatchQueue;
  private readonly client: HttpClient;
  private readonly stopper = new AbortController();
  private inFlight: Batch | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  /** `ok`, or the failure reason we are in (logged on entry and on recovery). */
  private state: 'ok' | FailureReason = 'ok';
  private failingSinceMs = 0;
  private dropping = false;
  private flushDeadlineMs = Infinity;

  constructor(
    readonly config: RemoteWriteConfig,
    private readonly deps: EndpointDeps,
  ) {
    this.name = config.name;
    this.queue = new BatchQueue(config.queue.capacity);
    this.client = new HttpClient(config.http, config.name, { request: () => undefined });
    deps.observer.added(this.name, config.queue.capacity);
  }

  start(pending: readonly Batch[] = []): void {
    for (const b of pending) this.add(b);
    this.loop = this.run();
  }

  /** Samples held (waiting or being sent). */
  get queuedSamples(): number {
    return this.queue.samples;
  }

  /** Splits, encodes and compresses once; the batches then wait their turn. */
  enqueue(samples: readonly RemoteSample[], staleMarkers: number): void {
    if (this.stopper.signal.aborted || samples.length === 0) return;
    const per = this.config.queue.maxSamplesPerSend;
    for (let i = 0; i < samples.length; i += per) {
      const chunk = samples.slice(i, i + per);
      this.add({ body: compress(encodeWriteRequest(chunk)), samples: chunk.length, attempts: 0 });
    }
    if (staleMarkers > 0) this.deps.observer.staleMarkers(this.name, staleMarkers);
  }

  private add(batch: Batch): void {
    const dropped = this.queue.push(batch, this.inFlight);
    if (dropped > 0) {
      this.deps.observer.dropped(this.name, 'queue_full', dropped);
      if (!this.dropping) {
        this.dropping = true;
        this.deps.logger.warn({ remote: this.name, capacity: this.config.queue.capacity, dropped_samples: dropped }, 'remote write queue is full: dropping the oldest samples');
      }
    }
    this.deps.observer.queued(this.name, this.queue.samples);
    this.wake?.();
  }

  private async run(): Promise<void> {
    const signal = this.stopper.signal;
    while (!signal.aborted) {
      const batch = this.queue.peek();
      if (!batch) {
        if (this.flushDeadlineMs !== Infinity) return; // stopping: everything is flushed
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      const delay = await this.attempt(batch);
      if (delay > 0) await this.sleep(delay);
    }
  }

  /** One send of the head batch; returns the delay before the next attempt (0: go on). */
  private async attempt(batch: Batch): Promise<number> {
    const { observer, logger } = this.deps;
    if (batch.attempts > 0) observer.retried(this.name, batch.samples);
    this.inFlight = batch;
    const consumer = new AnswerConsumer();
    try {
      await this.client.request(this.config.http.url, {
        method: 'POST',
        body: batch.body,
        contentType: 'application/x-protobuf',
        accept: '*/*',
        headers: { 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0', 'user-agent': this.deps.userAgent },
      }, this.stopper.signal, consumer);
    } catch (e) {
      this.inFlight = undefined;
      if (this.stopper.signal.aborted) return 0;
      const { reason, retry, message } = classify(e);
      observer.failed(this.name, reason, batch.samples);
      if (this.state !== reason) {
        if (this.state === 'ok') this.failingSinceMs = Date.now();
        this.state = reason;
        const fields = { remote: this.name, reason, err: redactUrlsInText(message, [this.config.http.url]), queued_samples: this.queue.samples };
        if (retry) logger.warn(fields, 'remote write failed; retrying with backoff, newer samples wait in the queue');
        else logger.error(fields, 'remote write rejected (4xx): dropping the batch, not retrying');
      }
      if (!retry) {
        this.queue.shift();
        observer.dropped(this.name, 'rejected', batch.samples);
        observer.queued(this.name, this.queue.samples);
        return 0;
      }
      batch.attempts++;
      const q = this.config.queue;
      const backoff = Math.min(q.maxBackoffSeconds, q.minBackoffSeconds * 2 ** (batch.attempts - 1));
      const retryAfter = parseRetryAfter(consumer.retryAfter, Date.now());
      return (retryAfter === undefined ? backoff : Math.max(retryAfter, q.minBackoffSeconds)) * 1000;
    }
    this.inFlight = undefined;
    this.queue.shift();
    const now = Date.now();
    observer.sent(this.name, batch.samples, now);
    observer.queued(this.name, this.queue.samples);
    if (this.state !== 'ok') {
      logger.info({ remote: this.name, failing_seconds: Math.round((now - this.failingSinceMs) / 1000), queued_samples: this.queue.samples }, 'remote write recovered');
      this.state = 'ok';
    }
    if (this.dropping && this.queue.samples < this.config.queue.capacity) this.dropping = false;
    return 0;
  }

  private sleep(ms: number): Promise<void> {
    const until = Math.min(Date.now() + ms, this.flushDeadlineMs);
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, until - Date.now()));
      const signal = this.stopper.signal;
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });
  }

  /**
   * Stops the sender. With `flushMs` > 0 the queue is first sent for up to
   * that long; whatever is then left is returned (in order) and not counted
   * as dropped: the caller hands it on or drops it.
   */
  async stop(flushMs: number): Promise<Batch[]> {
    if (flushMs > 0 && this.queue.length > 0) {
      this.flushDeadlineMs = Date.now() + flushMs;
      const deadline = setTimeout(() => this.stopper.abort(), flushMs);
      this.wake?.();
      await this.loop;
      clearTimeout(deadline);
    }
    this.stopper.abort();
    this.wake?.();
    await this.loop;
    await this.client.close();
    return this.queue.drain();
  }

  /** Forgets the endpoint's self-metrics series (removed on reload). */
  forget(): void {
    this.deps.observer.removed(this.name);
  }
}
