/**
 * Every self-metric, declared once. The docs' table "Our own metrics" lists
 * the same ones (test/unit/selfmetrics/documented.test.ts keeps the two
 * equal). The text and OpenMetrics registries are both built from
 * `SELF_METRICS`, in its order (the order of /metrics), and `SelfMetrics`
 * updates both through one generic fan-out (`fan-out.ts`).
 *
 * To add a metric: an entry here, the update in `SelfMetrics` (or
 * `RemoteWriteMetrics`), and a row in the docs' table. Removing a
 * transformation or a remote-write endpoint removes its series by itself.
 */
import type { ExpositionFormat } from '../exposition/format.js';
import { DROP_REASONS, FAILURE_REASONS, type DropReason, type FailureReason } from '../model/delivery-reasons.js';
import type { SourceFailureReason } from '../model/errors.js';

export const PREFIX = 'label_value_exporter_';

/**
 * `everyOf<T>()([...])`: the list, which compiles only when it names every
 * member of `T` (a list kept next to a type defined elsewhere cannot drift).
 */
export function everyOf<T extends string>() {
  return <const L extends readonly T[]>(
    list: L & ([Exclude<T, L[number]>] extends [never] ? unknown : { readonly missing: Exclude<T, L[number]> }),
  ): L => list;
}

// Enumerated label values. `zero()` creates one series per value; the types
// of the label values in the typed API (`LabelsOf`) are derived from them.

export const RUN_RESULTS = ['success', 'failure'] as const;
export type RunResult = (typeof RUN_RESULTS)[number];

export const SOURCE_FAILURE_REASONS = everyOf<SourceFailureReason>()([
  'connection',
  'timeout',
  'http_status',
  'error_envelope',
  'bad_response',
  'too_large',
  'io',
  'parse',
  'empty_result',
  'collision',
  'too_many_series',
  'too_many_names',
]);

/** How a run asked the source (none: the selector; group: group by; keep: label_keep). */
export const PROJECTIONS = ['none', 'group', 'keep'] as const;
export type Projection = (typeof PROJECTIONS)[number];

/** The transformer's own skip reasons, created at zero; parsers add their own (hence `string`). */
export const BUILTIN_SKIP_REASONS = ['empty_label', 'missing_label', 'unparseable'] as const;
export type SkipReason = (typeof BUILTIN_SKIP_REASONS)[number] | (string & {});
const SKIP_REASONS: readonly SkipReason[] = BUILTIN_SKIP_REASONS;

export const EXPOSITION_FORMATS = everyOf<ExpositionFormat>()(['text', 'openmetrics']);

/** How a scrape got fresh data for an on_scrape transformation. */
export const SCRAPE_REFRESH_OUTCOMES = ['ran', 'joined', 'cached'] as const;
export type ScrapeRefreshOutcome = (typeof SCRAPE_REFRESH_OUTCOMES)[number];

/** Remote write's reasons: the delivery code's own lists (model/delivery-reasons.ts). */
export const REMOTE_FAILURE_REASONS = FAILURE_REASONS;
export type RemoteFailureReason = FailureReason;
export const REMOTE_DROP_REASONS = DROP_REASONS;
export type RemoteDropReason = DropReason;

/** One self-metric. */
export interface MetricDef {
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly name: string;
  readonly help: string;
  readonly labels: readonly string[];
  /** Enumerated labels and all their values. */
  readonly values?: Readonly<Record<string, readonly string[]>>;
  readonly buckets?: readonly number[];
  /** Registered only by `enable(group)`, not at start (see `SelfMetrics.webConfigLoaded`). */
  readonly group?: 'web_config';
  /**
   * Why the series stay when their transformation (or remote) goes. Without
   * it, removing one removes every series of this metric that carries it.
   */
  readonly keptOnRemoval?: string;
}

const RUN_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Seconds; from a fast local receiver to the default 30 s timeout. */
const REMOTE_DURATION_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const T = ['transformation'] as const;
const R = ['remote'] as const;
const P = PREFIX;
const RW = `${PREFIX}remote_write_`;

/** Every self-metric, in the order of /metrics (after prom-client's process_ and nodejs_ metrics). */
export const SELF_METRICS = {
  buildInfo: {
    type: 'gauge',
    name: `${P}build_info`,
    labels: ['version', 'revision', 'branch', 'nodeversion'],
    help: 'A metric with a constant 1 value labeled by version, revision, branch and nodeversion from which label-value-exporter was built.',
  },
  lastRunSuccess: {
    type: 'gauge',
    name: `${P}transformation_last_run_success`,
    labels: T,
    help: 'Whether the last run of the transformation succeeded (1) or failed (0).',
  },
  lastSuccess: {
    type: 'gauge',
    name: `${P}transformation_last_success_timestamp_seconds`,
    labels: T,
    help: 'Unix time of the last successful run of the transformation.',
  },
  runDuration: {
    type: 'histogram',
    name: `${P}transformation_run_duration_seconds`,
    labels: T,
    buckets: RUN_BUCKETS,
    help: 'Duration of transformation runs: query, parse, transform and swap.',
  },
  runs: {
    type: 'counter',
    name: `${P}transformation_runs_total`,
    labels: ['transformation', 'result'],
    values: { result: RUN_RESULTS },
    help: 'Transformation runs by result (success, failure).',
  },
  failures: {
    type: 'counter',
    name: `${P}transformation_failures_total`,
    labels: ['transformation', 'reason'],
    values: { reason: SOURCE_FAILURE_REASONS },
    help: 'Failed transformation runs by reason.',
  },
  sourceSeries: {
    type: 'gauge',
    name: `${P}transformation_source_series`,
    labels: T,
    help: 'Source series read by the last successful run.',
  },
  projection: {
    type: 'gauge',
    name: `${P}transformation_source_projection`,
    labels: ['transformation', 'projection'],
    values: { projection: PROJECTIONS },
    help: 'How the last successful run asked the source: 1 for the projection used (none, group, keep), 0 for the others.',
  },
  series: {
    type: 'gauge',
    name: `${P}transformation_series`,
    labels: T,
    help: 'Output series currently served for the transformation.',
  },
  skipped: {
    type: 'counter',
    name: `${P}transformation_skipped_series_total`,
    labels: ['transformation', 'reason'],
    values: { reason: SKIP_REASONS },
    help: 'Source series that produced no output series, by reason.',
  },
  defaulted: {
    type: 'counter',
    name: `${P}transformation_defaulted_series_total`,
    labels: T,
    help: 'Source series whose missing or unparseable value was replaced by default_value.',
  },
  collisions: {
    type: 'counter',
    name: `${P}transformation_collisions_total`,
    labels: T,
    help: 'Source series dropped because another source series produced the same output labels.',
  },
  degraded: {
    type: 'gauge',
    name: `${P}transformation_degraded`,
    labels: T,
    help:
      'Whether the last successful run of the transformation was degraded (1): its source answered with series but it produced ' +
      'no output series, or every one carries default_value.',
  },
  everUsable: {
    type: 'gauge',
    name: `${P}transformation_ever_succeeded`,
    labels: T,
    help:
      'Whether a run of the transformation has produced usable output (succeeded, not degraded) since the exporter started it (1) ' +
      'or not yet (0).',
  },
  interval: {
    type: 'gauge',
    name: `${P}transformation_interval_seconds`,
    labels: T,
    help: 'Configured interval between runs of the transformation.',
  },
  maxStaleness: {
    type: 'gauge',
    name: `${P}transformation_max_staleness_seconds`,
    labels: T,
    help: "Age of the last good data after which the transformation's series are dropped.",
  },
  stale: {
    type: 'gauge',
    name: `${P}transformation_stale`,
    labels: T,
    help: "Whether the transformation's series were dropped because its last good data is older than max_staleness (1) or not (0).",
  },
  missedRuns: {
    type: 'counter',
    name: `${P}transformation_missed_runs_total`,
    labels: T,
    help: 'Scheduled runs skipped because the previous run was still going.',
  },
  retries: {
    type: 'counter',
    name: `${P}transformation_retries_total`,
    labels: T,
    help: 'Source requests retried after a transient failure within one interval.',
  },
  sourceRequests: {
    type: 'counter',
    name: `${P}source_requests_total`,
    labels: ['source', 'code'],
    help: 'Requests to sources by HTTP status code (or error class).',
  },
  sourceDuration: {
    type: 'histogram',
    name: `${P}source_request_duration_seconds`,
    labels: ['source'],
    buckets: RUN_BUCKETS,
    help: 'Duration of source requests, until the whole response was read.',
  },
  scrapes: {
    type: 'counter',
    name: `${P}metrics_requests_total`,
    labels: ['format'],
    values: { format: EXPOSITION_FORMATS },
    help: 'Requests to /metrics by exposition format served.',
  },
  onScrapeCache: {
    type: 'gauge',
    name: `${P}transformation_on_scrape_cache_seconds`,
    labels: T,
    help: "mode: on_scrape transformations: how long a run's result is reused by later scrapes.",
  },
  scrapeRefreshes: {
    type: 'counter',
    name: `${P}transformation_scrape_refreshes_total`,
    labels: ['transformation', 'outcome'],
    values: { outcome: SCRAPE_REFRESH_OUTCOMES },
    help:
      'mode: on_scrape transformations: /metrics requests by how they got fresh data (ran: started a run, joined: awaited a run ' +
      'in flight, cached: result younger than the cache).',
  },
  connectionsDropped: {
    type: 'counter',
    name: `${P}http_connections_dropped_total`,
    labels: [],
    help: 'Connections closed at once because --web.max-connections were open.',
  },
  // Registered only when a --web.config.file is used: without one, a 0 would read as a failed reload.
  webReloadSuccess: {
    type: 'gauge',
    name: `${P}web_config_last_reload_successful`,
    labels: [],
    group: 'web_config',
    help: 'Whether the last load of --web.config.file succeeded.',
  },
  webReloadTimestamp: {
    type: 'gauge',
    name: `${P}web_config_last_reload_success_timestamp_seconds`,
    labels: [],
    group: 'web_config',
    help: 'Unix time of the last successful load of --web.config.file.',
  },
  webReloadFailures: {
    type: 'counter',
    name: `${P}web_config_reload_failures_total`,
    labels: [],
    group: 'web_config',
    help: 'Reloads of --web.config.file rejected (the running web configuration stayed).',
  },
  reloadSuccess: {
    type: 'gauge',
    name: `${P}config_last_reload_successful`,
    labels: [],
    help: 'Whether the last configuration load succeeded.',
  },
  reloadTimestamp: {
    type: 'gauge',
    name: `${P}config_last_reload_success_timestamp_seconds`,
    labels: [],
    help: 'Unix time of the last successful configuration load.',
  },
  // Fan-in (several sources per transformation): each source's own state.
  sourceUp: {
    type: 'gauge',
    name: `${P}transformation_source_up`,
    labels: ['transformation', 'source'],
    help:
      "Transformations reading several sources: whether the source answered the last run (1) or failed (0); a failing source's " +
      'last good series are served until max_staleness.',
  },
  sourceLastSuccess: {
    type: 'gauge',
    name: `${P}transformation_source_last_success_timestamp_seconds`,
    labels: ['transformation', 'source'],
    help: 'Transformations reading several sources: Unix time of the last run the source answered.',
  },
  // Sharding (docs/operations.md "Sharding").
  shardInfo: {
    type: 'gauge',
    name: `${P}shard_info`,
    labels: ['index', 'count'],
    help: "A metric with a constant 1 value labeled by this replica's --shard.index and --shard.count.",
  },
  owned: {
    type: 'gauge',
    name: `${P}transformation_owned`,
    labels: T,
    help:
      'Whether this replica runs the transformation (1) or another shard does (0); shard_by: series transformations run on every ' +
      'replica.',
    keptOnRemoval: 'setOwned replaces all its series at every config load; one another shard now runs stays, at 0',
  },
  // Remote-write output (docs/configuration.md "Remote-write output").
  remoteSent: {
    type: 'counter',
    name: `${RW}samples_sent_total`,
    labels: R,
    help: 'Samples (staleness markers included) accepted by the remote-write endpoint.',
  },
  remoteFailed: {
    type: 'counter',
    name: `${RW}samples_failed_total`,
    labels: ['remote', 'reason'],
    values: { reason: REMOTE_FAILURE_REASONS },
    help:
      'Samples in remote-write requests that failed, by reason (http_5xx, http_429, connection, timeout and other are retried; ' +
      'http_4xx is not).',
  },
  remoteRetried: {
    type: 'counter',
    name: `${RW}samples_retried_total`,
    labels: R,
    help: 'Samples sent again after a failed remote-write request.',
  },
  remoteDropped: {
    type: 'counter',
    name: `${RW}samples_dropped_total`,
    labels: ['remote', 'reason'],
    values: { reason: REMOTE_DROP_REASONS },
    help: 'Samples given up, by reason: rejected (4xx answer), queue_full (oldest dropped), shutdown, removed (endpoint removed on reload).',
  },
  remoteStaleMarkers: {
    type: 'counter',
    name: `${RW}stale_markers_total`,
    labels: R,
    help: 'Staleness markers queued for series that vanished since the previous push.',
  },
  remoteQueue: {
    type: 'gauge',
    name: `${RW}queue_samples`,
    labels: R,
    help: 'Samples waiting to be sent (or being sent) to the remote-write endpoint.',
  },
  remoteCapacity: {
    type: 'gauge',
    name: `${RW}queue_capacity_samples`,
    labels: R,
    help: 'Samples the remote-write queue holds at most (queue_config.capacity).',
  },
  remoteLastSuccess: {
    type: 'gauge',
    name: `${RW}last_success_timestamp_seconds`,
    labels: R,
    help: 'Unix time of the last request the remote-write endpoint accepted.',
  },
  remoteHighestSent: {
    type: 'gauge',
    name: `${RW}highest_sent_timestamp_seconds`,
    labels: R,
    help: 'Newest sample timestamp the remote-write endpoint accepted; time() minus it is how far behind remote write is.',
  },
  remoteShardsMax: {
    type: 'gauge',
    name: `${RW}shards_max`,
    labels: R,
    help: 'Shards of the remote-write queue, each sending one request at a time (queue_config.max_shards).',
  },
  remoteInFlight: {
    type: 'gauge',
    name: `${RW}requests_in_flight`,
    labels: R,
    help: 'Remote-write requests being sent now (at most shards_max).',
  },
  remoteDuration: {
    type: 'histogram',
    name: `${RW}request_duration_seconds`,
    labels: R,
    buckets: REMOTE_DURATION_BUCKETS,
    help: 'Duration of remote-write requests, failed ones included (a timed-out one lasts the timeout).',
  },
} as const satisfies Readonly<Record<string, MetricDef>>;

export type SelfMetricDefs = typeof SELF_METRICS;
