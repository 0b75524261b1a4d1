import type { RemoteWriteConfig } from '../../config/types.js';
import type { Logger } from '../../logging/logger.js';
import { withDeadline } from '../../model/deadline.js';
import { HttpClient } from '../../sources/http-client.js';
import { DeliveryEndpoint } from '../delivery/endpoint.js';
import type { Batch } from '../delivery/queue.js';
import { requestBody, toBatches } from './batches.js';
import type { RemoteWriteObserver } from './observer.js';
import type { RemoteSample } from './protobuf.js';
import { sendOnce } from './send.js';

export { parseRetryAfter } from './send.js';

/** Closing the HTTP client waits for requests still open; a stalled one must not hold a reload or shutdown. */
const CLOSE_SECONDS = 1;

export interface EndpointDeps {
  readonly observer: RemoteWriteObserver;
  readonly logger: Logger;
  readonly userAgent: string;
}

/**
 * One remote-write endpoint: the shared delivery (delivery/endpoint.ts:
 * sharded queue, retries with backoff, health logs) with remote write's
 * encoding (protobuf + snappy, sharded by series hash) and HTTP POST.
 */
export class RemoteEndpoint {
  readonly name: string;
  private readonly delivery: DeliveryEndpoint;

  constructor(
    readonly config: RemoteWriteConfig,
    private readonly deps: EndpointDeps,
  ) {
    this.name = config.name;
    const client = new HttpClient(config.http, config.name, { request: () => undefined }, 'remote_write');
    const transport = {
      requestBody,
      send: (body: Buffer, stop: AbortSignal) => sendOnce(client, config, body, deps.userAgent, stop),
      close: () =>
        withDeadline('remote write client close', CLOSE_SECONDS, undefined, () => client.close()).catch((e: unknown) => {
          deps.logger.debug({ remote: this.name, err: (e as Error).message }, 'remote write: connections left to close on their own');
        }),
    };
    const subject = { field: 'remote', name: config.name, what: 'remote write' };
    this.delivery = new DeliveryEndpoint(config.queue, transport, { observer: deps.observer, logger: deps.logger, subject });
  }

  /** Starts the senders; `pending` (handed over by a predecessor, in order) is sent first. */
  start(pending: readonly Batch[] = []): void {
    this.delivery.start(pending);
  }

  /** Samples held (waiting or being sent). */
  get queuedSamples(): number {
    return this.delivery.queuedSamples;
  }

  /** Splits by shard, encodes and compresses once; the batches then wait their turn. */
  enqueue(samples: readonly RemoteSample[], staleMarkers: number): void {
    if (this.delivery.stopped || samples.length === 0) return;
    this.delivery.enqueue(toBatches(samples, this.delivery.shards, this.config.queue.maxSamplesPerSend), samples.length);
    if (staleMarkers > 0) this.deps.observer.staleMarkers(this.name, staleMarkers);
  }

  /** See `DeliveryEndpoint.stop`: what is left after flushing for up to `flushMs` is returned, in order. */
  stop(flushMs: number): Promise<Batch[]> {
    return this.delivery.stop(flushMs);
  }

  /** Forgets the endpoint's self-metrics series (removed on reload). */
  forget(): void {
    this.delivery.forget();
  }
}
