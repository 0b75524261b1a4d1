import { fingerprint } from '../../config/fingerprint.js';
import type { ExporterConfig, RemoteWriteConfig } from '../../config/types.js';
import type { Logger } from '../../logging/logger.js';
import type { FamilySnapshot } from '../../snapshot/family.js';
import type { SnapshotStore } from '../../snapshot/store.js';
import type { Batch } from '../delivery/queue.js';
import type { Output } from '../output.js';
import { RemoteEndpoint } from './endpoint.js';
import { familySeries } from './family-series.js';
import type { RemoteWriteObserver } from './observer.js';
import type { RemoteSample } from './protobuf.js';

/** On shutdown, queued samples get this long to be sent. */
export const SHUTDOWN_FLUSH_MS = 5000;

export interface RemoteWriterDeps {
  readonly observer: RemoteWriteObserver;
  readonly logger: Logger;
  readonly userAgent: string;
}

interface Running {
  readonly endpoint: RemoteEndpoint;
  readonly fingerprint: string;
}

type Labels = ReadonlyArray<readonly [string, string]>;

/**
 * Pushes every successful run to the `remote_write` endpoints. Listens to the
 * snapshot store: each put sends the family's samples, stamped with the time
 * of the put; series sent last time for that family and now gone (or the
 * whole family, when it is deleted: dropped past max_staleness or removed on
 * reload) get one Prometheus staleness marker. Changes are handled one at a
 * time, in order, so each series' samples stay in time order.
 */
export class RemoteWriter implements Output {
  readonly kind = 'remote_write';
  private readonly endpoints = new Map<string, Running>();
  /** Per family: the series of the last push, by key, to mark the vanished ones stale. */
  private readonly lastPush = new Map<string, Map<string, Labels>>();
  private unsubscribe: (() => void) | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failedPrepare = false;

  constructor(
    private readonly store: SnapshotStore,
    private readonly deps: RemoteWriterDeps,
  ) {}

  /** The `Output` face of `apply`: the config's `remote_write:` endpoints. */
  reload(config: ExporterConfig): Promise<void> {
    return this.apply(config.remoteWrite);
  }

  /** Starts, keeps, restarts (handing on the queue) or stops endpoints to match `configs`. */
  async apply(configs: readonly RemoteWriteConfig[]): Promise<void> {
    const wanted = new Map(configs.map((c) => [c.name, c]));
    for (const [name, running] of this.endpoints) {
      const next = wanted.get(name);
      if (next && fingerprint(next) === running.fingerprint) continue;
      this.endpoints.delete(name);
      const left = await running.endpoint.stop(0);
      if (next) {
        this.startEndpoint(next, left);
        this.deps.logger.info({ remote: name, queued_samples: left.reduce((n, b) => n + b.samples, 0) }, 'remote write endpoint changed');
      } else {
        this.drop(running.endpoint, left, 'removed');
        running.endpoint.forget();
        this.deps.logger.info({ remote: name }, 'remote write endpoint removed');
      }
    }
    for (const c of configs) {
      if (this.endpoints.has(c.name)) continue;
      this.startEndpoint(c, []);
      this.deps.logger.info(
        { remote: c.name, capacity: c.queue.capacity, max_samples_per_send: c.queue.maxSamplesPerSend, max_shards: c.queue.maxShards },
        'remote write endpoint started',
      );
    }
    if (this.endpoints.size > 0 && !this.unsubscribe) {
      this.unsubscribe = this.store.onChange((name) => this.changed(name));
    } else if (this.endpoints.size === 0 && this.unsubscribe) {
      this.unsubscribe();
      this.unsubscribe = undefined;
      this.lastPush.clear();
    }
  }

  private startEndpoint(c: RemoteWriteConfig, pending: readonly Batch[]): void {
    const endpoint = new RemoteEndpoint(c, this.deps);
    endpoint.start(pending);
    this.endpoints.set(c.name, { endpoint, fingerprint: fingerprint(c) });
  }

  private drop(endpoint: RemoteEndpoint, left: readonly Batch[], reason: 'removed' | 'shutdown'): void {
    const samples = left.reduce((n, b) => n + b.samples, 0);
    if (samples === 0) return;
    this.deps.observer.dropped(endpoint.name, reason, samples);
    this.deps.logger.warn({ remote: endpoint.name, dropped_samples: samples, reason }, 'remote write: samples never sent');
  }

  /** Store listener: synchronous, takes the family as it is now and queues the work. */
  private changed(name: string): void {
    const family = this.store.get(name);
    const atMs = Date.now();
    this.chain = this.chain
      .then(() => this.push(name, family, atMs))
      .catch((e: unknown) => {
        this.deps.logger.error({ transformation: name, err: (e as Error).message }, 'remote write: push failed');
      });
  }

  /** Resolves once every change seen so far is in the endpoints' queues. */
  settled(): Promise<void> {
    return this.chain;
  }

  private async push(name: string, family: FamilySnapshot | undefined, atMs: number): Promise<void> {
    const before = this.lastPush.get(name);
    const now = new Map<string, Labels>();
    const samples: RemoteSample[] = [];
    if (family) {
      try {
        for (const s of await familySeries(family, this.store.current())) {
          now.set(s.key, s.labels);
          samples.push({ labels: s.labels, value: s.value, stale: false, timestampMs: atMs });
        }
        this.failedPrepare = false;
      } catch (e) {
        // Cannot happen with our own snapshots; if it does, say so once and skip this push.
        if (!this.failedPrepare)
          this.deps.logger.error(
            { transformation: name, err: (e as Error).message },
            'remote write: cannot read back the family; skipping its push',
          );
        this.failedPrepare = true;
        return;
      }
    }
    let stale = 0;
    for (const [key, labels] of before ?? []) {
      if (now.has(key)) continue;
      samples.push({ labels, value: Number.NaN, stale: true, timestampMs: atMs });
      stale++;
    }
    if (family) this.lastPush.set(name, now);
    else this.lastPush.delete(name);
    for (const { endpoint } of this.endpoints.values()) endpoint.enqueue(samples, stale);
  }

  /** Sends what is queued for up to SHUTDOWN_FLUSH_MS, then stops; what is left is counted as dropped. */
  async stop(flushMs = SHUTDOWN_FLUSH_MS): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.chain;
    const all = [...this.endpoints.values()];
    this.endpoints.clear();
    await Promise.all(all.map(async ({ endpoint }) => this.drop(endpoint, await endpoint.stop(flushMs), 'shutdown')));
  }
}
