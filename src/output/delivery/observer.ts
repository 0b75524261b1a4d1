import type { DropReason, FailureReason } from '../../model/delivery-reasons.js';

export { DROP_REASONS, FAILURE_REASONS, type DropReason, type FailureReason } from '../../model/delivery-reasons.js';

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
