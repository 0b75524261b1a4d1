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
  readonly labelText: string;
  readonly value: number;
}

/** Metric types a transformation can produce. */
export type MetricType = 'gauge' | 'info';

/**
 * Receives series from a source as they are decoded, so a source can stream a
 * large response without holding it whole. A source stops feeding the sink as
 * soon as it fails, and the caller then drops everything the sink collected.
 * `labels` is only valid during the call (a source may reuse the object) and
 * a missing label may be absent or `undefined`.
 */
export type SeriesSink = (labels: LabelSet, value: number) => void;
