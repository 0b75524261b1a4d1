import type { ExporterConfig } from '../config/types.js';
import type { Logger } from '../logging/logger.js';
import type { SnapshotStore } from '../snapshot/store.js';
import type { RemoteWriteObserver } from './remote-write/observer.js';

/**
 * An output sends the finished snapshots somewhere besides /metrics (remote
 * write first; history backfill sinks and generated rule files next). It
 * listens to the snapshot store (`onChange`, `current()`), expands families
 * into samples with exposition/samples.ts (the samples /metrics serves, as
 * data) and may deliver them through delivery/ (a sharded bounded queue with
 * retries, backoff and health logs). One folder per kind, listed in outputs.ts.
 */
export interface Output {
  /** The kind, as listed in OUTPUT_KINDS (`remote_write`). */
  readonly kind: string;
  /** Applies this output's part of a (re)loaded config: starts, changes or stops its work. The first call starts it. */
  reload(config: ExporterConfig): Promise<void>;
  /** Sends what is queued for up to `flushMs` (the output's own default when undefined), then stops. */
  stop(flushMs?: number): Promise<void>;
}

/** Each output kind's self-metrics (selfmetrics/ implements them; `SelfMetrics` has these fields). */
export interface OutputObservers {
  readonly remoteWrite: RemoteWriteObserver;
}

/** What outputs get from the process. */
export interface OutputDeps {
  readonly logger: Logger;
  /** The User-Agent of requests an output sends. */
  readonly userAgent: string;
  readonly observers: OutputObservers;
}

/** One kind of output: its name and how it is created over the store. */
export interface OutputKind {
  readonly kind: string;
  create(store: SnapshotStore, deps: OutputDeps): Output;
}
