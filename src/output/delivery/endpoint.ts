import type { Logger } from '../../logging/logger.js';
import { EndpointHealth, type HealthSubject } from './health.js';
import type { SendFailure } from './http-send.js';
import type { DeliveryObserver } from './observer.js';
import { ShardedQueue, type Batch } from './queue.js';

/** The queue settings of one endpoint (remote write's `queue:`). */
export interface DeliveryQueueConfig {
  /** Samples held (queued or in flight) at most; past it the oldest batches are dropped. */
  readonly capacity: number;
  /** Samples in one request at most. */
  readonly maxSamplesPerSend: number;
  /** First retry delay; doubled per failed attempt up to maxBackoffSeconds. */
  readonly minBackoffSeconds: number;
  readonly maxBackoffSeconds: number;
  /** Requests in flight at most; series are split over this many shards by hash, each sent in order. */
  readonly maxShards: number;
}

/** What an output plugs into a delivering endpoint: how batches become a request, and how one is sent. */
export interface Transport {
  /** The body of one request carrying `batches` in order. */
  requestBody(batches: readonly Batch[]): Buffer;
  /** One attempt: undefined on success, or why it failed; rejects only when `stop` aborts it. */
  send(body: Buffer, stop: AbortSignal): Promise<SendFailure | undefined>;
  /** Closes connections once the senders have stopped. */
  close(): Promise<void>;
}

export interface DeliveryDeps {
  readonly observer: DeliveryObserver;
  readonly logger: Logger;
  /** How the endpoint is named in logs (`{remote: name}`, "remote write ..."). */
  readonly subject: HealthSubject;
}

/**
 * One endpoint of an output (remote write's first): a bounded queue split into `max_shards` shards
 * by series hash, and one sender per shard. A sender posts its shard's
 * batches in order, merging what waits into requests of up to
 * max_samples_per_send, so a slow receiver gets fewer, larger requests, up to
 * max_shards at once. Every request has a deadline (`timeout`). 5xx, 429,
 * timeouts and network failures are retried with exponential backoff (or the
 * server's Retry-After) for as long as it takes, while that shard's newer
 * batches wait behind; other 4xx answers are final. Never logs a credential.
 * The output encodes the batches and sends them (its `Transport`).
 */
export class DeliveryEndpoint {
  readonly name: string;
  private readonly queue: ShardedQueue;
  private readonly health: EndpointHealth;
  private readonly stopper = new AbortController();
  private readonly waiters = new Set<() => void>();
  private senders: Array<Promise<void>> = [];
  private inFlight = 0;
  private flushDeadlineMs = Infinity;

  constructor(
    private readonly config: DeliveryQueueConfig,
    private readonly transport: Transport,
    private readonly deps: DeliveryDeps,
  ) {
    this.name = deps.subject.name;
    this.queue = new ShardedQueue(config.capacity, config.maxShards);
    this.health = new EndpointHealth(deps.subject, config, deps.logger);
    deps.observer.added(this.name, config.capacity, config.maxShards);
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

  /** Shards the batches of one push (the output split and encoded them) go to. */
  get shards(): number {
    return this.queue.shards;
  }

  /** True once stopping: pushes are no longer taken. */
  get stopped(): boolean {
    return this.stopper.signal.aborted;
  }

  /** Queues one push of `samples` samples, already split by shard and encoded: the batches then wait their turn. */
  enqueue(batches: readonly Batch[], samples: number): void {
    if (this.stopper.signal.aborted || samples === 0) return;
    this.health.pushed(samples);
    for (const b of batches) this.add(b);
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
      const batches = this.queue.take(shard, this.config.maxSamplesPerSend);
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
    const body = this.transport.requestBody(batches);
    for (let attempts = 0; ;) {
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
      const failure = await this.transport.send(body, this.stopper.signal);
      observer.requestDuration(this.name, (performance.now() - started) / 1000);
      return failure;
    } catch {
      return 'stopped'; // send rejects only when stopping
    } finally {
      observer.inFlight(this.name, --this.inFlight);
    }
  }

  private backoffMs(attempts: number, failure: SendFailure): number {
    const q = this.config;
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
    await this.transport.close();
    return this.queue.drain();
  }

  /** Forgets the endpoint's self-metrics series (removed on reload). */
  forget(): void {
    this.deps.observer.removed(this.name);
  }
}
