import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry, type RegistryContentType } from 'prom-client';

export const PREFIX = 'label_value_exporter_';

const LINT_FAILING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

const RUN_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * One registry's worth of the exporter's own metrics. prom-client renames
 * counters in place when it renders OpenMetrics, so the text and OpenMetrics
 * registries each get their own set (see `self-metrics.ts`).
 */
export function createMetricSet(registry: Registry<RegistryContentType>) {
  const registers = [registry];
  const t = ['transformation'] as const;
  collectDefaultMetrics({ register: registry });
  // prom-client exposes these totals as gauges named *_total, which promtool's
  // linter rejects; the per-type gauges without the suffix carry the same data.
  for (const name of LINT_FAILING_DEFAULTS) registry.removeSingleMetric(name);
  return {
    buildInfo: new Gauge({
      name: `${PREFIX}build_info`,
      help: 'A metric with a constant 1 value labeled by version, revision, branch and nodeversion from which label-value-exporter was built.',
      labelNames: ['version', 'revision', 'branch', 'nodeversion'] as const,
      registers,
    }),
    lastRunSuccess: new Gauge({ name: `${PREFIX}transformation_last_run_success`, help: 'Whether the last run of the transformation succeeded (1) or failed (0).', labelNames: t, registers }),
    lastSuccess: new Gauge({ name: `${PREFIX}transformation_last_success_timestamp_seconds`, help: 'Unix time of the last successful run of the transformation.', labelNames: t, registers }),
    runDuration: new Histogram({ name: `${PREFIX}transformation_run_duration_seconds`, help: 'Duration of transformation runs: query, parse, transform and swap.', labelNames: t, buckets: RUN_BUCKETS, registers }),
    runs: new Counter({ name: `${PREFIX}transformation_runs_total`, help: 'Transformation runs by result (success, failure).', labelNames: ['transformation', 'result'] as const, registers }),
    failures: new Counter({ name: `${PREFIX}transformation_failures_total`, help: 'Failed transformation runs by reason.', labelNames: ['transformation', 'reason'] as const, registers }),
    sourceSeries: new Gauge({ name: `${PREFIX}transformation_source_series`, help: 'Source series read by the last successful run.', labelNames: t, registers }),
    projection: new Gauge({ name: `${PREFIX}transformation_source_projection`, help: 'How the last successful run asked the source: 1 for the projection used (none, group, keep), 0 for the others.', labelNames: [...t, 'projection'], registers }),
    series: new Gauge({ name: `${PREFIX}transformation_series`, help: 'Output series currently served for the transformation.', labelNames: t, registers }),
    skipped: new Counter({ name: `${PREFIX}transformation_skipped_series_total`, help: 'Source series that produced no output series, by reason.', labelNames: ['transformation', 'reason'] as const, registers }),
    defaulted: new Counter({ name: `${PREFIX}transformation_defaulted_series_total`, help: 'Source series whose missing or unparseable value was replaced by default_value.', labelNames: t, registers }),
    collisions: new Counter({ name: `${PREFIX}transformation_collisions_total`, help: 'Source series dropped because another source series produced the same output labels.', labelNames: t, registers }),
    degraded: new Gauge({ name: `${PREFIX}transformation_degraded`, help: 'Whether the last successful run of the transformation was degraded (1): its source answered with series but it produced no output series, or every one carries default_value.', labelNames: t, registers }),
    everUsable: new Gauge({ name: `${PREFIX}transformation_ever_succeeded`, help: 'Whether a run of the transformation has produced usable output (succeeded, not degraded) since the exporter started it (1) or not yet (0).', labelNames: t, registers }),
    interval: new Gauge({ name: `${PREFIX}transformation_interval_seconds`, help: 'Configured interval between runs of the transformation.', labelNames: t, registers }),
    maxStaleness: new Gauge({ name: `${PREFIX}transformation_max_staleness_seconds`, help: 'Age of the last good data after which the transformation\'s series are dropped.', labelNames: t, registers }),
    stale: new Gauge({ name: `${PREFIX}transformation_stale`, help: 'Whether the transformation\'s series were dropped because its last good data is older than max_staleness (1) or not (0).', labelNames: t, registers }),
    missedRuns: new Counter({ name: `${PREFIX}transformation_missed_runs_total`, help: 'Scheduled runs skipped because the previous run was still going.', labelNames: t, registers }),
    retries: new Counter({ name: `${PREFIX}transformation_retries_total`, help: 'Source requests retried after a transient failure within one interval.', labelNames: t, registers }),
    sourceRequests: new Counter({ name: `${PREFIX}source_requests_total`, help: 'Requests to sources by HTTP status code (or error class).', labelNames: ['source', 'code'] as const, registers }),
    sourceDuration: new Histogram({ name: `${PREFIX}source_request_duration_seconds`, help: 'Duration of source requests, until the whole response was read.', labelNames: ['source'] as const, buckets: RUN_BUCKETS, registers }),
    scrapes: new Counter({ name: `${PREFIX}metrics_requests_total`, help: 'Requests to /metrics by exposition format served.', labelNames: ['format'] as const, registers }),
    onScrapeCache: new Gauge({ name: `${PREFIX}transformation_on_scrape_cache_seconds`, help: 'mode: on_scrape transformations: how long a run\'s result is reused by later scrapes.', labelNames: t, registers }),
    scrapeRefreshes: new Counter({
      name: `${PREFIX}transformation_scrape_refreshes_total`,
      help: 'mode: on_scrape transformations: /metrics requests by how they got fresh data (ran: started a run, joined: awaited a run in flight, cached: result younger than the cache).',
      labelNames: ['transformation', 'outcome'] as const,
      registers,
    }),
    connectionsDropped: new Counter({ name: `${PREFIX}http_connections_dropped_total`, help: 'Connections closed at once because --web.max-connections were open.', registers }),
    // Registered only when a --web.config.file is used (see SelfMetrics.webConfigLoaded): without one, a 0 would read as a failed reload.
    webReloadSuccess: new Gauge({ name: `${PREFIX}web_config_last_reload_successful`, help: 'Whether the last load of --web.config.file succeeded.', registers: [] }),
    webReloadTimestamp: new Gauge({ name: `${PREFIX}web_config_last_reload_success_timestamp_seconds`, help: 'Unix time of the last successful load of --web.config.file.', registers: [] }),
    webReloadFailures: new Counter({ name: `${PREFIX}web_config_reload_failures_total`, help: 'Reloads of --web.config.file rejected (the running web configuration stayed).', registers: [] }),
    registry,
    reloadSuccess: new Gauge({ name: `${PREFIX}config_last_reload_successful`, help: 'Whether the last configuration load succeeded.', registers }),
    reloadTimestamp: new Gauge({ name: `${PREFIX}config_last_reload_success_timestamp_seconds`, help: 'Unix time of the last successful configuration load.', registers }),
    // Fan-in (several sources per transformation): each source's own state.
    sourceUp: new Gauge({ name: `${PREFIX}transformation_source_up`, help: 'Transformations reading several sources: whether the source answered the last run (1) or failed (0); a failing source\'s last good series are served until max_staleness.', labelNames: ['transformation', 'source'] as const, registers }),
    sourceLastSuccess: new Gauge({ name: `${PREFIX}transformation_source_last_success_timestamp_seconds`, help: 'Transformations reading several sources: Unix time of the last run the source answered.', labelNames: ['transformation', 'source'] as const, registers }),
    // Sharding (README "Sharding").
    shardInfo: new Gauge({ name: `${PREFIX}shard_info`, help: 'A metric with a constant 1 value labeled by this replica\'s --shard.index and --shard.count.', labelNames: ['index', 'count'] as const, registers }),
    owned: new Gauge({ name: `${PREFIX}transformation_owned`, help: 'Whether this replica runs the transformation (1) or another shard does (0); shard_by: series transformations run on every replica.', labelNames: t, registers }),
  };
}

export type MetricSet = ReturnType<typeof createMetricSet>;
