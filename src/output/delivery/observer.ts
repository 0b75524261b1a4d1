/** Why a send attempt failed; every reason but `http_4xx` is retried. */
export type FailureReason = 'http_5xx' | 'http_429' | 'http_4xx' | 'connection' | 'timeout' | 'other';
export const FAILURE_REASONS: readonly FailureReason[] = ['http_5xx', 'http_429', 'http_4xx', 'connection', 'timeout', 'other'];

/** Why samples were given up: a 4xx answer, a full queue, shutdown, or the endpoint removed on reload. */
export type DropReason = 'rejected' | 'queue_full' | 'shutdown' | 'removed';
export const DROP_REASONS: readonly DropReason[] = ['rejected', 'queue_full', 'shutdown', 'removed'];

/** What a delivering endpoint reports (`endpoint` is its name); an output's self-metrics implement it. */
export interface DeliveryObserver {
  added(endpoint: string, capacity: number, maxShards: number): void;
  removed(endpoint: string): void;
  /** `newestSampleMs`: the newest sample timestamp in the accepted request. */
  sent(endpoint: string, samples: number, atMs: number, newestSampleMs: number): void;
  failed(endpoint: string, reason: FailureReason, samples: number): void;
  retried(endpoint: string, samples: number): void;
  dropped(endpoint: string, reason: DropReason, samples: number): void;
  queued(endpoint: string, samples: number): void;
  /** Requests being sent now. */
  inFlight(endpoint: string, requests: number): void;
  /** How long one attempt took, successful or not (a timed-out one: the timeout). */
  requestDuration(endpoint: string, seconds: number): void;
}
