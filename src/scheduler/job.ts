import type { TransformationConfig } from '../config/types.js';
import type { Logger } from '../logging/logger.js';
import { SourceError } from '../model/errors.js';
import type { SelfMetrics } from '../selfmetrics/self-metrics.js';
import type { SnapshotStore } from '../snapshot/store.js';
import type { Source } from '../sources/source.js';
import type { Limiter } from './limiter.js';
import type { Shard } from '../transform/shard.js';
import { PushdownAdvisor, type Projection } from './pushdown-advisor.js';
import { runTransformation, type RunOutcome } from './run.js';
import { FanIn } from './fan-in.js';

export interface JobDeps {
  readonly store: SnapshotStore;
  readonly metrics: SelfMetrics;
  readonly logger: Logger;
  readonly limiter: Limiter;
  /** This replica's shard; absent: the whole. */
  readonly shard?: Shard | undefined;
}

/** Public state of a job, for readiness and the status page. */
export interface JobStatus {
  readonly runs: number;
  readonly lastError: string | undefined;
  readonly lastRunAtMs: number | undefined;
  readonly lastSuccessAtMs: number | undefined;
}

const MAX_RETRIES = 3;
const FIRST_BACKOFF_MS = 500;

/** Worth another try within the same interval: the network, 5xx, 429. Never other 4xx. */
export function isTransient(e: SourceError): boolean {
  if (e.reason === 'connection') return true;
  return e.status !== undefined && (e.status >= 500 || e.status === 429);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs one transformation at once (after `delayMs`) and then on its interval.
 * Runs never overlap: ticks that pass while a run is still going are skipped
 * and counted. Transient failures are retried with backoff inside the
 * interval. Data older than `max_staleness` is dropped. Logs once per change
 * of state (starts failing, fails for another reason, recovers, goes stale).
 */
export class TransformationJob {
  private timer: NodeJS.Timeout | undefined;
  protected inFlight: Promise<void> | undefined;
  protected readonly stopper = new AbortController();
  private failing: string | undefined;
  /** `pushdown: auto`: whether each run asks for `group by` (decided from the data). */
  private readonly advisor: PushdownAdvisor;
  /** How the last successful run asked the source. */
  private lastProjection: Projection = 'none';
  /** Warnings of the last answer, logged again only when they change. */
  private warnings = '';
  private status: JobStatus = { runs: 0, lastError: undefined, lastRunAtMs: undefined, lastSuccessAtMs: undefined };
  /** Several sources: each keeps its own last good series and staleness (fan-in.ts). */
  private readonly fanIn: FanIn | undefined;

  constructor(
    readonly config: TransformationConfig,
    readonly sources: readonly Source[],
    protected readonly deps: JobDeps,
  ) {
    this.advisor = new PushdownAdvisor(config, sources.length > 0 && sources.every((s) => s.labelKeep === true));
    this.fanIn = FanIn.forJob(config, sources, deps);
  }

  get state(): JobStatus {
    return this.status;
  }

  start(delayMs = 0): void {
    this.deps.metrics.addTransformation(this.config.name, this.config.intervalSeconds, this.config.maxStalenessSeconds);
    this.schedule(delayMs);
  }

  private schedule(delayMs: number): void {
    if (this.stopper.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.tick().finally(() => (this.inFlight = undefined));
    }, delayMs);
  }

  private async tick(): Promise<void> {
    const t = this.config;
    const started = performance.now();
    const outcome = await this.attempts(started);
    if (this.stopper.signal.aborted) return;
    const elapsedMs = performance.now() - started;
    this.record(outcome, elapsedMs / 1000);
    const intervalMs = t.intervalSeconds * 1000;
    const missed = Math.floor(elapsedMs / intervalMs);
    if (missed > 0) this.deps.metrics.missedRuns(t.name, missed);
    this.schedule((missed + 1) * intervalMs - elapsedMs);
  }

  private async attempts(started: number): Promise<RunOutcome> {
    const t = this.config;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.once();
      if (outcome.ok || this.stopper.signal.aborted || !isTransient(outcome.error) || attempt >= MAX_RETRIES) return outcome;
      const backoff = FIRST_BACKOFF_MS * 2 ** attempt;
      const left = t.intervalSeconds * 1000 - (performance.now() - started);
      if (backoff + t.timeoutSeconds * 1000 > left) return outcome;
      this.deps.metrics.retried(t.name);
      await sleep(backoff, this.stopper.signal);
    }
  }

  protected async once(): Promise<RunOutcome> {
    const t = this.config;
    const signal = AbortSignal.any([this.stopper.signal, AbortSignal.timeout(t.timeoutSeconds * 1000)]);
    let release: () => void;
    try {
      release = await this.deps.limiter.acquire(signal);
    } catch {
      return { ok: false, error: new SourceError('timeout', `no free source request slot within ${t.timeoutSeconds}s (max_concurrent_requests)`) };
    }
    try {
      const run = (projection: Projection) => runTransformation(t, this.sources, this.deps.store, signal, this.status.lastSuccessAtMs !== undefined, this.deps.shard, projection, this.fanIn);
      const projection = this.advisor.use();
      let outcome = await run(projection);
      if (outcome.ok) {
        this.advisor.record(projection, outcome.result.sourceSeries);
        this.lastProjection = projection;
      } else if (projection !== 'none') {
        // A source that refuses the projection (VictoriaMetrics' "duplicate output timeseries"
        // for label_keep, a backend without group by) is asked again at once the plain way.
        this.advisor.failed(projection);
        if (!isTransient(outcome.error) && !signal.aborted) {
          this.deps.logger.debug({ transformation: t.name, projection, reason: outcome.error.reason, err: outcome.error.message }, 'the source refused the projected query; asking for the whole series');
          outcome = await run('none');
          if (outcome.ok) {
            this.advisor.record('none', outcome.result.sourceSeries);
            this.lastProjection = 'none';
          }
        }
      }
      return outcome;
    } finally {
      release();
    }
  }

  protected record(outcome: RunOutcome, seconds: number): void {
    const { metrics, logger } = this.deps;
    const t = this.config.name;
    const fields = { transformation: t, source: this.sources.map((x) => x.name).join(',') };
    const now = Date.now();
    this.fanIn?.record(outcome.sources, now);
    if (outcome.ok) {
      const r = outcome.result;
      metrics.runSucceeded(t, { durationSeconds: seconds, finishedAtMs: now, sourceSeries: r.sourceSeries, outputSeries: r.series.length, skipped: r.skipped, defaulted: r.defaulted, collisions: r.collisions, projection: this.lastProjection });
      if (this.failing !== undefined || this.status.runs === 0) {
        logger.info({ ...fields, series: r.series.length, source_series: r.sourceSeries }, this.failing ? 'transformation recovered' : 'first run succeeded');
      }
      const warnings = outcome.warnings.join('\n');
      if (warnings !== this.warnings && warnings !== '') logger.warn({ ...fields, warnings: outcome.warnings }, 'source answered with warnings');
      this.warnings = warnings;
      this.failing = undefined;
      this.status = { runs: this.status.runs + 1, lastError: undefined, lastRunAtMs: now, lastSuccessAtMs: now };
      return;
    }
    const err = outcome.error;
    metrics.runFailed(t, err.reason, seconds);
    if (this.failing !== err.reason) {
      logger.error({ ...fields, reason: err.reason, err: err.message }, 'transformation run failed; serving the last good data');
    }
    this.failing = err.reason;
    this.status = { ...this.status, runs: this.status.runs + 1, lastError: err.message, lastRunAtMs: now };
    this.dropIfStale(now);
  }

  /** Past max_staleness since the last success, the last good series are no longer served. */
  private dropIfStale(now: number): void {
    const t = this.config;
    const last = this.status.lastSuccessAtMs;
    if (last === undefined || now - last <= t.maxStalenessSeconds * 1000 || !this.deps.store.get(t.name)) return;
    this.deps.store.delete(t.name);
    this.deps.metrics.setStale(t.name, true);
    this.deps.logger.warn(
      { transformation: t.name, source: this.sources.map((x) => x.name).join(','), reason: this.failing, age_seconds: Math.round((now - last) / 1000), max_staleness_seconds: t.maxStalenessSeconds },
      'last good data is older than max_staleness: its series are no longer served',
    );
  }

  /** Stops scheduling, aborts a run in flight and waits for it to end. */
  async stop(): Promise<void> {
    this.stopper.abort();
    clearTimeout(this.timer);
    await this.inFlight;
  }
}
