import type { OnScrapeSettings, TransformationConfig } from '../config/types.js';
import type { Source } from '../sources/source.js';
import { TransformationJob, type JobDeps } from './job.js';

/**
 * A scrape waits this much past the run's own deadline, so that a run which
 * times out normally (the source honours the abort) records its failure before
 * the scrape renders our metrics.
 */
const DEADLINE_SLACK_MS = 50;

/** True when `p` settles within `ms`; false at the deadline or when `signal` aborts. Never rejects. */
function settlesWithin(p: Promise<unknown>, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(false), Math.max(0, ms));
    const onAbort = () => finish(false);
    signal.addEventListener('abort', onAbort, { once: true });
    function finish(settled: boolean): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(settled);
    }
    p.then(
      () => finish(true),
      () => finish(true),
    );
  });
}

/**
 * A transformation in `mode: on_scrape`: no timer. It runs once at start (so
 * /-/ready, the status page and the first scrape have data), then only when
 * /metrics is scraped:
 * - a run in flight is shared: scrapes arriving meanwhile await that same run
 *   (single flight), never start a second one;
 * - a result younger than `cache` (counted from the end of the run, success or
 *   failure alike, so a failing source is not hammered) is served as it is;
 * - a scrape waits at most until the run's `timeout`; after a failure or
 *   timeout the last good data is served, and the same rules as interval jobs
 *   apply: counted by reason, logged once per cause, dropped after
 *   `max_staleness`. No retries: the next scrape is the retry.
 */
export class OnScrapeJob extends TransformationJob {
  private readonly settings: OnScrapeSettings;
  /** performance.now() at the end of the last run, for the cache. */
  private lastEndedAt: number | undefined;
  private runStartedAt = 0;
  /** A scrape gave up waiting on a run that outlived its deadline; logged once until a run ends in time. */
  private overran = false;

  constructor(config: TransformationConfig, sources: readonly Source[], deps: JobDeps, projectable?: boolean) {
    super(config, sources, deps, projectable);
    if (!config.onScrape) throw new Error(`internal: ${config.name} is not mode: on_scrape`);
    this.settings = config.onScrape;
  }

  override start(): void {
    const t = this.config;
    this.deps.metrics.addTransformation(t.name, t.intervalSeconds, t.maxStalenessSeconds);
    this.deps.metrics.onScrapeMode(t.name, this.settings.cacheSeconds);
    void this.begin();
  }

  private begin(): Promise<void> {
    this.runStartedAt = performance.now();
    const run: Promise<void> = this.run()
      .catch((e: unknown) =>
        this.deps.logger.error(
          { transformation: this.config.name, err: (e as Error)?.message ?? String(e) },
          'on_scrape run failed unexpectedly',
        ),
      )
      .finally(() => {
        if (this.inFlight === run) this.inFlight = undefined;
      });
    this.inFlight = run;
    return run;
  }

  private async run(): Promise<void> {
    const started = performance.now();
    const outcome = await this.once();
    if (this.stopper.signal.aborted) return;
    this.record(outcome, (performance.now() - started) / 1000);
    this.lastEndedAt = performance.now();
    this.overran = false;
  }

  /**
   * Called by every GET /metrics before it reads the store. Resolves when the
   * data is as fresh as it gets within the deadline; never rejects. `signal`:
   * the scrape went away (stops waiting, not the shared run).
   */
  async refresh(signal: AbortSignal): Promise<void> {
    if (this.stopper.signal.aborted) return;
    const { metrics, logger } = this.deps;
    const t = this.config;
    let run = this.inFlight;
    if (run) {
      metrics.scrapeRefresh(t.name, 'joined');
    } else if (this.lastEndedAt !== undefined && performance.now() - this.lastEndedAt < this.settings.cacheSeconds * 1000) {
      metrics.scrapeRefresh(t.name, 'cached');
      return;
    } else {
      metrics.scrapeRefresh(t.name, 'ran');
      run = this.begin();
    }
    const left = this.runStartedAt + t.timeoutSeconds * 1000 + DEADLINE_SLACK_MS - performance.now();
    const settled = await settlesWithin(run, left, signal);
    if (!settled && !signal.aborted && !this.overran) {
      this.overran = true;
      logger.warn(
        { transformation: t.name, source: this.sources.map((x) => x.name).join(','), timeout_seconds: t.timeoutSeconds },
        'on_scrape run outlived its timeout; the scrape is served the last good data',
      );
    }
  }
}
