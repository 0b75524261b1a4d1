/**
 * Shared series types. This module imports nothing: every stage of the
 * pipeline (sources → transform → snapshot → exposition) speaks these types.
 */

/** Labels of one source series, name → value. May contain `__name__`. */
export type LabelSet = Readonly<Record<string, string>>;

/**
 * One output sample. `labelText` is the canonical text of its label set (see
 * `label-text.ts`): it is both the series' identity and the exact bytes
 * written between `{` and `}` in the exposition.
 */
export interface OutputSeries {
  /**
   * Label text, or with a dynamic metric name `<name> <label text>` (a space
   * never occurs in a name, and sorts before every name character, so series
   * sorted by key come grouped by name). See `splitSeriesKey`.
   */
  readonly labelText: string;
  /** The sample value; for a stateset the index of the current state, for a histogram the count. */
  readonly value: number;
  /** Histograms only: the distribution of the values that fell into this label set. */
  readonly histogram?: HistogramValue;
}

/** Observations of one histogram series: cumulative bucket counts (one per configured bound) and their sum. */
export interface HistogramValue {
  readonly buckets: readonly number[];
  readonly sum: number;
}

/** Metric types a transformation can produce. */
export type MetricType = 'gauge' | 'info' | 'stateset' | 'counter' | 'histogram';

/** `[metric name or '', label text]` of an output series key (see `OutputSeries.labelText`). */
export function splitSeriesKey(key: string, dynamicNames: boolean): readonly [name: string, labelText: string] {
  if (!dynamicNames) return ['', key];
  const i = key.indexOf(' ');
  return [key.slice(0, i), key.slice(i + 1)];
}

/**
 * Receives series from a source as they are decoded, so a source can stream a
 * large response without holding it whole. A source stops feeding the sink as
 * soon as it fails, and the caller then drops everything the sink collected.
 * `labels` is only valid during the call (a source may reuse the object) and
 * a missing label may be absent or `undefined`.
 */
export type SeriesSink = (labels: LabelSet, value: number) => void;
