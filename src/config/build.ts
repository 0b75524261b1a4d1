import { buildHttpClient, toSeconds, type BuildContext } from './build-source.js';
import { DEFAULTS } from './defaults.js';
import { claimedNames } from '../model/family-names.js';
import { clashReason } from '../model/metric-types.js';
import type { MetricType } from '../model/series.js';
import { RESERVED_METRIC_PREFIXES } from './names.js';
import type { RawConfig, RawTransformation } from './schema.js';
import { buildTransformation } from './build-transformation.js';
import { buildRemoteWrite } from './build-remote-write.js';
import type { LoaderKinds } from './source-kind.js';
import type { ExporterConfig, SourceConfig } from './types.js';

/** Does a transformation read the source named `default` (also by naming no source)? */
function readsDefault(raw: RawConfig): boolean {
  const name = DEFAULTS.defaultSourceName;
  return raw.metric_transformations.some(
    (t) => t.source === undefined || t.source === name || (Array.isArray(t.source) && t.source.includes(name)),
  );
}

function buildSources(ctx: BuildContext, loader: LoaderKinds, raw: RawConfig, timeout: number): Map<string, SourceConfig> {
  const sources = new Map<string, SourceConfig>();
  const defaultName = DEFAULTS.defaultSourceName;
  const kinds = new Map(loader.kinds.map((k) => [k.type, k]));
  (raw.sources ?? []).forEach((s, i) => {
    const path = ['sources', i];
    if (sources.has(s.name)) {
      ctx.problems.add([...path, 'name'], `duplicate source name "${s.name}"`);
      return;
    }
    if (s.name === defaultName && raw.victoriametrics_url !== undefined) {
      ctx.problems.add([...path, 'name'], `source "${defaultName}" conflicts with victoriametrics_url: set the URL in one place`);
    }
    // The schema let through only entries whose `type:` names a kind, checked by that kind's own schema.
    const kind = kinds.get(s.type);
    if (!kind) throw new Error(`internal: no source kind "${s.type}"`);
    sources.set(s.name, kind.build(ctx, s, path, timeout));
  });
  // The prototype's implicit source, only when a transformation reads it: a
  // config of named sources alone has no phantom `default` to build, probe,
  // list or connect to. A victoriametrics_url written in the file is checked
  // even when unused.
  if (!sources.has(defaultName) && (readsDefault(raw) || raw.victoriametrics_url !== undefined)) {
    const url = raw.victoriametrics_url ?? DEFAULTS.victoriametricsUrl;
    const http = buildHttpClient(ctx, { url }, ['victoriametrics_url'], timeout, ['victoriametrics_url'], true);
    // The prototype's source is a VictoriaMetrics: its queries may be MetricsQL.
    if (readsDefault(raw)) sources.set(defaultName, loader.implicitDefault(defaultName, http));
  }
  return sources;
}

/**
 * Output names must be unique, also across formats and suffixes: an info
 * family `x_info` is the OpenMetrics family `x`, a counter `x` serves
 * `x_total`, a histogram `x` serves `x_bucket`, `x_sum` and `x_count`.
 */
function checkName(
  ctx: BuildContext,
  t: RawTransformation,
  i: number,
  seen: Map<string, { readonly name: string; readonly type: MetricType }>,
): void {
  const path = ['metric_transformations', i, 'name'];
  const type = t.metric_type ?? DEFAULTS.metricType;
  for (const name of claimedNames(t.name, type)) {
    const taken = seen.get(name);
    if (taken?.name === t.name) {
      ctx.problems.add(path, `duplicate transformation name "${t.name}"`);
      break;
    }
    if (taken) {
      ctx.problems.add(path, `"${t.name}" clashes with "${taken.name}": ${clashReason(type, taken.type)}`);
      break;
    }
    seen.set(name, { name: t.name, type });
  }
  const reserved = RESERVED_METRIC_PREFIXES.find((p) => t.name.startsWith(p));
  if (reserved) ctx.problems.add(path, `names starting with "${reserved}" are reserved for the exporter's own metrics`);
}

/** Turns the schema-checked raw config into the typed config, reporting semantic problems. */
export function buildConfig(ctx: BuildContext, loader: LoaderKinds, raw: RawConfig, file: string, hash: string): ExporterConfig {
  const interval = toSeconds(raw.scrape_interval) ?? DEFAULTS.scrapeIntervalSeconds;
  const timeout = toSeconds(raw.query_timeout) ?? DEFAULTS.sourceTimeoutSeconds;
  const sources = buildSources(ctx, loader, raw, timeout);
  const seen = new Map<string, { readonly name: string; readonly type: MetricType }>();
  const transformations = raw.metric_transformations.map((t, i) => {
    checkName(ctx, t, i, seen);
    return buildTransformation(ctx, t, i, sources, interval, toSeconds(raw.max_staleness), raw.max_series);
  });
  return {
    file,
    hash,
    listenHost: raw.exporter_address ?? DEFAULTS.exporterAddress,
    listenPort: raw.exporter_port ?? DEFAULTS.exporterPort,
    sources,
    transformations,
    maxConcurrentRequests: raw.max_concurrent_requests ?? DEFAULTS.maxConcurrentRequests,
    remoteWrite: buildRemoteWrite(ctx, raw),
  };
}
