import type { ExpositionFormat } from '../exposition/format.js';
import type { SnapshotStore } from '../snapshot/store.js';

export interface TransformationView {
  readonly name: string;
  readonly source: string;
  readonly intervalSeconds: number;
  readonly maxStalenessSeconds: number;
  readonly runs: number;
  readonly lastError: string | undefined;
  readonly lastRunAtMs: number | undefined;
  readonly lastSuccessAtMs: number | undefined;
  /** Set when sharded (`--shard.count` > 1): whether this replica runs it, and where it runs. */
  readonly shard?: { readonly owned: boolean; readonly note: string } | undefined;
  /** mode: on_scrape: the cache TTL; undefined (or absent): runs on its interval. */
  readonly onScrapeCacheSeconds?: number | undefined;
  /** Why the last successful run was degraded (no output series, or all defaulted); absent: it was not. */
  readonly degraded?: string | undefined;
  /** Whether a run has produced usable output since the exporter started the transformation. */
  readonly everUsable?: boolean | undefined;
  /** Of the last successful run: source series skipped and defaulted. */
  readonly skipped?: number | undefined;
  readonly defaulted?: number | undefined;
}

/** The config file on disk failed to load; the running configuration is the last good one. */
export interface ConfigFileProblem {
  readonly atMs: number;
  readonly message: string;
}

/** All the HTTP layer may see: snapshots, rendered self-metrics, status and actions. */
export interface HttpDeps {
  readonly store: SnapshotStore;
  selfMetrics(format: ExpositionFormat): Promise<string>;
  /**
   * Brings transformations in mode: on_scrape up to date; awaited by GET
   * /metrics (only) before it reads the store. Bounded by each one's timeout,
   * never rejects; `signal` aborts when the client goes away. Absent: nothing to refresh.
   */
  refresh?(signal: AbortSignal): Promise<void>;
  /** Counts a /metrics request by the format it is served in. */
  scraped(format: ExpositionFormat): void;
  ready(): boolean;
  statuses(): readonly TransformationView[];
  /** Set while the last attempt to (re)load the config file failed. */
  configProblem?(): ConfigFileProblem | undefined;
  /** The running configuration with secrets redacted, as text. */
  configText(): string;
  /** Version line for the status page. */
  readonly version: string;
  /** Reloads the config file; the message is the error text on failure. */
  reload(): Promise<{ readonly ok: boolean; readonly message: string }>;
}
