import type { TransformationConfig } from '../config/types.js';
import type { Logger } from '../logging/logger.js';
import type { SelfMetrics } from '../selfmetrics/self-metrics.js';
import type { SnapshotStore } from '../snapshot/store.js';
import type { Source } from '../sources/source.js';
import { runTransformation, type RunOutcome } from './run.js';

export interface JobDeps {
  readonly store: SnapshotStore;
  readonly metrics: SelfMetrics;
  readonly logger: Logger;
}

/** Public state of a job, for readiness and the status page. */
export interface JobStatus {
  readonly runs: number;
  readonly lastError: string | undefined;
  readonly lastRunAtMs: number | undefined;
}

/**
 * Runs one transformation at once and then every interval. Runs never
 * overlap: the next one is scheduled only when the current one has finished.
 * Logs once per change of state (starts failing, fails for another reason,
 * recovers), not once per run.
 */
export class TransformationJob {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly stopper = new AbortController();
  private failing: string | undefined;
  /** Warnings of the last answer, logged again only when they change. */
  private warnings = '';
  private status: JobStatus = { runs: 0, lastError: undefined, lastRunAtMs: undefined };

  constructor(
    readonly config: TransformationConfig,
    private readonly source: Source,
    private readonly deps: JobDeps,
  ) {}

  get state(): JobStatus {
    return this.status;
  }

  start(delayMs = 0): void {
    this.deps.metrics.addTransformation(this.config.name);
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
    const signal = AbortSignal.any([this.stopper.signal, AbortSignal.timeout(t.timeoutSeconds * 1000)]);
    const outcome = await runTransformation(t, this.source, this.deps.store, signal);
    if (this.stopper.signal.aborted) return;
    const seconds = (performance.now() - started) / 1000;
    this.record(outcome, seconds);
    this.schedule(Math.max(0, t.intervalSeconds * 1000 - (performance.now() - started)));
  }

  private record(outcome: RunOutcome, seconds: number): void {
    const { metrics, logger } = this.deps;
    const t = this.config.name;
    const fields = { transformation: t, source: this.source.name };
    const now = Date.now();
    if (outcome.ok) {
      const r = outcome.result;
      metrics.runSucceeded(t, { durationSeconds: seconds, finishedAtMs: now, sourceSeries: r.sourceSeries, outputSeries: r.series.length, skipped: r.skipped, defaulted: r.defaulted, collisions: r.collisions });
      if (this.failing !== undefined || this.status.runs === 0) {
        logger.info({ ...fields, series: r.series.length, source_series: r.sourceSeries }, this.failing ? 'transformation recovered' : 'first run succeeded');
      }
      const warnings = outcome.warnings.join('\n');
      if (warnings !== this.warnings && warnings !== '') logger.warn({ ...fields, warnings: outcome.warnings }, 'source answered with warnings');
      this.warnings = warnings;
      this.failing = undefined;
      this.status = { runs: this.status.runs + 1, lastError: undefined, lastRunAtMs: now };
      return;
    }
    const err = outcome.error;
    metrics.runFailed(t, err.reason, seconds);
    if (this.failing !== err.reason) {
      logger.error({ ...fields, reason: err.reason, err: err.message }, 'transformation run failed; serving the last good data');
    }
    this.failing = err.reason;
    this.status = { runs: this.status.runs + 1, lastError: err.message, lastRunAtMs: now };
  }

  /** Stops scheduling, aborts a run in flight and waits for it to end. */
  async stop(): Promise<void> {
    this.stopper.abort();
    clearTimeout(this.timer);
    await this.inFlight;
  }
}
