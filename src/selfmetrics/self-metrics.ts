import { Registry, type OpenMetricsContentType } from 'prom-client';
import type { ExpositionFormat } from '../exposition/format.js';
import type { SourceFailureReason } from '../model/errors.js';
import { createMetricSet, type MetricSet } from './metric-set.js';
import { RemoteWriteMetrics } from './remote-write-metrics.js';

const PROJECTIONS = ['none', 'group', 'keep'] as const;

export interface RunSuccess {
  readonly durationSeconds: number;
  readonly finishedAtMs: number;
  readonly sourceSeries: number;
  readonly outputSeries: number;
  readonly skipped: ReadonlyMap<string, number>;
  readonly defaulted: number;
  readonly collisions: number;
  /** How the source was asked (none: the selector; group: group by; keep: label_keep). */
  readonly projection?: 'none' | 'group' | 'keep';
  /** No output series, or every one defaulted (README "Degraded runs"). */
  readonly degraded?: boolean;
}

export interface BuildInfoLabels {
  readonly version: string;
  readonly revision: string;
  readonly branch: string;
  readonly nodeversion: string;
}

/** How a scrape got fresh data for an on_scrape transformation. */
export type ScrapeRefreshOutcome = 'ran' | 'joined' | 'cached';
const REFRESH_OUTCOMES: readonly ScrapeRefreshOutcome[] = ['ran', 'joined', 'cached'];

const SKIP_REASONS = ['empty_label', 'missing_label', 'unparseable'] as const;
const FAILURE_REASONS = ['connection', 'timeout', 'http_status', 'error_envelope', 'bad_response', 'too_large', 'io', 'parse', 'empty_result', 'collision', 'too_many_series', 'too_many_names'] as const satisfies readonly SourceFailureReason[];
/** Fails to compile when a SourceFailureReason is missing above (its series would outlive a removed transformation). */
const _everyFailureReason: Exclude<SourceFailureReason, (typeof FAILURE_REASONS)[number]> extends never ? true : never = true;

/**
 * The exporter's own metrics, on explicit registries (never prom-client's
 * global one). Every update goes to both the text and the OpenMetrics set.
 */
export class SelfMetrics {
  private readonly text = new Registry();
  private readonly om = new Registry<OpenMetricsContentType>();
  private readonly sets: readonly MetricSet[];
  /** Skip reasons seen per transformation (parsers add their own), to remove them with it. */
  private readonly skipReasons = new Map<string, Set<string>>();
  /** The remote-write output's metrics (README "Remote-write output"). */
  readonly remoteWrite: RemoteWriteMetrics;
  /** Sources of each fan-in transformation, to remove their series with it. */
  private readonly fanIn = new Map<string, Set<string>>();
  /** Whether a --web.config.file is in use (its metrics are registered). */
  private webConfigSeen = false;

  constructor() {
    this.om.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    this.sets = [createMetricSet(this.text), createMetricSet(this.om)];
    this.remoteWrite = new RemoteWriteMetrics([this.text, this.om]);
  }

  private each(fn: (s: MetricSet) => void): void {
    for (const s of this.sets) fn(s);
  }

  setBuildInfo(labels: BuildInfoLabels): void {
    this.each((s) => {
      s.buildInfo.set({ ...labels }, 1);
      for (const format of ['text', 'openmetrics']) s.scrapes.inc({ format }, 0);
    });
  }

  /** Creates a transformation's series at zero so rates and alerts work from the start. */
  addTransformation(t: string, intervalSeconds: number, maxStalenessSeconds: number): void {
    this.each((s) => {
      s.interval.set({ transformation: t }, intervalSeconds);
      s.maxStaleness.set({ transformation: t }, maxStalenessSeconds);
      s.stale.set({ transformation: t }, 0);
      s.missedRuns.inc({ transformation: t }, 0);
      s.retries.inc({ transformation: t }, 0);
      s.runs.inc({ transformation: t, result: 'success' }, 0);
      s.runs.inc({ transformation: t, result: 'failure' }, 0);
      for (const reason of SKIP_REASONS) s.skipped.inc({ transformation: t, reason }, 0);
      s.defaulted.inc({ transformation: t }, 0);
      s.collisions.inc({ transformation: t }, 0);
      s.series.set({ transformation: t }, 0);
      s.degraded.set({ transformation: t }, 0);
      s.everUsable.set({ transformation: t }, 0);
    });
  }

  /** Drops every series of a transformation that was removed from the config. */
  removeTransformation(t: string): void {
    this.each((s) => {
      for (const m of [s.lastRunSuccess, s.lastSuccess, s.runDuration, s.sourceSeries, s.series, s.defaulted, s.collisions, s.interval, s.maxStaleness, s.stale, s.missedRuns, s.retries, s.degraded, s.everUsable]) {
        m.remove({ transformation: t });
      }
      for (const result of ['success', 'failure']) s.runs.remove({ transformation: t, result });
      for (const projection of PROJECTIONS) s.projection.remove({ transformation: t, projection });
      for (const reason of new Set([...SKIP_REASONS, ...(this.skipReasons.get(t) ?? [])])) s.skipped.remove({ transformation: t, reason });
      for (const reason of FAILURE_REASONS) s.failures.remove({ transformation: t, reason });
    });
    this.skipReasons.delete(t);
    this.removeOnScrape(t);
    this.fanInSources(t, []);
  }

  /** Fan-in sources of a transformation (re)started; the series of sources it no longer reads go. */
  fanInSources(t: string, sources: readonly string[]): void {
    const gone = [...(this.fanIn.get(t) ?? [])].filter((s) => !sources.includes(s));
    this.each((s) => {
      for (const source of gone) for (const m of [s.sourceUp, s.sourceLastSuccess]) m.remove({ transformation: t, source });
    });
    if (sources.length === 0) this.fanIn.delete(t);
    else this.fanIn.set(t, new Set(sources));
  }

  /** Fan-in: whether a source answered the last run, and when it last did. */
  sourceState(t: string, source: string, up: boolean, lastSuccessAtMs: number | undefined): void {
    const l = { transformation: t, source };
    this.each((s) => {
      s.sourceUp.set(l, up ? 1 : 0);
      if (lastSuccessAtMs !== undefined) s.sourceLastSuccess.set(l, lastSuccessAtMs / 1000);
    });
  }

  /** A transformation in mode on_scrape: no interval, a cache TTL and refresh counters instead. */
  onScrapeMode(t: string, cacheSeconds: number): void {
    this.each((s) => {
      s.interval.remove({ transformation: t });
      s.onScrapeCache.set({ transformation: t }, cacheSeconds);
      for (const outcome of REFRESH_OUTCOMES) s.scrapeRefreshes.inc({ transformation: t, outcome }, 0);
    });
  }

  /** The transformation left mode on_scrape (or the config). */
  removeOnScrape(t: string): void {
    this.each((s) => {
      s.onScrapeCache.remove({ transformation: t });
      for (const outcome of REFRESH_OUTCOMES) s.scrapeRefreshes.remove({ transformation: t, outcome });
    });
  }

  scrapeRefresh(t: string, outcome: ScrapeRefreshOutcome): void {
    this.each((s) => s.scrapeRefreshes.inc({ transformation: t, outcome }));
  }

  runSucceeded(t: string, r: RunSuccess): void {
    const l = { transformation: t };
    const seen = this.skipReasons.get(t) ?? new Set<string>();
    for (const reason of r.skipped.keys()) seen.add(reason);
    this.skipReasons.set(t, seen);
    this.each((s) => {
      s.runs.inc({ ...l, result: 'success' });
      s.lastRunSuccess.set(l, 1);
      s.stale.set(l, 0);
      s.lastSuccess.set(l, r.finishedAtMs / 1000);
      s.runDuration.observe(l, r.durationSeconds);
      s.sourceSeries.set(l, r.sourceSeries);
      for (const p of PROJECTIONS) s.projection.set({ ...l, projection: p }, p === (r.projection ?? 'none') ? 1 : 0);
      s.series.set(l, r.outputSeries);
      for (const [reason, n] of r.skipped) s.skipped.inc({ ...l, reason }, n);
      s.defaulted.inc(l, r.defaulted);
      s.collisions.inc(l, r.collisions);
      s.degraded.set(l, r.degraded ? 1 : 0);
      if (!r.degraded) s.everUsable.set(l, 1);
    });
  }

  runFailed(t: string, reason: string, durationSeconds: number): void {
    const l = { transformation: t };
    this.each((s) => {
      s.runs.inc({ ...l, result: 'failure' });
      s.failures.inc({ ...l, reason });
      s.lastRunSuccess.set(l, 0);
      s.runDuration.observe(l, durationSeconds);
    });
  }

  /** The transformation's data got older than max_staleness and was dropped (or is back). */
  setStale(t: string, stale: boolean): void {
    this.each((s) => {
      s.stale.set({ transformation: t }, stale ? 1 : 0);
      if (stale) s.series.set({ transformation: t }, 0);
    });
  }

  /** This replica's `--shard.index` and `--shard.count` (1 and 0 when unsharded). */
  setShard(index: number, count: number): void {
    this.each((s) => s.shardInfo.set({ index: String(index), count: String(count) }, 1));
  }

  /** Which transformations of the config this replica runs; replaces the previous set (reloads). */
  setOwned(owned: ReadonlyArray<readonly [transformation: string, owned: boolean]>): void {
    this.each((s) => {
      s.owned.reset();
      for (const [transformation, yes] of owned) s.owned.set({ transformation }, yes ? 1 : 0);
    });
  }

  missedRuns(t: string, n: number): void {
    this.each((s) => s.missedRuns.inc({ transformation: t }, n));
  }

  retried(t: string): void {
    this.each((s) => s.retries.inc({ transformation: t }));
  }

  sourceRequest(source: string, code: string, seconds: number): void {
    this.each((s) => {
      s.sourceRequests.inc({ source, code });
      s.sourceDuration.observe({ source }, seconds);
    });
  }

  scraped(format: ExpositionFormat): void {
    this.each((s) => s.scrapes.inc({ format }));
  }

  configLoaded(ok: boolean, atMs: number): void {
    this.each((s) => {
      s.reloadSuccess.set(ok ? 1 : 0);
      if (ok) s.reloadTimestamp.set(atMs / 1000);
    });
  }

  /** A --web.config.file (re)load: its state, and a failure count (first call registers them). */
  webConfigLoaded(ok: boolean, atMs: number): void {
    const first = !this.webConfigSeen;
    this.webConfigSeen = true;
    this.each((s) => {
      if (first) for (const m of [s.webReloadSuccess, s.webReloadTimestamp, s.webReloadFailures]) s.registry.registerMetric(m);
      s.webReloadSuccess.set(ok ? 1 : 0);
      if (ok) s.webReloadTimestamp.set(atMs / 1000);
      else s.webReloadFailures.inc();
    });
  }

  connectionDropped(): void {
    this.each((s) => s.connectionsDropped.inc());
  }


  /** Renders in progress, by format: concurrent scrapes share one (see `render`). */
  #rendering = new Map<ExpositionFormat, Promise<string>>();

  /**
   * Our metrics in the given format, without OpenMetrics' closing `# EOF`.
   * Scrapes that arrive while a render is in progress share it: collecting the
   * process metrics costs about a millisecond of event loop per render
   * (measured: a sixth of the CPU under 20 concurrent scrapers), and the
   * result is current to within that render.
   */
  render(format: ExpositionFormat): Promise<string> {
    const pending = this.#rendering.get(format);
    if (pending) return pending;
    const started = this.renderNow(format).finally(() => this.#rendering.delete(format));
    this.#rendering.set(format, started);
    return started;
  }

  private async renderNow(format: ExpositionFormat): Promise<string> {
    if (format === 'text') return this.text.metrics();
    const body = await this.om.metrics();
    return body.endsWith('# EOF\n') ? body.slice(0, -'# EOF\n'.length) : body;
  }
}
