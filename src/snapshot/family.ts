import type { MetricType, OutputSeries } from '../model/series.js';

/**
 * Everything served for one transformation, produced by one successful run.
 * Immutable once built: a scrape that holds a reference always sees one
 * complete run.
 */
export interface FamilySnapshot {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly series: readonly OutputSeries[];
  /** The same series by label text (the next run reuses its strings). */
  readonly index: ReadonlyMap<string, OutputSeries>;
  /** Sample lines, rendered once per run; identical in both exposition formats. */
  readonly samples: Buffer;
  /** Wall-clock time (ms) of the run that produced this snapshot. */
  readonly producedAtMs: number;
}
