import { Registry, type OpenMetricsContentType } from 'prom-client';
import type { ExpositionFormat } from '../exposition/format.js';
import type { SourceFailureReason } from '../model/errors.js';
import { PROJECTIONS, type Projection, type ScrapeRefreshOutcome, type SkipReason } from './definitions.js';
import { MetricSet, type Fans } from './metric-set.js';
import { RemoteWriteMetrics } from './remote-write-metrics.js';

export type { ScrapeRefreshOutcome };

export interface RunSuccess {
  readonly durationSeconds: number;
  readonly finishedAtMs: number;
  readonly sourceSeries: number;
  readonly outputSeries: number;
  readonly skipped: ReadonlyMap<SkipReason, number>;
  readonly defaulted: number;
  readonly collisions: number;
  /** How the source was asked (none: the selector; group: group by; keep: label_keep). */
  readonly projection?: Projection;
  /** No output series, or every one defaulted (docs/operations.md "Degraded runs"). */
  readonly degraded?: boolean;
}

export interface BuildInfoLabels {
  readonly version: string;
  readonly revision: string;
  readonly branch: string;
  readonly nodeversion: string;
}

/**
 * The exporter's own metrics, on explicit registries (never prom-client's
 * global one). Every update goes to both the text and the OpenMetrics
 * registry (`fan-out.ts`); the metrics are declared in `definitions.ts`.
 */
export class SelfMetrics {
  private readonly text = new Registry();
  private readonly om = new Registry<OpenMetricsContentType>();
  private readonly set: MetricSet;
  private readonly m: Fans;
  /** The remote-write output's metrics (docs/configuration.md "Remote-write output"). */
  readonly remoteWrite: RemoteWriteMetrics;

  constructor() {
    this.om.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    this.set = new MetricSet([this.text, this.om]);
    this.m = this.set.fans;
    this.remoteWrite = new RemoteWriteMetrics(this.set);
  }

  setBuildInfo(labels: BuildInfoLabels): void {
    this.m.buildInfo.set(labels, 1);
    this.m.scrapes.zero({});
  }

  /** Creates a transformation's series at zero so rates and alerts work from the start. */
  addTransformation(t: string, intervalSeconds: number, maxStalenessSeconds: number): void {
    const { m } = this;
    const l = { transformation: t };
    m.interval.set(l, intervalSeconds);
    m.maxStaleness.set(l, maxStalenessSeconds);
    m.stale.set(l, 0);
    m.missedRuns.zero(l);
    m.retries.zero(l);
    m.runs.zero(l);
    m.skipped.zero(l);
    m.defaulted.zero(l);
    m.collisions.zero(l);
    m.series.set(l, 0);
    m.degraded.set(l, 0);
    m.everUsable.set(l, 0);
  }

  /**
   * Drops every series of a transformation that was removed from the config:
   * of every metric with a `transformation` label (but `keptOnRemoval` ones).
   */
  removeTransformation(t: string): void {
    this.set.forget('transformation', t);
  }

  /** Fan-in sources of a transformation (re)started; the series of sources it no longer reads go. */
  fanInSources(t: string, sources: readonly string[]): void {
    const gone = (l: { readonly transformation: string; readonly source: string }) => l.transformation === t && !sources.includes(l.source);
    this.m.sourceUp.removeWhere(gone);
    this.m.sourceLastSuccess.removeWhere(gone);
  }

  /** Fan-in: whether a source answered the last run, and when it last did. */
  sourceState(t: string, source: string, up: boolean, lastSuccessAtMs: number | undefined): void {
    const l = { transformation: t, source };
    this.m.sourceUp.set(l, up ? 1 : 0);
    if (lastSuccessAtMs !== undefined) this.m.sourceLastSuccess.set(l, lastSuccessAtMs / 1000);
  }

  /** A transformation in mode on_scrape: no interval, a cache TTL and refresh counters instead. */
  onScrapeMode(t: string, cacheSeconds: number): void {
    const l = { transformation: t };
    this.m.interval.remove(l);
    this.m.onScrapeCache.set(l, cacheSeconds);
    this.m.scrapeRefreshes.zero(l);
  }

  /** The transformation left mode on_scrape (or the config). */
  removeOnScrape(t: string): void {
    this.m.onScrapeCache.removeWith('transformation', t);
    this.m.scrapeRefreshes.removeWith('transformation', t);
  }

  scrapeRefresh(t: string, outcome: ScrapeRefreshOutcome): void {
    this.m.scrapeRefreshes.inc({ transformation: t, outcome });
  }

  runSucceeded(t: string, r: RunSuccess): void {
    const { m } = this;
    const l = { transformation: t };
    m.runs.inc({ ...l, result: 'success' });
    m.lastRunSuccess.set(l, 1);
    m.stale.set(l, 0);
    m.lastSuccess.set(l, r.finishedAtMs / 1000);
    m.runDuration.observe(l, r.durationSeconds);
    m.sourceSeries.set(l, r.sourceSeries);
    for (const p of PROJECTIONS) m.projection.set({ ...l, projection: p }, p === (r.projection ?? 'none') ? 1 : 0);
    m.series.set(l, r.outputSeries);
    for (const [reason, n] of r.skipped) m.skipped.inc({ ...l, reason }, n);
    m.defaulted.inc(l, r.defaulted);
    m.collisions.inc(l, r.collisions);
    m.degraded.set(l, r.degraded ? 1 : 0);
    if (!r.degraded) m.everUsable.set(l, 1);
  }

  runFailed(t: string, reason: SourceFailureReason, durationSeconds: number): void {
    const l = { transformation: t };
    this.m.runs.inc({ ...l, result: 'failure' });
    this.m.failures.inc({ ...l, reason });
    this.m.lastRunSuccess.set(l, 0);
    this.m.runDuration.observe(l, durationSeconds);
  }

  /** The transformation's data got older than max_staleness and was dropped (or is back). */
  setStale(t: string, stale: boolean): void {
    this.m.stale.set({ transformation: t }, stale ? 1 : 0);
    if (stale) this.m.series.set({ transformation: t }, 0);
  }

  /** This replica's `--shard.index` and `--shard.count` (1 and 0 when unsharded). */
  setShard(index: number, count: number): void {
    this.m.shardInfo.set({ index: String(index), count: String(count) }, 1);
  }

  /** Which transformations of the config this replica runs; replaces the previous set (reloads). */
  setOwned(owned: ReadonlyArray<readonly [transformation: string, owned: boolean]>): void {
    this.m.owned.reset();
    for (const [transformation, yes] of owned) this.m.owned.set({ transformation }, yes ? 1 : 0);
  }

  missedRuns(t: string, n: number): void {
    this.m.missedRuns.inc({ transformation: t }, n);
  }

  retried(t: string): void {
    this.m.retries.inc({ transformation: t });
  }

  sourceRequest(source: string, code: string, seconds: number): void {
    this.m.sourceRequests.inc({ source, code });
    this.m.sourceDuration.observe({ source }, seconds);
  }

  scraped(format: ExpositionFormat): void {
    this.m.scrapes.inc({ format });
  }

  configLoaded(ok: boolean, atMs: number): void {
    this.m.reloadSuccess.set({}, ok ? 1 : 0);
    if (ok) this.m.reloadTimestamp.set({}, atMs / 1000);
  }

  /** A --web.config.file (re)load: its state, and a failure count (the first call registers them). */
  webConfigLoaded(ok: boolean, atMs: number): void {
    this.set.enable('web_config');
    this.m.webReloadSuccess.set({}, ok ? 1 : 0);
    if (ok) this.m.webReloadTimestamp.set({}, atMs / 1000);
    else this.m.webReloadFailures.inc({});
  }

  connectionDropped(): void {
    this.m.connectionsDropped.inc({});
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
