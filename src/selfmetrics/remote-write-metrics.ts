import type { RemoteDropReason, RemoteFailureReason } from './definitions.js';
import type { Fans, MetricSet } from './metric-set.js';

/** The remote-write output's metrics (docs/configuration.md "Remote-write output"); implements src/output's RemoteWriteObserver. */
export class RemoteWriteMetrics {
  private readonly m: Fans;
  /** Per endpoint: the highest sample timestamp sent (shards finish out of order; the gauge only goes up). */
  private readonly highest = new Map<string, number>();

  constructor(private readonly set: MetricSet) {
    this.m = set.fans;
  }

  /** Creates the endpoint's series at zero, so rates and alerts work from the start. */
  added(remote: string, capacity: number, maxShards: number): void {
    const { m } = this;
    const l = { remote };
    m.remoteSent.zero(l);
    m.remoteRetried.zero(l);
    m.remoteStaleMarkers.zero(l);
    m.remoteFailed.zero(l);
    m.remoteDropped.zero(l);
    m.remoteQueue.set(l, 0);
    m.remoteCapacity.set(l, capacity);
    m.remoteShardsMax.set(l, maxShards);
    m.remoteInFlight.set(l, 0);
    m.remoteDuration.zero(l);
  }

  /** Every series of the endpoint, of every metric with a `remote` label, goes. */
  removed(remote: string): void {
    this.highest.delete(remote);
    this.set.forget('remote', remote);
  }

  sent(remote: string, samples: number, atMs: number, newestSampleMs: number): void {
    const highest = Math.max(this.highest.get(remote) ?? 0, newestSampleMs);
    this.highest.set(remote, highest);
    this.m.remoteSent.inc({ remote }, samples);
    this.m.remoteLastSuccess.set({ remote }, atMs / 1000);
    this.m.remoteHighestSent.set({ remote }, highest / 1000);
  }

  failed(remote: string, reason: RemoteFailureReason, samples: number): void {
    this.m.remoteFailed.inc({ remote, reason }, samples);
  }

  retried(remote: string, samples: number): void {
    this.m.remoteRetried.inc({ remote }, samples);
  }

  dropped(remote: string, reason: RemoteDropReason, samples: number): void {
    this.m.remoteDropped.inc({ remote, reason }, samples);
  }

  staleMarkers(remote: string, samples: number): void {
    this.m.remoteStaleMarkers.inc({ remote }, samples);
  }

  queued(remote: string, samples: number): void {
    this.m.remoteQueue.set({ remote }, samples);
  }

  inFlight(remote: string, requests: number): void {
    this.m.remoteInFlight.set({ remote }, requests);
  }

  requestDuration(remote: string, seconds: number): void {
    this.m.remoteDuration.observe({ remote }, seconds);
  }
}
