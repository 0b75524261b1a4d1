import { Counter, Gauge, Histogram, type Registry, type RegistryContentType } from 'prom-client';
import { PREFIX } from './metric-set.js';

const FAILURE_REASONS = ['http_5xx', 'http_429', 'http_4xx', 'connection', 'timeout', 'other'] as const;
const DROP_REASONS = ['rejected', 'queue_full', 'shutdown', 'removed'] as const;
type FailureReason = (typeof FAILURE_REASONS)[number];
type DropReason = (typeof DROP_REASONS)[number];

/** Seconds; from a fast local receiver to the default 30 s timeout. */
const DURATION_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

function createSet(registry: Registry<RegistryContentType>) {
  const registers = [registry];
  const r = ['remote'] as const;
  const p = `${PREFIX}remote_write_`;
  return {
    sent: new Counter({ name: `${p}samples_sent_total`, help: 'Samples (staleness markers included) accepted by the remote-write endpoint.', labelNames: r, registers }),
    failed: new Counter({ name: `${p}samples_failed_total`, help: 'Samples in remote-write requests that failed, by reason (http_5xx, http_429, connection, timeout and other are retried; http_4xx is not).', labelNames: ['remote', 'reason'] as const, registers }),
    retried: new Counter({ name: `${p}samples_retried_total`, help: 'Samples sent again after a failed remote-write request.', labelNames: r, registers }),
    dropped: new Counter({ name: `${p}samples_dropped_total`, help: 'Samples given up, by reason: rejected (4xx answer), queue_full (oldest dropped), shutdown, removed (endpoint removed on reload).', labelNames: ['remote', 'reason'] as const, registers }),
    stale: new Counter({ name: `${p}stale_markers_total`, help: 'Staleness markers queued for series that vanished since the previous push.', labelNames: r, registers }),
    queue: new Gauge({ name: `${p}queue_samples`, help: 'Samples waiting to be sent (or being sent) to the remote-write endpoint.', labelNames: r, registers }),
    capacity: new Gauge({ name: `${p}queue_capacity_samples`, help: 'Samples the remote-write queue holds at most (queue_config.capacity).', labelNames: r, registers }),
    lastSuccess: new Gauge({ name: `${p}last_success_timestamp_seconds`, help: 'Unix time of the last request the remote-write endpoint accepted.', labelNames: r, registers }),
    highestSent: new Gauge({ name: `${p}highest_sent_timestamp_seconds`, help: 'Newest sample timestamp the remote-write endpoint accepted; time() minus it is how far behind remote write is.', labelNames: r, registers }),
    shardsMax: new Gauge({ name: `${p}shards_max`, help: 'Shards of the remote-write queue, each sending one request at a time (queue_config.max_shards).', labelNames: r, registers }),
    inFlight: new Gauge({ name: `${p}requests_in_flight`, help: 'Remote-write requests being sent now (at most shards_max).', labelNames: r, registers }),
    duration: new Histogram({ name: `${p}request_duration_seconds`, help: 'Duration of remote-write requests, failed ones included (a timed-out one lasts the timeout).', labelNames: r, buckets: DURATION_BUCKETS, registers }),
  };
}

type RemoteWriteSet = ReturnType<typeof createSet>;

/** The remote-write output's metrics, on the text and OpenMetrics registries (see `self-metrics.ts`). */
export class RemoteWriteMetrics {
  private readonly sets: readonly RemoteWriteSet[];
  /** Per endpoint: the highest sample timestamp sent (shards finish out of order; the gauge only goes up). */
  private readonly highest = new Map<string, number>();

  constructor(registries: ReadonlyArray<Registry<RegistryContentType>>) {
    this.sets = registries.map(createSet);
  }

  private each(fn: (s: RemoteWriteSet) => void): void {
    for (const s of this.sets) fn(s);
  }

  /** Creates the endpoint's series at zero, so rates and alerts work from the start. */
  added(remote: string, capacity: number, maxShards: number): void {
    this.each((s) => {
      const l = { remote };
      s.sent.inc(l, 0);
      s.retried.inc(l, 0);
      s.stale.inc(l, 0);
      for (const reason of FAILURE_REASONS) s.failed.inc({ remote, reason }, 0);
      for (const reason of DROP_REASONS) s.dropped.inc({ remote, reason }, 0);
      s.queue.set(l, 0);
      s.capacity.set(l, capacity);
      s.shardsMax.set(l, maxShards);
      s.inFlight.set(l, 0);
      s.duration.zero(l);
    });
  }

  removed(remote: string): void {
    this.highest.delete(remote);
    this.each((s) => {
      for (const m of [s.sent, s.retried, s.stale, s.queue, s.capacity, s.lastSuccess, s.highestSent, s.shardsMax, s.inFlight, s.duration]) m.remove({ remote });
      for (const reason of FAILURE_REASONS) s.failed.remove({ remote, reason });
      for (const reason of DROP_REASONS) s.dropped.remove({ remote, reason });
    });
  }

  sent(remote: string, samples: number, atMs: number, newestSampleMs: number): void {
    const highest = Math.max(this.highest.get(remote) ?? 0, newestSampleMs);
    this.highest.set(remote, highest);
    this.each((s) => {
      s.sent.inc({ remote }, samples);
      s.lastSuccess.set({ remote }, atMs / 1000);
      s.highestSent.set({ remote }, highest / 1000);
    });
  }

  failed(remote: string, reason: FailureReason, samples: number): void {
    this.each((s) => s.failed.inc({ remote, reason }, samples));
  }

  retried(remote: string, samples: number): void {
    this.each((s) => s.retried.inc({ remote }, samples));
  }

  dropped(remote: string, reason: DropReason, samples: number): void {
    this.each((s) => s.dropped.inc({ remote, reason }, samples));
  }

  staleMarkers(remote: string, samples: number): void {
    this.each((s) => s.stale.inc({ remote }, samples));
  }

  queued(remote: string, samples: number): void {
    this.each((s) => s.queue.set({ remote }, samples));
  }

  inFlight(remote: string, requests: number): void {
    this.each((s) => s.inFlight.set({ remote }, requests));
  }

  requestDuration(remote: string, seconds: number): void {
    this.each((s) => s.duration.observe({ remote }, seconds));
  }
}
