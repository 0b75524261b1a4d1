import { isAbsolute, resolve } from 'node:path';
import { parseMatchers, SelectorSyntaxError } from '../model/selector.js';
import { buildHttpClient, expand, toSeconds, type BuildContext } from './build-source.js';
import { DEFAULTS } from './defaults.js';
import { RESERVED_METRIC_PREFIXES } from './names.js';
import type { RawConfig, RawTransformation } from './schema.js';
import type { CompiledValue, ExporterConfig, SourceConfig, TransformationConfig } from './types.js';
import { compileParser, ParserConfigError, type ParserSpec } from '../parsers/index.js';
import type { PathSegment } from './locate.js';

function buildSources(ctx: BuildContext, raw: RawConfig, timeout: number): Map<string, SourceConfig> {
  const sources = new Map<string, SourceConfig>();
  const defaultName = DEFAULTS.defaultSourceName;
  (raw.sources ?? []).forEach((s, i) => {
    const path = ['sources', i];
    if (sources.has(s.name)) {
      ctx.problems.add([...path, 'name'], `duplicate source name "${s.name}"`);
      return;
    }
    if (s.name === defaultName && raw.victoriametrics_url !== undefined) {
      ctx.problems.add([...path, 'name'], `source "${defaultName}" conflicts with victoriametrics_url: set the URL in one place`);
    }
    if (s.type === 'file') {
      const file = expand(ctx, s.path, [...path, 'path']);
      sources.set(s.name, { name: s.name, type: 'file', path: isAbsolute(file) ? file : resolve(ctx.dir, file) });
    } else {
      sources.set(s.name, { name: s.name, type: 'prometheus', http: buildHttpClient(ctx, s, path, timeout) });
    }
  });
  if (!sources.has(defaultName)) {
    const url = raw.victoriametrics_url ?? DEFAULTS.victoriametricsUrl;
    const http = buildHttpClient(ctx, { url }, ['victoriametrics_url'], timeout, ['victoriametrics_url']);
    sources.set(defaultName, { name: defaultName, type: 'prometheus', http });
  }
  return sources;
}

/**
 * Output names must be unique, also across formats: an info family `x_info`
 * is the OpenMetrics family `x`, so a transformation named `x` would clash.
 */
function checkName(ctx: BuildContext, t: RawTransformation, i: number, seen: Map<string, string>): void {
  const path = ['metric_transformations', i, 'name'];
  const family = t.metric_type === 'info' && t.name.endsWith('_info') ? t.name.slice(0, -5) : undefined;
  for (const name of family ? [t.name, family] : [t.name]) {
    const other = seen.get(name);
    if (other === t.name) ctx.problems.add(path, `duplicate transformation name "${t.name}"`);
    else if (other !== undefined) ctx.problems.add(path, `"${t.name}" clashes with "${other}": an info metric "x_info" is the OpenMetrics family "x"`);
    if (other === undefined) seen.set(name, t.name);
  }
  const reserved = RESERVED_METRIC_PREFIXES.find((p) => t.name.startsWith(p));
  if (reserved) ctx.problems.add(path, `names starting with "${reserved}" are reserved for the exporter's own metrics`);
}

function checkSelector(ctx: BuildContext, t: RawTransformation, i: number, source: SourceConfig | undefined): void {
  // Query-API sources get the filter verbatim (MetricsQL allows more than we parse);
  // sources that select series themselves need it to be parseable now.
  if (!t.query_filter || !source || source.type === 'prometheus') return;
  try {
    parseMatchers(t.query_filter);
  } catch (e) {
    if (!(e instanceof SelectorSyntaxError)) throw e;
    ctx.problems.add(['metric_transformations', i, 'query_filter'], `invalid label matchers: ${e.message}`);
  }
}

/** Compiles the `value:` parser now, so a bad option is a load error with its location. */
function compileValue(ctx: BuildContext, t: RawTransformation, path: PathSegment[]): CompiledValue | null {
  if (!t.value) return null;
  const spec = t.value as ParserSpec;
  try {
    return { spec, parse: compileParser(spec) };
  } catch (e) {
    if (!(e instanceof ParserConfigError)) throw e;
    ctx.problems.add([...path, e.field], e.message);
    return null;
  }
}

function buildTransformation(
  ctx: BuildContext,
  t: RawTransformation,
  i: number,
  sources: ReadonlyMap<string, SourceConfig>,
  globalInterval: number,
  globalStaleness: number | undefined,
): TransformationConfig {
  const path = ['metric_transformations', i];
  const sourceName = t.source ?? DEFAULTS.defaultSourceName;
  const source = sources.get(sourceName);
  if (!source) {
    ctx.problems.add([...path, 'source'], `unknown source "${sourceName}"; defined: ${[...sources.keys()].join(', ')}`);
  }
  checkSelector(ctx, t, i, source);
  const preserve = t.preserve_labels ?? null;
  if (preserve) {
    const j = preserve.findIndex((l, k) => preserve.indexOf(l) !== k);
    if (j >= 0) ctx.problems.add([...path, 'preserve_labels', j], `label "${preserve[j]}" is listed twice`);
  }
  const interval = toSeconds(t.interval) ?? globalInterval;
  const sourceTimeout = source?.type === 'prometheus' ? source.http.timeoutSeconds : interval;
  return {
    name: t.name,
    help: t.description ?? `Value of label "${t.value_from_label}" of ${t.source_metric}.`,
    source: sourceName,
    sourceMetric: t.source_metric,
    queryFilter: t.query_filter?.trim() ?? '',
    metricType: t.metric_type ?? DEFAULTS.metricType,
    valueFromLabel: t.value_from_label,
    preserveLabels: preserve,
    defaultValue: t.default_value ?? null,
    clearStaleMetrics: t.clear_stale_metrics ?? DEFAULTS.clearStaleMetrics,
    skipEmptyLabels: t.skip_empty_labels ?? DEFAULTS.skipEmptyLabels,
    intervalSeconds: interval,
    timeoutSeconds: toSeconds(t.timeout) ?? Math.min(interval, sourceTimeout),
    maxStalenessSeconds: toSeconds(t.max_staleness) ?? globalStaleness ?? DEFAULTS.maxStalenessIntervals * interval,
    value: compileValue(ctx, t, [...path, 'value']),
  };
}

/** Turns the schema-checked raw config into the typed config, reporting semantic problems. */
export function buildConfig(ctx: BuildContext, raw: RawConfig, file: string, hash: string): ExporterConfig {
  const interval = toSeconds(raw.scrape_interval) ?? DEFAULTS.scrapeIntervalSeconds;
  const timeout = toSeconds(raw.query_timeout) ?? DEFAULTS.sourceTimeoutSeconds;
  const sources = buildSources(ctx, raw, timeout);
  const seen = new Map<string, string>();
  const transformations = raw.metric_transformations.map((t, i) => {
    checkName(ctx, t, i, seen);
    return buildTransformation(ctx, t, i, sources, interval, toSeconds(raw.max_staleness));
  });
  return {
    file,
    hash,
    listenHost: raw.exporter_address ?? DEFAULTS.exporterAddress,
    listenPort: raw.exporter_port ?? DEFAULTS.exporterPort,
    sources,
    transformations,
    maxConcurrentRequests: raw.max_concurrent_requests ?? DEFAULTS.maxConcurrentRequests,
  };
}
