import type { RemoteWriteConfig } from '../config/types.js';
import type { Logger } from '../logging/logger.js';
import { withDeadline } from '../model/deadline.js';
import { HttpClient } from '../sources/http-client.js';
import { requestBody, toBatches } from './batches.js';
import { EndpointHealth } from './health.js';
import type { RemoteWriteObserver } from './observer.js';
import type { RemoteSample } from './protobuf.js';
import { ShardedQueue, type Batch } from './queue.js';
import { sendOnce, type SendFailure } from './send.js';

export { parseRetryAfter } from './send.js';

/** Closing the HTTP client waits for requests still open; a stalled one must not hold a reload or shutdown. */
const CLOSE_SECONDS = 1;

export interface EndpointDeps {
  readonly observer: RemoteWriteObserver;
  readonly logger: Logger;
  readonly userAgent: string;
}

/**
 * One remote-write endpoint: a bounded queue split into `max_shards` shards
 * by series hash, and one sender per shard. A sender posts its shard's
 * batches in order, merging what waits into requests of up to
 * max_samples_per_send, so a slow receiver gets fewer, larger requests, up to
 * max_shards at once. Every request has a deadline (`timeout`). 5xx, 429,
 * timeouts and network failures are retried with exponential backoff (or the
 * server's Retry-After) for as long as it takes, while that shard's newer
 * batches wait behind; other 4xx answers are final. Never logs a credential.
 */
export class RemoteEndpoint {
  readonly name: string;
  private readonly queue: ShardedQueue;
  private readonly client: HttpClient;
  private readonly health: EndpointHealth;
  private readonly stopper = new AbortController();
  private readonly waiters = new Set<() => void>();
  private senders: Array<Promise<void>> = [];
  private inFlight = 0;
  private flushDeadlineMs = Infinity;

  constructor(
    readonly config: RemoteWriteConfig,
    private readonly deps: EndpointDeps,
  ) {
    this.name = config.name;
    this.queue = new ShardedQueue(config.queue.capacity, config.queue.maxShards);
    this.client = new HttpClient(config.http, config.name, { request: () => undefined }, 'remote_write');
    this.health = new EndpointHealth(config.name, config.queue, deps.logger);
    deps.observer.added(this.name, config.queue.capacity, config.queue.maxShards);
  }

  /** Starts the senders; `pending` (handed over by a predecessor, in order) is sent first. */
  start(pending: readonly Batch[] = []): void {
    const carry = pending.some((b) => b.shards !== this.queue.shards);
    for (const b of pending) this.add(b, carry);
    this.senders = Array.from({ length: this.queue.shards }, (_, shard) => this.runShard(shard));
  }

  /** Samples held (waiting or being sent). */
  get queuedSamples(): number {
    return this.queue.samples;
  }

  /** Splits by shard, encodes and compresses once; the batches then wait their turn. */
  enqueue(samples: readonly RemoteSample[], staleMarkers: number): void {
    if (this.stopper.signal.aborted || samples.length === 0) return;
    this.health.pushed(samples.length);
    for (const b of toBatches(samples, this.queue.shards, this.config.queue.maxSamplesPerSend)) this.add(b);
    if (staleMarkers > 0) this.deps.observer.staleMarkers(this.name, staleMarkers);
  }

  private add(batch: Batch, carried?: boolean): void {
    const dropped = this.queue.push(batch, carried);
    if (dropped > 0) {
      this.deps.observer.dropped(this.name, 'queue_full', dropped);
      this.health.dropped(dropped);
    }
    this.changed();
  }

  /** The queue changed: report it, and wake the senders (new work, or carried batches gone). */
  private changed(): void {
    this.deps.observer.queued(this.name, this.queue.samples);
    this.health.backlog(this.queue.samples, this.inFlight);
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  private async runShard(shard: number): Promise<void> {
    const signal = this.stopper.signal;
    while (!signal.aborted) {
      const batches = this.queue.take(shard, this.config.queue.maxSamplesPerSend);
      if (batches) {
        await this.deliver(shard, batches);
        continue;
      }
      if (this.flushDeadlineMs !== Infinity && this.queue.waiting(shard) === 0) return; // stopping: flushed
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
  }

  /** Sends one request until it is accepted, rejected (4xx) or the endpoint stops. */
  private async deliver(shard: number, batches: readonly Batch[]): Promise<void> {
    const { observer } = this.deps;
    const samples = batches.reduce((n, b) => n + b.samples, 0);
    const newestMs = batches.reduce((m, b) => Math.max(m, b.newestMs), 0);
    const body = requestBody(batches);
    for (let attempts = 0; ; ) {
      if (attempts > 0) observer.retried(this.name, samples);
      const failure = await this.post(body);
      if (failure === 'stopped') return this.queue.release(shard);
      if (!failure) {
        this.queue.done(shard);
        observer.sent(this.name, samples, Date.now(), newestMs);
        this.health.succeeded(shard, this.queue.samples);
        return this.changed();
      }
      observer.failed(this.name, failure.reason, samples);
      this.health.failed(shard, failure, this.queue.samples);
      if (!failure.retry) {
        this.queue.done(shard);
        observer.dropped(this.name, 'rejected', samples);
        return this.changed();
      }
      await this.sleep(this.backoffMs(++attempts, failure));
      if (this.stopper.signal.aborted) return this.queue.release(shard);
    }
  }

  /** One attempt, counted in flight and timed. */
  private async post(body: Buffer): Promise<SendFailure | undefined | 'stopped'> {
    const { observer } = this.deps;
    observer.inFlight(this.name, ++this.inFlight);
    const started = performance.now();
    try {
      const failure = await sendOnce(this.client, this.config, body, this.deps.userAgent, this.stopper.signal);
      observer.requestDuration(this.name, (performance.now() - started) / 1000);
      return failure;
    } catch {
      return 'stopped'; // sendOnce rejects only when stopping
    } finally {
      observer.inFlight(this.name, --this.inFlight);
    }
  }

  private backoffMs(attempts: number, failure: SendFailure): number {
    const q = this.config.queue;
    const backoff = Math.min(q.maxBackoffSeconds, q.minBackoffSeconds * 2 ** (attempts - 1));
    return (failure.retryAfter === undefined ? backoff : Math.max(failure.retryAfter, q.minBackoffSeconds)) * 1000;
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
   * Stops the senders. With `flushMs` > 0 the queue is first sent for up to
   * that long; whatever is then left is returned (in order) and not counted
   * as dropped: the caller hands it on or drops it.
   */
  async stop(flushMs: number): Promise<Batch[]> {
    if (flushMs > 0 && this.queue.length > 0) {
      this.flushDeadlineMs = Date.now() + flushMs;
      const deadline = setTimeout(() => this.stopper.abort(), flushMs);
      this.changed();
      await Promise.all(this.senders);
      clearTimeout(deadline);
    }
    this.stopper.abort();
    this.changed();
    await Promise.all(this.senders);
    await withDeadline('remote write client close', CLOSE_SECONDS, undefined, () => this.client.close()).catch((e: unknown) => {
      this.deps.logger.debug({ remote: this.name, err: (e as Error).message }, 'remote write: connections left to close on their own');
    });
    return this.queue.drain();
  }

  /** Forgets the endpoint's self-metrics series (removed on reload). */
  forget(): void {
    this.deps.observer.removed(this.name);
  }
}
