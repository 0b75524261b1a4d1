import type { TransformationConfig } from '../config/types.js';
import type { Logger } from '../logging/logger.js';
import { abandonOnAbort, Deadline, DeadlineExceeded } from '../model/deadline.js';
import { SourceError } from '../model/errors.js';
import type { SelfMetrics } from '../selfmetrics/self-metrics.js';
import type { SnapshotStore } from '../snapshot/store.js';
import type { Source } from '../sources/source.js';
import type { Limiter } from './limiter.js';
import type { Shard } from '../transform/shard.js';
import { PushdownAdvisor, type Projection } from './pushdown-advisor.js';
import { runTransformation, type RunOutcome } from './run.js';
import { degradation, type Degradation } from '../transform/degraded.js';
import { isQueryApi } from '../sources/kinds/index.js';
import type { TransformResult } from '../transform/transformer.js';
import { planFor } from '../transform/plan.js';
import { explainDegraded, needsLabelNames } from './label-names.js';
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
  /** Set while the last successful run was degraded (see transform/degraded.ts): why. */
  readonly degraded?: string | undefined;
  /** Whether a run has ever produced usable output (succeeded and was not degraded). */
  readonly everUsable?: boolean;
  /** Of the last successful run: source series skipped, and defaulted. */
  readonly skipped?: number;
  readonly defaulted?: number;
}

const MAX_RETRIES = 3;
const FIRST_BACKOFF_MS = 500;

/** Worth another try within the same interval: the network, 5xx, 429. Never other 4xx. */
export function isTransient(e: SourceError): boolean {
  if (e.reason === 'connection') return true;
  return e.status !== undefined && (e.status >= 500 || e.status === 429);
}

/** The transformation's `timeout`; named in the error when it fires. */
export const RUN_DEADLINE = 'run deadline (timeout)';

/** The request slot of a run (max_concurrent_requests), once it has one. */
interface Slot {
  release?: () => void;
}

/** An error answer about the query itself (4xx other than 429): the one failure a plainer query may not have. */
export function refusedQuery(e: SourceError): boolean {
  const refusal = e.reason === 'error_envelope' || e.reason === 'http_status';
  return refusal && e.status !== undefined && e.status >= 400 && e.status < 500 && e.status !== 429;
}

/** Why a run was cut short: the deadline that fired (or the stop), as a failure with reason `timeout`. */
function runFailure(e: unknown, waitingForSlot: boolean): SourceError {
  if (e instanceof SourceError) return e;
  const what = e instanceof DeadlineExceeded ? e.message : `run abandoned: ${(e as Error)?.message ?? String(e)}`;
  return new SourceError('timeout', waitingForSlot ? `${what} waiting for a free source request slot (max_concurrent_requests)` : what, {
    cause: e,
  });
}

/**
 * The store as a run sees it: once the run's signal has aborted (deadline,
 * stop, reload), a late result of a source that ignored the abort is
 * dropped instead of replacing newer data.
 */
function lateWritesDropped(store: SnapshotStore, signal: AbortSignal): SnapshotStore {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'put') return (family: Parameters<SnapshotStore['put']>[0]) => (signal.aborted ? undefined : target.put(family));
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * One run under its run deadline, for one-off callers (`preview`): ends at
 * the deadline whatever the source does, with the deadline named.
 */
export async function runWithinDeadline(
  t: TransformationConfig,
  sources: readonly Source[],
  store: SnapshotStore,
  shard?: Shard,
): Promise<RunOutcome> {
  const deadline = new Deadline(RUN_DEADLINE, t.timeoutSeconds);
  try {
    return await abandonOnAbort(
      runTransformation(t, sources, lateWritesDropped(store, deadline.signal), deadline.signal, { keepStale: true, shard }),
      deadline.signal,
    );
  } catch (e) {
    return { ok: false, error: runFailure(e, false) };
  } finally {
    deadline.dispose();
  }
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
  /** The dominant reason while degraded, logged once per change. */
  private degradedReason: string | undefined;
  /** While degraded by that reason: the message with the source's label names (see explain). */
  private degradedDetail: string | undefined;
  private status: JobStatus = { runs: 0, lastError: undefined, lastRunAtMs: undefined, lastSuccessAtMs: undefined };
  /** Several sources: each keeps its own last good series and staleness (fan-in.ts). */
  private readonly fanIn: FanIn | undefined;

  constructor(
    readonly config: TransformationConfig,
    readonly sources: readonly Source[],
    protected readonly deps: JobDeps,
    /** Whether a projection would reach a source at all (a query API with `pushdown` on); scrape and JSON sources never get one. */
    projectable = sources.some((s) => isQueryApi(s.type)),
  ) {
    const pushdown = { pushdown: config.pushdown && projectable, ...(config.pushdownAlways ? { pushdownAlways: true as const } : {}) };
    this.advisor = new PushdownAdvisor(pushdown, sources.length > 0 && sources.every((s) => s.labelKeep === true));
    this.fanIn = FanIn.forJob(config, sources, deps);
    // Compiled now, at load, rather than by the first run; every run reuses it.
    planFor(config);
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

  /**
   * One attempt, bounded by the run deadline (`timeout`) whatever the source
   * does: a source that ignores its signal is abandoned at the deadline (its
   * late result can no longer reach the store), and its request slot is
   * given back.
   */
  protected async once(): Promise<RunOutcome> {
    const deadline = new Deadline(RUN_DEADLINE, this.config.timeoutSeconds, this.stopper.signal);
    const slot: Slot = {};
    try {
      return await abandonOnAbort(this.attempt(deadline.signal, slot), deadline.signal);
    } catch (e) {
      return { ok: false, error: runFailure(e, slot.release === undefined) };
    } finally {
      slot.release?.();
      deadline.dispose();
    }
  }

  private async attempt(signal: AbortSignal, slot: Slot): Promise<RunOutcome> {
    const release = await this.deps.limiter.acquire(signal);
    slot.release = release;
    try {
      if (signal.aborted) throw signal.reason;
      const t = this.config;
      const store = lateWritesDropped(this.deps.store, signal);
      const run = (projection: Projection) =>
        runTransformation(t, this.sources, store, signal, {
          keepStale: this.status.lastSuccessAtMs !== undefined,
          shard: this.deps.shard,
          projection,
          fanInView: this.fanIn,
        });
      const projection = this.advisor.use();
      let outcome = await run(projection);
      if (outcome.ok) {
        this.advisor.record(projection, outcome.result.sourceSeries);
        this.lastProjection = projection;
        return outcome;
      }
      if (projection === 'none') return outcome;
      this.advisor.failed(projection);
      // A source that refused the projection (VictoriaMetrics' "duplicate output timeseries" for
      // label_keep, a backend without group by) is asked again at once the plain way. Nothing else
      // is: a timeout, a too large answer or a broken connection would only fail twice.
      if (!refusedQuery(outcome.error) || signal.aborted) return outcome;
      this.deps.logger.debug(
        { transformation: t.name, projection, reason: outcome.error.reason, err: outcome.error.message },
        'the source refused the projected query; asking for the whole series',
      );
      outcome = await run('none');
      if (outcome.ok) {
        this.advisor.record('none', outcome.result.sourceSeries);
        this.lastProjection = 'none';
      }
      return outcome;
    } finally {
      release();
    }
  }

  protected record(outcome: RunOutcome, seconds: number): void {
    const t = this.config.name;
    const fields = { transformation: t, source: this.sources.map((x) => x.name).join(',') };
    const now = Date.now();
    this.fanIn?.record(outcome.sources, now);
    if (outcome.ok) {
      this.recordSuccess(outcome.result, outcome.warnings, seconds, now, fields);
      return;
    }
    const err = outcome.error;
    this.deps.metrics.runFailed(t, err.reason, seconds);
    if (this.failing !== err.reason) {
      // After a reload a changed transformation still serves its predecessor's data; otherwise there may be none yet.
      const serving = this.deps.store.get(t)
        ? 'serving the last good data'
        : 'nothing is served for it yet: it has not succeeded since the exporter (re)started it';
      this.deps.logger.error({ ...fields, reason: err.reason, err: err.message }, `transformation run failed; ${serving}`);
    }
    this.failing = err.reason;
    this.degradedReason = undefined;
    this.degradedDetail = undefined;
    this.status = { ...this.status, runs: this.status.runs + 1, lastError: err.message, lastRunAtMs: now };
    this.dropIfStale(now);
  }

  private recordSuccess(
    r: TransformResult,
    warningList: readonly string[],
    seconds: number,
    now: number,
    fields: Record<string, string>,
  ): void {
    const { metrics, logger } = this.deps;
    const t = this.config.name;
    const degraded = degradation(this.config, r);
    metrics.runSucceeded(t, {
      durationSeconds: seconds,
      finishedAtMs: now,
      sourceSeries: r.sourceSeries,
      outputSeries: r.series.length,
      skipped: r.skipped,
      defaulted: r.defaulted,
      collisions: r.collisions,
      projection: this.lastProjection,
      degraded: degraded !== undefined,
    });
    this.logDegraded(degraded, r, fields);
    if (!degraded && (this.failing !== undefined || this.status.runs === 0)) {
      logger.info(
        { ...fields, series: r.series.length, source_series: r.sourceSeries },
        this.failing ? 'transformation recovered' : 'first run succeeded',
      );
    }
    const warnings = warningList.join('\n');
    if (warnings !== this.warnings && warnings !== '') logger.warn({ ...fields, warnings: warningList }, 'source answered with warnings');
    this.warnings = warnings;
    this.failing = undefined;
    let skipped = 0;
    for (const n of r.skipped.values()) skipped += n;
    this.status = {
      runs: this.status.runs + 1,
      lastError: undefined,
      lastRunAtMs: now,
      lastSuccessAtMs: now,
      degraded: degraded ? (this.degradedDetail ?? degraded.message) : undefined,
      everUsable: this.status.everUsable === true || degraded === undefined,
      skipped,
      defaulted: r.defaulted,
    };
  }

  /** A warning once per change of the dominant reason, and a note when a degraded transformation is usable again. */
  private logDegraded(d: Degradation | undefined, r: TransformResult, fields: Record<string, string>): void {
    const was = this.degradedReason;
    this.degradedReason = d?.reason;
    if (d?.reason !== was) this.degradedDetail = undefined;
    if (d && d.reason !== was) {
      if (needsLabelNames(this.config, d)) void this.explain(r, fields);
      else this.warnDegraded(d, r, fields);
    } else if (!d && was !== undefined) {
      this.deps.logger.info({ ...fields, series: r.series.length, source_series: r.sourceSeries }, 'transformation no longer degraded');
    }
  }

  private warnDegraded(d: Degradation, r: TransformResult, fields: Record<string, string>): void {
    this.deps.logger.warn(
      { ...fields, reason: d.reason, series: r.series.length, source_series: r.sourceSeries, defaulted: r.defaulted, detail: d.message },
      'transformation degraded: the source answered but nothing usable came out',
    );
  }

  /**
   * The value label is missing but only the projected labels were read: asks
   * the source once for the names its series carry (a slot of
   * max_concurrent_requests, the run's timeout), then warns and shows the
   * "did you mean" on the status page.
   */
  private async explain(r: TransformResult, fields: Record<string, string>): Promise<void> {
    const signal = this.stopper.signal;
    let d: Degradation | undefined;
    try {
      const release = await this.deps.limiter.acquire(signal);
      try {
        d = await explainDegraded(this.config, this.sources, r, signal);
      } finally {
        release();
      }
    } catch {
      // No slot (stopping): warn with what the run saw.
      d = degradation(this.config, r);
    }
    if (signal.aborted) return;
    if (!d) return;
    this.warnDegraded(d, r, fields);
    if (this.degradedReason !== d.reason) return;
    this.degradedDetail = d.message;
    if (this.status.degraded !== undefined) this.status = { ...this.status, degraded: d.message };
  }

  /** Past max_staleness since the last success, the last good series are no longer served. */
  private dropIfStale(now: number): void {
    const t = this.config;
    const last = this.status.lastSuccessAtMs;
    if (last === undefined || now - last <= t.maxStalenessSeconds * 1000 || !this.deps.store.get(t.name)) return;
    this.deps.store.delete(t.name);
    this.deps.metrics.setStale(t.name, true);
    this.deps.logger.warn(
      {
        transformation: t.name,
        source: this.sources.map((x) => x.name).join(','),
        reason: this.failing,
        age_seconds: Math.round((now - last) / 1000),
        max_staleness_seconds: t.maxStalenessSeconds,
      },
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
