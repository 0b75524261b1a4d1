/** Why a send attempt failed; every reason but `http_4xx` is retried. */
export type FailureReason = 'http_5xx' | 'http_429' | 'http_4xx' | 'connection' | 'timeout' | 'other';
export const FAILURE_REASONS: readonly FailureReason[] = ['http_5xx', 'http_429', 'http_4xx', 'connection', 'timeout', 'other'];

/** Why samples were given up: a 4xx answer, a full queue, shutdown, or the endpoint removed on reload. */
export type DropReason = 'rejected' | 'queue_full' | 'shutdown' | 'removed';
export const DROP_REASONS: readonly DropReason[] = ['rejected', 'queue_full', 'shutdown', 'removed'];

/** What remote write reports, per endpoint (`remote` is its name); the self-metrics implement it. */
export interface RemoteWriteObserver {
  added(remote: string, capacity: number, maxShards: number): void;
  removed(remote: string): void;
  /** `newestSampleMs`: the newest sample timestamp in the accepted request. */
  sent(remote: string, samples: number, atMs: number, newestSampleMs: number): void;
  failed(remote: string, reason: FailureReason, samples: number): void;
  retried(remote: string, samples: number): void;
  dropped(remote: string, reason: DropReason, samples: number): void;
  staleMarkers(remote: string, samples: number): void;
  queued(remote: string, samples: number): void;
  /** Requests being sent now. */
  inFlight(remote: string, requests: number): void;
  /** How long one attempt took, successful or not (a timed-out one: the timeout). */
  requestDuration(remote: string, seconds: number): void;
}
