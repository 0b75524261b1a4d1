import type { CollisionPolicy } from '../config/types.js';
import { SourceError } from '../model/errors.js';
import { splitSeriesKey, type LabelSet } from '../model/series.js';
import { HistogramAccumulator, type HistogramEntry } from './histogram.js';
import type { TransformPlan } from './plan.js';
import type { RunStats } from './run-stats.js';
import type { SeriesKeys } from './series-key.js';

/** How the output series of a run accumulate: chosen once per transformation (see TransformPlan). */
export type AccumulatorKind =
  /** No shaping, on_collision: max, a fixed name: the lean path. */
  | 'plain'
  /** Label shaping, another on_collision policy or a dynamic name: the general path. */
  | 'policy'
  /** Every source series is one observation of its output series' distribution. */
  | 'histogram';

/** What `on_collision` does when a source series' output label set is already taken. */
export interface CollisionRule {
  /** The value kept for the first series of an output key. */
  readonly first: (value: number) => number;
  /** The value kept after one more series of the key; null: the run fails (`error`). */
  readonly merge: ((kept: number, value: number) => number) | null;
}

const itself = (value: number): number => value;

/** The on_collision policies. `max` (the default) keeps the larger value, so the result does not depend on the source's order. */
export const COLLISIONS: { readonly [P in CollisionPolicy]: CollisionRule } = {
  first: { first: itself, merge: (kept) => kept },
  last: { first: itself, merge: (_kept, value) => value },
  min: { first: itself, merge: (kept, value) => (value < kept ? value : kept) },
  max: { first: itself, merge: (kept, value) => (value > kept ? value : kept) },
  sum: { first: itself, merge: (kept, value) => kept + value },
  count: { first: () => 1, merge: (kept) => kept + 1 },
  error: { first: itself, merge: null },
};

/**
 * `too_many_series`, naming the limit and the key that raises it. Checked as
 * series stream in, so a run that would grow past it fails at the first
 * series too many, not after buffering them all (see run.ts).
 */
export function tooMany(plan: TransformPlan): SourceError {
  const max = plan.maxSeries;
  const which =
    plan.cfg.maxSeries !== null
      ? `max_series: ${max}`
      : `max_series: ${max}, the default; raise it with max_series on the transformation or at the top level of the config`;
  return new SourceError('too_many_series', `more than ${max} output series (${which}); nothing of this run is served`);
}

/** The output series of one run as source series arrive: a value per output key, and a distribution per histogram key. */
export class Accumulator {
  readonly out = new Map<string, number>();
  /** Histograms: the distribution per output key; kept stale series carry their previous value. */
  readonly hist = new Map<string, HistogramEntry>();
  /** Adds one source series with its value, by the plan's AccumulatorKind. */
  readonly put: (labels: LabelSet, value: number) => void;

  constructor(
    private readonly plan: TransformPlan,
    private readonly keys: SeriesKeys,
    private readonly stats: RunStats,
  ) {
    this.put = plan.accumulate === 'histogram' ? this.putHistogram : plan.accumulate === 'plain' ? this.putPlain : this.putPolicy;
  }

  private readonly putPlain = (labels: LabelSet, value: number): void => {
    const key = this.keys.plain(labels);
    const prev = this.out.get(key);
    if (prev !== undefined) {
      this.stats.collisions++;
      if (!(value > prev)) return;
    } else if (this.out.size >= this.plan.maxSeries) {
      this.stats.failed = tooMany(this.plan);
      return;
    }
    this.out.set(key, value);
  };

  private readonly putPolicy = (labels: LabelSet, value: number): void => {
    const stats = this.stats;
    if (stats.failed) return;
    const key = this.keys.key(labels, stats);
    if (key === null) return;
    const rule = this.plan.collision;
    const prev = this.out.get(key);
    if (prev === undefined) {
      if (this.out.size >= this.plan.maxSeries) {
        stats.failed = tooMany(this.plan);
        return;
      }
      this.out.set(key, rule.first(value));
      return;
    }
    stats.collisions++;
    if (rule.merge) this.out.set(key, rule.merge(prev, value));
    else
      stats.failed = new SourceError(
        'collision',
        `two source series produce the same output series {${splitSeriesKey(key, this.plan.cfg.nameTemplate !== null)[1]}} (on_collision: error)`,
      );
  };

  /** Histograms: every source series with the same output labels is one observation of that series. */
  private readonly putHistogram = (labels: LabelSet, value: number): void => {
    const stats = this.stats;
    if (stats.failed) return;
    // OpenMetrics: observations of a histogram with _sum are finite and >= 0.
    if (!(value >= 0 && value < Infinity)) {
      stats.skip('not_a_histogram_value', String(value));
      return;
    }
    const key = this.keys.key(labels, stats);
    if (key === null) return;
    let acc = this.hist.get(key);
    if (!(acc instanceof HistogramAccumulator)) {
      if (this.out.size >= this.plan.maxSeries) {
        stats.failed = tooMany(this.plan);
        return;
      }
      acc = new HistogramAccumulator(this.plan.cfg.buckets ?? []);
      this.hist.set(key, acc);
    }
    acc.observe(value);
    this.out.set(key, (this.out.get(key) ?? 0) + 1);
  };
}
