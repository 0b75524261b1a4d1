import { JSONPath } from 'jsonpath-plus';
import { parseSelector, SelectorSyntaxError } from '../model/selector.js';
import { compileParser, ParserConfigError, type ParserSpec } from '../parsers/index.js';
import { toSeconds, type BuildContext } from './build-source.js';
import { DEFAULTS } from './defaults.js';
import type { PathSegment } from './locate.js';
import type { RawTransformation } from './schema.js';
import { buildShaping } from './build-shaping.js';
import { buildMetricType } from './build-metric-type.js';
import { buildQuery, pushdownAllowed } from './build-query.js';
import { hasHttp, type CompiledValue, type JsonMapping, type SourceConfig, type TransformationConfig } from './types.js';

/** Sources that select series themselves: their regexes must also compile in JavaScript. */
function filtersLocally(ctx: BuildContext, s: SourceConfig): boolean {
  return ctx.capabilities(s).selectsLocally;
}

function readsJson(ctx: BuildContext, s: SourceConfig): boolean {
  return ctx.capabilities(s).readsJson;
}

/**
 * Every source's query_filter is parsed now, so `check` catches an unclosed
 * quote or a regex the server's RE2 refuses, at its line and column, instead
 * of the first run failing with the server's message about a rewritten query.
 * MetricsQL's `or` between matchers is accepted when every source the
 * transformation reads is a VictoriaMetrics (it is sent as written).
 */
function checkSelector(ctx: BuildContext, t: RawTransformation, i: number, sources: readonly SourceConfig[]): void {
  if (t.query_filter === undefined || t.query !== undefined) return;
  const allowOr = sources.length > 0 && sources.every((s) => ctx.capabilities(s).queryLanguage === 'victoriametrics');
  try {
    parseSelector(t.query_filter, { allowOr, local: sources.some((s) => filtersLocally(ctx, s)) });
  } catch (e) {
    if (!(e instanceof SelectorSyntaxError)) throw e;
    ctx.problems.addInValue(['metric_transformations', i, 'query_filter'], e.offset, `invalid label matchers: ${e.message}`);
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

/** The `json:` mapping, required exactly when a source reads JSON; JSONPaths are checked now. */
function buildJson(ctx: BuildContext, t: RawTransformation, path: PathSegment[], sources: readonly SourceConfig[]): JsonMapping | null {
  const needs = sources.some((s) => readsJson(ctx, s));
  if (!t.json) {
    if (needs) ctx.problems.add(path, 'a transformation reading a JSON source needs json: {records, labels}');
    return null;
  }
  if (!needs) ctx.problems.add([...path, 'json'], 'json: is only for json sources and JSON files');
  const exprs: Array<[PathSegment[], string]> = [[[...path, 'json', 'records'], t.json.records]];
  for (const [label, expr] of Object.entries(t.json.labels))
    if (expr.startsWith('$')) exprs.push([[...path, 'json', 'labels', label], expr]);
  for (const [p, expr] of exprs) {
    try {
      JSONPath({ path: expr, json: {}, wrap: true });
    } catch (e) {
      ctx.problems.add(p, `invalid JSONPath: ${(e as Error).message}`);
    }
  }
  if (!Object.hasOwn(t.json.labels, t.value_from_label)) {
    ctx.problems.add(
      [...path, 'json', 'labels'],
      `value_from_label "${t.value_from_label}" is not one of the json labels: no record could give a value`,
    );
  }
  return { records: t.json.records, labels: Object.entries(t.json.labels), valueLabel: t.value_from_label };
}

/** `interval` means nothing to an on_scrape transformation, `cache` nothing to an interval one: say so rather than ignore it. */
function checkSchedule(ctx: BuildContext, t: RawTransformation, path: PathSegment[]): void {
  if (t.mode === 'on_scrape' && t.interval !== undefined) {
    ctx.problems.add(
      [...path, 'interval'],
      'interval has no effect with mode: on_scrape (it runs when /metrics is scraped; use cache to bound how often)',
    );
  }
  if (t.mode !== 'on_scrape' && t.cache !== undefined) {
    ctx.problems.add([...path, 'cache'], 'cache only applies with mode: on_scrape');
  }
}

export function buildTransformation(
  ctx: BuildContext,
  t: RawTransformation,
  i: number,
  sources: ReadonlyMap<string, SourceConfig>,
  globalInterval: number,
  globalStaleness: number | undefined,
  /** The top level's `max_series`: the default of every transformation. */
  globalMaxSeries?: number,
): TransformationConfig {
  const path = ['metric_transformations', i];
  const names = t.source === undefined ? [DEFAULTS.defaultSourceName] : typeof t.source === 'string' ? [t.source] : t.source;
  const used: SourceConfig[] = [];
  names.forEach((name, k) => {
    const s = sources.get(name);
    if (s) used.push(s);
    else
      ctx.problems.add(
        typeof t.source === 'object' ? [...path, 'source', k] : [...path, 'source'],
        `unknown source "${name}"; defined: ${[...sources.keys()].join(', ')}`,
      );
  });
  if (new Set(names).size !== names.length) ctx.problems.add([...path, 'source'], 'a source is listed twice');
  const source = used[0];
  checkSelector(ctx, t, i, used);
  const preserve = t.preserve_labels ?? null;
  if (preserve) {
    const j = preserve.findIndex((l, k) => preserve.indexOf(l) !== k);
    if (j >= 0) ctx.problems.add([...path, 'preserve_labels', j], `label "${preserve[j]}" is listed twice`);
  }
  const sourceLabel = t.source_label ?? (names.length > 1 ? 'source' : null);
  const interval = toSeconds(t.interval) ?? globalInterval;
  const sourceTimeout = source && hasHttp(source) ? source.http.timeoutSeconds : DEFAULTS.sourceTimeoutSeconds;
  const onScrape = t.mode === 'on_scrape';
  checkSchedule(ctx, t, path);
  const maxStaleness = toSeconds(t.max_staleness) ?? globalStaleness ?? DEFAULTS.maxStalenessIntervals * interval;
  // Not the interval: runs never overlap, so a run longer than its interval only skips ticks
  // (counted), while a timeout fails it. A run longer than max_staleness cannot keep the data
  // fresh anyway, so the run deadline is the source's timeout, capped at max_staleness.
  const defaultTimeout = onScrape ? Math.min(DEFAULTS.onScrapeTimeoutSeconds, sourceTimeout) : Math.min(sourceTimeout, maxStaleness);
  const query = buildQuery(ctx, t, path, used);
  if (t.pushdown === true && !pushdownAllowed(t, query)) {
    ctx.problems.add(
      [...path, 'pushdown'],
      'pushdown: true cannot apply here: it needs metric_type gauge or info, preserve_labels, no query:, and on_collision max or min (README "Asking for less")',
    );
  }
  return {
    name: t.name,
    help: t.description ?? `Value of label "${t.value_from_label}" of ${query === null ? t.source_metric : query.replace(/\s+/g, ' ')}.`,
    source: names[0] ?? DEFAULTS.defaultSourceName,
    sources: names,
    sourceLabel,
    json: buildJson(ctx, t, path, used),
    sourceMetric: t.source_metric ?? '',
    queryFilter: t.query_filter?.trim() ?? '',
    metricType: t.metric_type ?? DEFAULTS.metricType,
    valueFromLabel: t.value_from_label,
    preserveLabels: preserve,
    defaultValue: t.default_value ?? null,
    clearStaleMetrics: t.clear_stale_metrics ?? DEFAULTS.clearStaleMetrics,
    skipEmptyLabels: t.skip_empty_labels ?? DEFAULTS.skipEmptyLabels,
    intervalSeconds: interval,
    timeoutSeconds: toSeconds(t.timeout) ?? defaultTimeout,
    maxStalenessSeconds: maxStaleness,
    // Only when set: configs without it keep their fingerprint (reloads see no change).
    ...(t.shard_by ? { shardBy: t.shard_by } : {}),
    value: compileValue(ctx, t, [...path, 'value']),
    shaping: buildShaping(ctx, t, path, sourceLabel),
    onCollision: t.on_collision ?? 'max',
    maxSeries: t.max_series ?? globalMaxSeries ?? null,
    ...buildMetricType(ctx, t, path),
    ...(onScrape ? { onScrape: { cacheSeconds: toSeconds(t.cache) ?? DEFAULTS.onScrapeCacheSeconds } } : {}),
    query,
    pushdown: pushdownAllowed(t, query),
    ...(t.pushdown === true ? { pushdownAlways: true as const } : {}),
  };
}
