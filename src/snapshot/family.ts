import type { FamilyShape } from '../model/metric-types.js';
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
  /** Stateset only: the label naming the state (OpenMetrics requires it to be the family name). */
  readonly stateLabel?: string;
  readonly series: readonly OutputSeries[];
  /** The same series by label text (the next run reuses its strings). */
  readonly index: ReadonlyMap<string, OutputSeries>;
  /**
   * Sample lines by metric family, rendered once per run and identical in
   * both exposition formats. One family, named like the transformation,
   * unless the name is dynamic (`{{label}}`); sorted by name.
   */
  readonly families: readonly RenderedFamily[];
  /**
   * What `families` was rendered from besides the series (name, type, states, buckets): remote write expands
   * the series into the same samples with it. Absent in snapshots built by hand (tests): then name, type only.
   */
  readonly shape?: FamilyShape;
  /** How `families` was rendered (name, type, states, buckets): a reload that changes it re-renders. */
  readonly renderKey?: string;
  /** Wall-clock time (ms) of the run that produced this snapshot. */
  readonly producedAtMs: number;
}

/** The sample lines of one metric family (its header is rendered per format when served). */
export interface RenderedFamily {
  readonly name: string;
  readonly samples: Buffer;
}
