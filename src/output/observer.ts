/** Why a send attempt failed; every reason but `http_4xx` is retried. */
export type FailureReason = 'http_5xx' | 'http_429' | 'http_4xx' | 'connection' | 'timeout' | 'other';
export const FAILURE_REASONS: readonly FailureReason[] = ['http_5xx', 'http_429', 'http_4xx', 'connection', 'timeout', 'other'];

/** Why samples were given up: a 4xx answer, a full queue, shutdown, or the endpoint removed on reload. */
export type DropReason = 'rejected' | 'queue_full' | 'shutdown' | 'removed';
export const DROP_REASONS: readonly DropReason[] = ['rejected', 'queue_full', 'shutdown', 'removed'];

/** What remote write reports, per endpoint (`remote` is its name); the self-metrics implement it. */
export interface RemoteWriteObserver {
  added(remote: string, capacity: number): void;
  removed(remote: string): void;
  sent(remote: string, samples: number, atMs: number): void;
  failed(remote: string, reason: FailureReason, samples: number): void;
  retried(remote: string, samples: number): void;
  dropped(remote: string, reason: DropReason, samples: number): void;
  staleMarkers(remote: string, samples: number): void;
  queued(remote: string, samples: number): void;
}
