import { fingerprint } from '../config/fingerprint.js';
import type { ExporterConfig, SourceConfig, TransformationConfig } from '../config/types.js';
import { capabilitiesOf } from '../sources/kinds/index.js';
import { createSource } from '../sources/registry.js';
import type { Source, SourceObserver } from '../sources/source.js';
import { TransformationJob, type JobDeps, type JobStatus } from './job.js';
import { Limiter } from './limiter.js';
import { describeOwner, runsHere, WHOLE } from '../transform/shard.js';
import { OnScrapeJob } from './on-scrape.js';

export interface TransformationStatus extends JobStatus {
  readonly name: string;
  readonly source: string;
  readonly intervalSeconds: number;
  readonly maxStalenessSeconds: number;
  /** Set when sharded: whether this replica runs it, and where it runs. */
  readonly shard?: { readonly owned: boolean; readonly note: string } | undefined;
  /** mode: on_scrape: the cache TTL; undefined: runs on its interval. */
  readonly onScrapeCacheSeconds: number | undefined;
}

interface SourceEntry {
  readonly source: Source;
  /** The config's fingerprint: an unchanged source is kept across reloads. */
  readonly key: string;
  readonly cfg: SourceConfig;
}

/** What a reload changed. */
export interface ApplySummary {
  readonly added: string[];
  readonly changed: string[];
  readonly removed: string[];
  readonly unchanged: string[];
}

/** Runs (first run and retries on later intervals) after which a transformation that never succeeded stops holding back readiness. */
export const READY_AFTER_RUNS = 3;

/** Spread of first runs, so many transformations do not hit a source at the same instant. */
function startJitterMs(t: TransformationConfig): number {
  return Math.floor(Math.random() * Math.min(1000, t.intervalSeconds * 100));
}

/**
 * Owns the sources and one job per transformation of the running config.
 * `apply` moves to a new config: unchanged transformations keep their data
 * and schedule, changed and new ones run at once, removed ones disappear.
 */
export class Scheduler {
  private readonly jobs = new Map<string, TransformationJob>();
  private sources = new Map<string, SourceEntry>();
  private readonly limiter = new Limiter(1);
  /** Transformations of the config that other shards run (`--shard.*`), for the status page. */
  private others: TransformationConfig[] = [];

  constructor(
    private readonly deps: Omit<JobDeps, 'limiter'>,
    private readonly observer: SourceObserver,
  ) {}

  start(config: ExporterConfig): void {
    this.limiter.setLimit(config.maxConcurrentRequests);
    const owned = this.owned(config);
    this.sources = this.buildSources(config.sources, owned);
    this.warnUnused(config);
    for (const t of owned) this.startJob(t, startJitterMs(t));
  }

  /** The transformations this replica runs; the others are remembered for statuses(). Re-evaluated at every apply. */
  private owned(config: ExporterConfig): TransformationConfig[] {
    const shard = this.deps.shard ?? WHOLE;
    const mine = config.transformations.filter((t) => runsHere(shard, t));
    this.others = config.transformations.filter((t) => !runsHere(shard, t));
    this.deps.metrics.setOwned(config.transformations.map((t) => [t.name, runsHere(shard, t)] as const));
    return mine;
  }

  /**
   * Only the sources this replica's transformations read are built: a source
   * nothing reads (or only other shards read) opens no connection and no file.
   */
  private buildSources(configs: ReadonlyMap<string, SourceConfig>, owned: readonly TransformationConfig[]): Map<string, SourceEntry> {
    const next = new Map<string, SourceEntry>();
    const read = new Set(owned.flatMap((t) => t.sources));
    for (const [name, cfg] of configs) {
      if (!read.has(name)) continue;
      const key = fingerprint(cfg);
      const old = this.sources.get(name);
      next.set(name, old && old.key === key ? old : { source: createSource(cfg, this.observer), key, cfg });
    }
    return next;
  }

  /** As `check` does: a defined source no transformation reads is likely a mistake. */
  private warnUnused(config: ExporterConfig): void {
    const read = new Set(config.transformations.flatMap((t) => t.sources));
    for (const name of config.sources.keys()) {
      if (!read.has(name)) this.deps.logger.warn({ source: name }, `source "${name}" is not read by any transformation`);
    }
  }

  private sourcesOf(t: TransformationConfig): Source[] {
    return t.sources.map((name) => {
      const entry = this.sources.get(name);
      if (!entry) throw new Error(`internal: source ${name} missing after validation`);
      return entry.source;
    });
  }

  /** Whether a projection (`group by`, `label_keep`) can reach any source of `t`: a query API with `pushdown` on. */
  private projectable(t: TransformationConfig): boolean {
    return t.sources.some((name) => {
      const cfg = this.sources.get(name)?.cfg;
      return cfg !== undefined && capabilitiesOf(cfg).projectable;
    });
  }

  private startJob(t: TransformationConfig, delayMs: number): void {
    const deps = { ...this.deps, limiter: this.limiter };
    const projectable = this.projectable(t);
    const job = t.onScrape
      ? new OnScrapeJob(t, this.sourcesOf(t), deps, projectable)
      : new TransformationJob(t, this.sourcesOf(t), deps, projectable);
    this.jobs.set(t.name, job);
    job.start(delayMs);
  }

  async apply(config: ExporterConfig): Promise<ApplySummary> {
    const summary: ApplySummary = { added: [], changed: [], removed: [], unchanged: [] };
    const oldSources = this.sources;
    this.limiter.setLimit(config.maxConcurrentRequests);
    const owned = this.owned(config);
    this.sources = this.buildSources(config.sources, owned);
    this.warnUnused(config);
    const wanted = new Map(owned.map((t) => [t.name, t]));
    for (const [name, job] of this.jobs) {
      const t = wanted.get(name);
      const same = t && fingerprint(t) === fingerprint(job.config) && this.sourcesOf(t).every((s, k) => job.sources[k] === s);
      if (same) {
        summary.unchanged.push(name);
        continue;
      }
      await job.stop();
      this.jobs.delete(name);
      if (t) {
        // A changed transformation keeps serving its last data until its new first run.
        summary.changed.push(name);
        if (job.config.onScrape && !t.onScrape) this.deps.metrics.removeOnScrape(name);
      } else {
        this.deps.store.delete(name);
        this.deps.metrics.removeTransformation(name);
        summary.removed.push(name);
      }
    }
    for (const t of owned) {
      if (this.jobs.has(t.name)) continue;
      if (!summary.changed.includes(t.name)) summary.added.push(t.name);
      this.startJob(t, 0);
    }
    for (const [name, old] of oldSources) {
      if (this.sources.get(name)?.source !== old.source) await old.source.close();
    }
    return summary;
  }

  /**
   * True once every transformation this replica runs has produced usable
   * output (a successful, not degraded run), or has tried READY_AFTER_RUNS
   * times without. Gating on success keeps a rollout with a wrong URL or a typo
   * from going green; the bound keeps a source outage from holding every
   * replica out of its Service for ever (readiness is not liveness: such a
   * replica still serves its self-metrics, and the status page and
   * label_value_exporter_transformation_ever_succeeded tell it has nothing).
   */
  ready(): boolean {
    for (const job of this.jobs.values()) {
      const s = job.state;
      if (s.everUsable !== true && s.runs < READY_AFTER_RUNS) return false;
    }
    return true;
  }

  statuses(): TransformationStatus[] {
    const shard = this.deps.shard ?? WHOLE;
    const where = (t: TransformationConfig, owned: boolean) =>
      shard.count > 1
        ? {
            shard: {
              owned,
              note: `${owned ? '' : 'not owned by this shard: '}runs on ${describeOwner(t, shard.count)} (this is shard ${shard.index} of ${shard.count})`,
            },
          }
        : {};
    const running = [...this.jobs.values()].map((j) => ({
      ...j.state,
      name: j.config.name,
      source: j.config.source,
      intervalSeconds: j.config.intervalSeconds,
      maxStalenessSeconds: j.config.maxStalenessSeconds,
      ...where(j.config, true),
      onScrapeCacheSeconds: j.config.onScrape?.cacheSeconds,
    }));
    const idle = this.others.map((t) => ({
      runs: 0,
      lastError: undefined,
      lastRunAtMs: undefined,
      lastSuccessAtMs: undefined,
      name: t.name,
      source: t.source,
      intervalSeconds: t.intervalSeconds,
      maxStalenessSeconds: t.maxStalenessSeconds,
      ...where(t, false),
      onScrapeCacheSeconds: t.onScrape?.cacheSeconds,
    }));
    return [...running, ...idle];
  }

  /**
   * Brings every mode: on_scrape transformation up to date for a scrape (see
   * OnScrapeJob.refresh): concurrently, each bounded by its own timeout. Never
   * rejects; does nothing without on_scrape transformations.
   */
  async refresh(signal: AbortSignal): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const job of this.jobs.values()) if (job instanceof OnScrapeJob) waits.push(job.refresh(signal));
    await Promise.all(waits);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((j) => j.stop()));
    await Promise.all([...this.sources.values()].map((s) => s.source.close()));
    this.jobs.clear();
    this.sources.clear();
  }
}
