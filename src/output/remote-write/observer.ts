import type { DeliveryObserver } from '../delivery/observer.js';

export { DROP_REASONS, FAILURE_REASONS, type DropReason, type FailureReason } from '../delivery/observer.js';

/** What remote write reports, per endpoint (`remote` is its name); the self-metrics implement it. */
export interface RemoteWriteObserver extends DeliveryObserver {
  staleMarkers(remote: string, samples: number): void;
}
