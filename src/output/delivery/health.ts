import type { Logger } from '../../logging/logger.js';
import type { DeliveryQueueConfig } from './endpoint.js';
import type { FailureReason } from './observer.js';
import type { SendFailure } from './http-send.js';

/** Who logs: the log field naming the endpoint (`remote`), its name, and the output's name in messages (`remote write`). */
export interface HealthSubject {
  readonly field: string;
  readonly name: string;
  readonly what: string;
}

/**
 * What an endpoint logs: once per change of state, never per request.
 * Failing (entered, or its reason changed) and recovered (every shard sent
 * again); the queue overflowing; and the backlog growing: more than twice
 * what one round of requests or one push carries, logged again each time it
 * doubles (so at most a handful of lines up to `capacity`), and once when it
 * is back to what one round carries.
 */
export class EndpointHealth {
  /** Shards whose last request failed, with why. */
  private readonly failing = new Map<number, FailureReason>();
  /** The failure reason last logged; undefined while all is well. */
  private logged: FailureReason | undefined;
  private failingSinceMs = 0;
  private dropping = false;
  /** Queued samples at the last "falling behind" line; 0 when not behind. */
  private behindAt = 0;
  private largestPush = 0;

  constructor(
    private readonly who: HealthSubject,
    private readonly queue: DeliveryQueueConfig,
    private readonly logger: Logger,
  ) {}

  failed(shard: number, f: SendFailure, queued: number): void {
    this.failing.set(shard, f.reason);
    if (this.logged === f.reason) return;
    if (this.logged === undefined) this.failingSinceMs = Date.now();
    this.logged = f.reason;
    const fields = { [this.who.field]: this.who.name, reason: f.reason, err: f.message, queued_samples: queued };
    if (f.retry) this.logger.warn(fields, `${this.who.what} failed; retrying with backoff, newer samples wait in the queue`);
    else this.logger.error(fields, `${this.who.what} rejected (4xx): dropping the batch, not retrying`);
  }

  succeeded(shard: number, queued: number): void {
    this.failing.delete(shard);
    if (queued < this.queue.capacity) this.dropping = false;
    if (this.logged === undefined || this.failing.size > 0) return;
    this.logged = undefined;
    this.logger.info(
      { [this.who.field]: this.who.name, failing_seconds: Math.round((Date.now() - this.failingSinceMs) / 1000), queued_samples: queued },
      `${this.who.what} recovered`,
    );
  }

  dropped(samples: number): void {
    if (this.dropping) return;
    this.dropping = true;
    this.logger.warn(
      { [this.who.field]: this.who.name, capacity: this.queue.capacity, dropped_samples: samples },
      `${this.who.what} queue is full: dropping the oldest samples`,
    );
  }

  pushed(samples: number): void {
    this.largestPush = Math.max(this.largestPush, samples);
  }

  /** After every change of the queue. */
  backlog(queued: number, inFlight: number): void {
    const base = Math.max(this.queue.maxSamplesPerSend * this.queue.maxShards, this.largestPush);
    if (this.behindAt === 0 ? queued > 2 * base : queued >= 2 * this.behindAt) {
      this.behindAt = queued;
      this.logger.warn(
        {
          [this.who.field]: this.who.name,
          queued_samples: queued,
          capacity: this.queue.capacity,
          requests_in_flight: inFlight,
          max_shards: this.queue.maxShards,
        },
        `${this.who.what} is falling behind: the backlog grows`,
      );
    } else if (this.behindAt > 0 && queued <= base) {
      this.behindAt = 0;
      this.logger.info({ [this.who.field]: this.who.name, queued_samples: queued }, `${this.who.what} caught up`);
    }
  }
}
