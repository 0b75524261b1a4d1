import type { TransformationConfig } from '../config/types.js';
import { SourceError } from '../model/errors.js';
import { splitSeriesKey, type LabelSet, type SeriesSink } from '../model/series.js';
import { CHECK_MASK, runNow, type Steps } from '../model/time-slice.js';
import { Accumulator, tooMany } from './accumulate.js';
import { cut, histogramValues, sameAs, sorted, type PreviousSeries } from './diff.js';
import { planFor, type TransformPlan } from './plan.js';
import { RunStats, type SkipReason, type StatsMark } from './run-stats.js';
import { SeriesKeys } from './series-key.js';
import type { ValueRule } from './value-rule.js';

export type { SkipReason } from './run-stats.js';
export type { PreviousSeries } from './diff.js';

export interface TransformResult extends PreviousSeries {
  /** Same label sets and values as the previous run's. */
  readonly unchanged: boolean;
  readonly sourceSeries: number;
  readonly skipped: ReadonlyMap<SkipReason, number>;
  /** Source series whose missing or unparseable value was replaced by `default_value`. */
  readonly defaulted: number;
  /** Source series whose output label set was already taken. */
  readonly collisions: number;
  /** A few raw values per skip (or default) reason, for `preview`, the degraded summary and debugging. */
  readonly skipExamples: ReadonlyMap<SkipReason, readonly string[]>;
  /** Defaulted source series by why their value was missing (`missing_label`, `unparseable`, ...). */
  readonly defaultedBy: ReadonlyMap<SkipReason, number>;
  /** Source series without the value label (skipped or defaulted). */
  readonly missingValueLabel: number;
  /** Label names seen on the first source series without the value label (bounded), for a "did you mean". */
  readonly labelNamesSeen: readonly string[];
}

/** Where the current source's additions start (see useSource). */
interface SourceMark {
  readonly out: number;
  readonly hist: number;
  readonly names: number;
  readonly stats: StatsMark;
}

/**
 * Turns source series into output series, one at a time as a source decodes
 * them (`add` is the source's sink). Pure: no I/O, no clock. The rules are the
 * docs/transformations.md's "Transformation semantics"; collisions keep the larger value so the
 * result does not depend on the order the source returned series in.
 *
 * One Transformer is one run. What does not depend on the data (the value
 * rule, the output labels, the accumulator) is the transformation's plan,
 * compiled once per config (plan.ts); a run keeps only its own state: the
 * counts (run-stats.ts), the keys (series-key.ts), the output series
 * (accumulate.ts), and compares them with the previous run's (diff.ts).
 */
export class Transformer {
  private readonly plan: TransformPlan;
  private readonly stats = new RunStats();
  private readonly keys: SeriesKeys;
  private readonly acc: Accumulator;
  private readonly value: ValueRule;
  private readonly put: (labels: LabelSet, value: number) => void;
  private mark: SourceMark | undefined;

  /**
   * `previous`: the last successful run's result. Its label strings are reused
   * for series seen again (see SeriesKeys), and an unchanged result is found
   * by comparing with it.
   */
  constructor(
    cfg: TransformationConfig,
    private readonly previous?: PreviousSeries,
  ) {
    this.plan = planFor(cfg);
    this.keys = new SeriesKeys(this.plan, previous);
    this.acc = new Accumulator(this.plan, this.keys, this.stats);
    this.value = this.plan.value;
    this.put = this.acc.put;
  }

  /** Set when the run must fail although the source answered: `collision` or `too_many_series`. */
  get failure(): SourceError | null {
    return this.stats.failed;
  }

  /** Source series seen so far. */
  get sourceSeries(): number {
    return this.stats.sourceSeries;
  }

  /** Labels this transformation reads (null: all), so sources can ask for less. */
  projection(): readonly string[] | null {
    return this.plan.projection;
  }

  /**
   * With several sources: the source whose series come next (its name is the
   * `source_label` value). Marks where its series start, so `dropSourceSteps`
   * can take them out again if it fails part-way (fan-in keeps the others).
   */
  useSource(name: string): void {
    this.keys.source = name;
    this.mark = { out: this.acc.out.size, hist: this.acc.hist.size, names: this.keys.names.size, stats: this.stats.mark() };
  }

  /**
   * Undoes everything the current source added (it failed part-way). Its
   * output series all carry its `source_label` value, so none was in the maps
   * before `useSource`: they are the entries inserted since, and Maps keep
   * insertion order.
   */
  *dropSourceSteps(): Steps<void> {
    const m = this.mark;
    if (!m) return;
    for (const [map, from] of [
      [this.acc.out, m.out],
      [this.acc.hist, m.hist],
    ] as const) {
      let i = 0;
      const added: string[] = [];
      for (const key of map.keys()) {
        if ((++i & CHECK_MASK) === 0) yield;
        if (i > from) added.push(key);
      }
      for (const key of added) map.delete(key);
    }
    const names = this.keys.names;
    let i = 0;
    for (const name of [...names]) if (++i > m.names) names.delete(name);
    this.stats.restore(m.stats);
  }

  /** The source's sink. The source sample value (1 for info series) is not used. */
  readonly add: SeriesSink = (labels: LabelSet): void => {
    const stats = this.stats;
    stats.sourceSeries++;
    const value = this.value(labels, stats);
    if (value !== undefined) this.put(labels, value);
  };

  /** Keeps the previous run's series that were not seen again (`clear_stale_metrics: false`). */
  keepStale(): void {
    runNow(this.keepStaleSteps());
  }

  /**
   * `keepStale` as cooperative work (see model/time-slice.ts). `only`: keep
   * just the previous series it accepts (fan-in: a failing source's last good
   * series; with clear_stale_metrics: false, all but those past their source's
   * max_staleness).
   */
  *keepStaleSteps(only?: (key: string) => boolean): Steps<void> {
    const cfg = this.plan.cfg;
    const { out, hist } = this.acc;
    const names = this.keys.names;
    const dynamic = cfg.nameTemplate !== null;
    let i = 0;
    for (const s of this.previous?.series ?? []) {
      if ((++i & CHECK_MASK) === 0) yield;
      if (out.has(s.labelText) || (only && !only(s.labelText))) continue;
      out.set(s.labelText, s.value);
      if (s.histogram) hist.set(s.labelText, s.histogram);
      if (dynamic) names.add(splitSeriesKey(s.labelText, true)[0]);
    }
    const stats = this.stats;
    if (!stats.failed && names.size > cfg.maxNames) {
      stats.failed = new SourceError(
        'too_many_names',
        `more than ${cfg.maxNames} distinct metric names with the kept stale series (max_names: ${cfg.maxNames}); nothing of this run is served`,
      );
    }
    if (!stats.failed && out.size > this.plan.maxSeries) stats.failed = tooMany(this.plan);
  }

  /**
   * The result, sorted by labels. `unchanged` tells whether it equals the
   * previous run's exactly — the steady state of version metrics — so the
   * caller can keep the bytes it rendered then.
   *
   * `owns` (sharding, `shard_by: series`): only the output series it accepts
   * are this replica's. They are cut here, after collisions were resolved over
   * the whole source and before the comparison with the previous run (which
   * holds only this replica's series), so a sharded steady state is found
   * unchanged like any other.
   */
  finish(owns?: (key: string) => boolean): TransformResult {
    return runNow(this.finishSteps(owns));
  }

  /**
   * `finish` as cooperative work (see model/time-slice.ts): every loop over
   * the series pauses every CHECK_EVERY items, and the sort is a merge sort
   * that pauses too, so a scheduled run never blocks the event loop for long.
   */
  *finishSteps(owns?: (key: string) => boolean): Steps<TransformResult> {
    const { out, hist } = this.acc;
    if (owns) yield* cut(out, hist, owns);
    const previous = this.previous;
    const histograms = this.plan.cfg.metricType === 'histogram' ? yield* histogramValues(hist) : null;
    // Compared through the previous index, before sorting: in the steady state
    // (nothing changed) the sort is skipped, which was a tenth of a 1M-series
    // run. Keys of series seen before are the previous strings, so the lookups
    // hash nothing new.
    const unchanged = previous !== undefined && (yield* sameAs(out, previous, histograms));
    let result: PreviousSeries;
    if (unchanged && previous) result = previous;
    else result = yield* sorted(out, histograms);
    const stats = this.stats;
    return {
      ...result,
      unchanged,
      sourceSeries: stats.sourceSeries,
      skipped: stats.skipped,
      collisions: stats.collisions,
      defaulted: stats.defaulted,
      skipExamples: stats.examples,
      defaultedBy: stats.defaultedBy,
      missingValueLabel: stats.missingValueLabel,
      labelNamesSeen: [...stats.namesSeen],
    };
  }
}
