import type { ExporterConfig } from '../config/types.js';
import { createSource } from '../sources/registry.js';
import type { Source, SourceObserver } from '../sources/source.js';
import { TransformationJob, type JobDeps, type JobStatus } from './job.js';

export interface TransformationStatus extends JobStatus {
  readonly name: string;
  readonly source: string;
  readonly intervalSeconds: number;
}

/** Owns the sources and one job per transformation of the running config. */
export class Scheduler {
  private readonly jobs = new Map<string, TransformationJob>();
  private readonly sources = new Map<string, Source>();

  constructor(
    private readonly deps: JobDeps,
    private readonly observer: SourceObserver,
  ) {}

  start(config: ExporterConfig): void {
    for (const [name, cfg] of config.sources) this.sources.set(name, createSource(cfg, this.observer));
    for (const t of config.transformations) {
      const source = this.sources.get(t.source);
      if (!source) throw new Error(`internal: source ${t.source} missing after validation`);
      const job = new TransformationJob(t, source, this.deps);
      this.jobs.set(t.name, job);
      job.start();
    }
  }

  /** True once every transformation has finished its first run, whatever its result. */
  ready(): boolean {
    for (const job of this.jobs.values()) if (job.state.runs === 0) return false;
    return true;
  }

  statuses(): TransformationStatus[] {
    return [...this.jobs.values()].map((j) => ({
      ...j.state,
      name: j.config.name,
      source: j.config.source,
      intervalSeconds: j.config.intervalSeconds,
    }));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((j) => j.stop()));
    await Promise.all([...this.sources.values()].map((s) => s.close()));
    this.jobs.clear();
    this.sources.clear();
  }
}
