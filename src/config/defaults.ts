/**
 * Every default in one place. The prototype's defaults are kept where it had
 * them, so a file that relied on them behaves the same.
 */
export const DEFAULTS = {
  /** The prototype queried a local single-node VictoriaMetrics when no URL was set. */
  victoriametricsUrl: 'http://localhost:8428',
  scrapeIntervalSeconds: 60,
  /** The prototype's port; see docs/configuration.md "Top level". */
  exporterPort: 9101,
  exporterAddress: '',
  sourceTimeoutSeconds: 60,
  maxResponseBytes: 512 * 1024 * 1024,
  metricType: 'gauge',
  clearStaleMetrics: true,
  skipEmptyLabels: false,
  defaultSourceName: 'default',
  /** Last good data is served for this many intervals after the last success, then dropped. */
  maxStalenessIntervals: 3,
  /** Source requests in flight at once, over all transformations. */
  maxConcurrentRequests: 4,
  /** Distinct metric names a dynamic name (`{{label}}`) may produce per run. */
  maxNames: 100,
  /** remote_write: Prometheus' remote_timeout default. */
  remoteWriteTimeoutSeconds: 30,
  /** remote_write queue: samples held while a receiver is unreachable (held snappy-compressed). */
  remoteWriteCapacity: 500_000,
  remoteWriteMaxSamplesPerSend: 2000,
  /** Prometheus' queue_config defaults. */
  remoteWriteMinBackoffSeconds: 0.03,
  remoteWriteMaxBackoffSeconds: 5,
  /** remote_write queue: requests in flight per endpoint (small: one exporter's output rarely needs more). */
  remoteWriteMaxShards: 4,
  /** mode: on_scrape — a run's result is reused by scrapes for this long. */
  onScrapeCacheSeconds: 5,
  /** mode: on_scrape — default run deadline (below Prometheus' default 10 s scrape_timeout). */
  onScrapeTimeoutSeconds: 5,
  /**
   * Output series per transformation when neither it nor the top level sets
   * `max_series`: the memory budget of a run. Measured ~0.65 KB of RSS per
   * output series at the peak of a run (the last run's snapshot, the run's
   * own series and rendered bytes side by side): 1M series 0.73 GB, 2M
   * 1.32 GB (bench/finish-render.ts), within Node's default heap; an answer of
   * 10M series fails with too_many_series at the 2,000,001st instead of
   * exhausting the heap (docs/operations.md "Limits").
   */
  maxSeries: 2_000_000,
  /**
   * json sources' max_response_bytes, and JSON files' max_bytes: a JSON
   * document is parsed whole (records is any JSONPath), and a run costs up to
   * ~15× its text (measured: 31 MiB of 600k small records peaked at 519 MB
   * RSS), so the answer bound is the heap bound.
   */
  maxJsonResponseBytes: 32 * 1024 * 1024,
  /** Query-API and JSON label values: a longer one fails the run (scrape lines are capped at 1 MiB the same way). */
  maxLabelValueBytes: 1024 * 1024,
} as const;
