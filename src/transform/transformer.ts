import type { CollisionPolicy, TransformationConfig } from '../config/types.js';
import { SourceError } from '../model/errors.js';
import { labelText } from '../model/label-text.js';
import { splitSeriesKey, type HistogramValue, type LabelSet, type OutputSeries, type SeriesSink } from '../model/series.js';
import { CHECK_MASK, runNow, sortStrings, type Steps } from '../model/time-slice.js';
import { parseLenientNumber } from '../parsers/lenient-number.js';
import { LabelShaper } from './label-shaping.js';
import { HistogramAccumulator, histogramValue, sameHistogram, type HistogramEntry } from './histogram.js';
import { typeLabel } from '../model/family-names.js';
import { fillName } from './metric-type.js';
import { DEFAULTS } from '../config/defaults.js';

/**
 * Why a source series produced no output series; a label value of a
 * self-metric. The core's reasons, or a `value:` parser's (`not_a_version`,
 * `no_match`, ...).
 */
export type SkipReason = 'empty_label' | 'missing_label' | 'unparseable' | (string & {});

/** The output of a run, kept for the next one. */
export interface PreviousSeries {
  /** Output series sorted by label text: a deterministic order. */
  readonly series: readonly OutputSeries[];
  /** The same series by label text. */
  readonly index: ReadonlyMap<string, OutputSeries>;
}

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

const MAX_EXAMPLES = 3;
/** Label names collected from series missing the value label: from this many series, at most MAX_NAMES names. */
const NAME_SAMPLE_SERIES = 20;
const MAX_NAMES = 50;


/**
 * `too_many_series`, naming the limit and the key that raises it. Checked as
 * series stream in, so a run that would grow past it fails at the first
 * series too many, not after buffering them all (see run.ts).
 */
function tooMany(max: number, explicit: boolean): SourceError {
  const which = explicit ? `max_series: ${max}` : `max_series: ${max}, the default; raise it with max_series on the transformation or at the top level of the config`;
  return new SourceError('too_many_series', `more than ${max} output series (${which}); nothing of this run is served`);
}

/**
 * A flat copy of a string built from slices of a source's decoded chunks.
 * V8 keeps concatenations and substrings as references to their parts; a Map
 * key built that way would keep whole response chunks alive until the end of
 * the run (measured: ~100 MB of heap at 100k series). Reading a character
 * makes V8 flatten the string into a fresh copy that references nothing.
 */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

/** A label of the series itself: never an inherited Object.prototype member such as `constructor`. */
function ownLabel(labels: LabelSet, name: string): string | undefined {
  const v = labels[name];
  return typeof v === 'string' && Object.hasOwn(labels, name) ? v : undefined;
}

/** Output label names for one source series: preserved set, or all but the excluded. */
function outputNames(cfg: TransformationConfig, labels: LabelSet, preserve: readonly string[] | null, typeLabel: string | null): string[] {
  if (preserve) return preserve as string[];
  const names: string[] = [];
  for (const n in labels) {
    if (n === '__name__' || labels[n] === undefined || n === cfg.sourceLabel || n === typeLabel) continue;
    if (n === cfg.valueFromLabel && cfg.metricType !== 'info') continue;
    names.push(n);
  }
  if (cfg.sourceLabel) names.push(cfg.sourceLabel);
  return names.sort();
}

/**
 * Turns source series into output series, one at a time as a source decodes
 * them (`add` is the source's sink). Pure: no I/O, no clock. The rules are the
 * README's "Transformation semantics"; collisions keep the larger value so the
 * result does not depend on the order the source returned series in.
 *
 * Label shaping, another `on_collision` policy or a dynamic name take a second,
 * general path (`putShaped`), chosen once at construction; the plain path
 * (`putPlain`) stays as lean as it was.
 */
export class Transformer {
  private readonly out = new Map<string, number>();
  private readonly skipped = new Map<SkipReason, number>();
  private readonly examples = new Map<SkipReason, string[]>();
  private sourceCount = 0;
  private defaulted = 0;
  private readonly defaultedBy = new Map<SkipReason, number>();
  private missingValueLabel = 0;
  /** Insertion-ordered, bounded: see NAME_SAMPLE_SERIES. */
  private readonly namesSeen = new Set<string>();
  private collisions = 0;
  /** Sorted preserve list; for info, including the value label. */
  private readonly preserve: readonly string[] | null;
  private readonly values: string[] = [];
  private currentSource = '';
  /** `putPlain`, or `putShaped` when shaping, a collision policy other than max, or a dynamic name. */
  private readonly put: (labels: LabelSet, value: number) => void;
  private readonly shaper: LabelShaper | null;
  private readonly policy: CollisionPolicy;
  private readonly maxSeries: number;
  /** Why this run must fail (on_collision: error, max_series, max_names); further series are ignored. */
  private failed: SourceError | null = null;
  /** Label left out of all-labels output because the type adds it (`le`, the state label). */
  private readonly typeLabel: string | null;
  /** Histograms: the distribution per output key; kept stale series carry their previous value. */
  private readonly hist = new Map<string, HistogramEntry>();
  /** Dynamic names seen this run (capped by max_names). */
  private readonly names = new Set<string>();
  /** Where the current source's additions start (see useSource). */
  private mark: { readonly out: number; readonly hist: number; readonly names: number; readonly sourceCount: number; readonly defaulted: number; readonly collisions: number; readonly skipped: Map<SkipReason, number>; readonly examples: Map<SkipReason, string[]> } | undefined;

  /**
   * `previous`: the last successful run's result. Its label strings are reused
   * for series seen again, so in the steady state a run allocates no strings
   * that outlive it (less heap growth between garbage collections).
   */
  constructor(
    private readonly cfg: TransformationConfig,
    private readonly previous?: PreviousSeries,
  ) {
    const p = cfg.preserveLabels;
    if (p === null) this.preserve = null;
    else {
      const set = new Set(p);
      if (cfg.metricType === 'info') set.add(cfg.valueFromLabel);
      if (cfg.sourceLabel) set.add(cfg.sourceLabel);
      this.preserve = [...set].sort();
    }
    this.shaper = cfg.shaping ? new LabelShaper(cfg, cfg.shaping) : null;
    this.policy = cfg.onCollision;
    // Unset: the default budget, so no answer can grow a run without bound (README "Limits").
    this.maxSeries = cfg.maxSeries ?? DEFAULTS.maxSeries;
    this.typeLabel = typeLabel(cfg.metricType, cfg.states?.label);
    if (cfg.metricType === 'histogram') this.put = this.putHistogram;
    else this.put = this.shaper || this.policy !== 'max' || cfg.nameTemplate ? this.putShaped : this.putPlain;
  }

  /** Set when the run must fail although the source answered: `collision` or `too_many_series`. */
  get failure(): SourceError | null {
    return this.failed;
  }

  /** Source series seen so far. */
  get sourceSeries(): number {
    return this.sourceCount;
  }

  /** Labels this transformation reads (null: all), so sources can ask for less. */
  projection(): readonly string[] | null {
    if (this.preserve === null) return null;
    const wanted = new Set(this.preserve.filter((l) => l !== this.cfg.sourceLabel));
    wanted.add(this.cfg.valueFromLabel);
    for (const part of this.cfg.nameTemplate ?? []) if (typeof part !== 'string') wanted.add(part.label);
    return [...wanted];
  }

  /**
   * With several sources: the source whose series come next (its name is the
   * `source_label` value). Marks where its series start, so `dropSourceSteps`
   * can take them out again if it fails part-way (fan-in keeps the others).
   */
  useSource(name: string): void {
    this.currentSource = name;
    this.mark = { out: this.out.size, hist: this.hist.size, names: this.names.size, sourceCount: this.sourceCount, defaulted: this.defaulted, collisions: this.collisions, skipped: new Map(this.skipped), examples: new Map([...this.examples].map(([k, v]) => [k, [...v]])) };
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
    for (const [map, from] of [[this.out, m.out], [this.hist, m.hist]] as const) {
      let i = 0;
      const added: string[] = [];
      for (const key of map.keys()) {
        if ((++i & CHECK_MASK) === 0) yield;
        if (i > from) added.push(key);
      }
      for (const key of added) map.delete(key);
    }
    let i = 0;
    for (const name of [...this.names]) if (++i > m.names) this.names.delete(name);
    this.sourceCount = m.sourceCount;
    this.defaulted = m.defaulted;
    this.collisions = m.collisions;
    this.skipped.clear();
    for (const [k, v] of m.skipped) this.skipped.set(k, v);
    this.examples.clear();
    for (const [k, v] of m.examples) this.examples.set(k, [...v]);
  }

  /** The source's sink. The source sample value (1 for info series) is not used. */
  readonly add: SeriesSink = (labels: LabelSet): void => {
    this.sourceCount++;
    const cfg = this.cfg;
    const raw = ownLabel(labels, cfg.valueFromLabel);
    let value: number;
    if (raw === undefined || raw === '') {
      const reason: SkipReason = raw === undefined ? 'missing_label' : 'empty_label';
      if (raw === undefined) this.noteMissing(labels);
      // Only info series carry no number: every other type needs default_value (a stateset has none).
      if (cfg.skipEmptyLabels || (cfg.metricType !== 'info' && cfg.defaultValue === null)) {
        this.skip(reason, raw ?? '');
        return;
      }
      if (cfg.metricType !== 'info') this.countDefault(reason, raw ?? '');
      value = cfg.metricType === 'info' ? 1 : (cfg.defaultValue as number);
    } else if (cfg.metricType === 'info') {
      value = 1;
    } else if (cfg.states) {
      const i = cfg.states.values.indexOf(raw);
      if (i < 0) {
        this.skip('unknown_state', raw);
        return;
      }
      value = i;
    } else {
      const parsed = this.parse(raw);
      if (typeof parsed === 'string') {
        if (cfg.defaultValue === null) {
          this.skip(parsed, raw);
          return;
        }
        this.countDefault(parsed, raw);
        value = cfg.defaultValue;
      } else value = parsed;
      if (cfg.metricType === 'counter' && !(value >= 0)) {
        this.skip('not_a_counter_value', raw);
        return;
      }
    }
    this.put(labels, value);
  };

  /** The number in a label value, or why there is none. */
  private parse(raw: string): number | SkipReason {
    const parser = this.cfg.value;
    if (!parser) return parseLenientNumber(raw) ?? 'unparseable';
    const r = parser.parse(raw);
    return r.ok ? r.value : r.reason;
  }

  private readonly putPlain = (labels: LabelSet, value: number): void => {
    const key = this.intern(this.plainText(labels));
    const prev = this.out.get(key);
    if (prev !== undefined) {
      this.collisions++;
      if (!(value > prev)) return;
    } else if (this.out.size >= this.maxSeries) {
      this.failed = this.tooMany();
      return;
    }
    this.out.set(key, value);
  };

  private tooMany(): SourceError {
    return tooMany(this.maxSeries, this.cfg.maxSeries !== null);
  }

  /** The previous run's string for a label text seen before, else a flat copy (see `flat`). */
  private intern(text: string): string {
    const known = this.previous?.index.get(text);
    return known ? known.labelText : flat(text);
  }

  /** The label text of a series without shaping: the plain path's rules. */
  private plainText(labels: LabelSet): string {
    const names = outputNames(this.cfg, labels, this.preserve, this.typeLabel);
    const values = this.values;
    values.length = names.length;
    const sourceLabel = this.cfg.sourceLabel;
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      values[i] = name === sourceLabel ? this.currentSource : (ownLabel(labels, name) ?? '');
    }
    return labelText(names, values);
  }

  /**
   * The output key of a source series on the general paths: its label text,
   * with a dynamic name in front (see OutputSeries.labelText); null when it
   * has no valid name (counted) or the run just failed.
   */
  private keyOf(labels: LabelSet): string | null {
    const text = this.shaper ? this.shaper.text(labels, this.currentSource) : this.plainText(labels);
    const template = this.cfg.nameTemplate;
    if (!template) return this.intern(text);
    const name = fillName(template, labels);
    if (name === null) {
      this.skip('invalid_name', template.map((p) => (typeof p === 'string' ? p : (ownLabel(labels, p.label) ?? ''))).join(''));
      return null;
    }
    if (!this.names.has(name)) {
      if (this.names.size >= this.cfg.maxNames) {
        this.failed = new SourceError('too_many_names', `more than ${this.cfg.maxNames} distinct metric names (max_names: ${this.cfg.maxNames}); nothing of this run is served`);
        return null;
      }
      this.names.add(name);
    }
    return this.intern(`${name} ${text}`);
  }

  /** Histograms: every source series with the same output labels is one observation of that series. */
  private readonly putHistogram = (labels: LabelSet, value: number): void => {
    if (this.failed) return;
    // OpenMetrics: observations of a histogram with _sum are finite and >= 0.
    if (!(value >= 0 && value < Infinity)) {
      this.skip('not_a_histogram_value', String(value));
      return;
    }
    const key = this.keyOf(labels);
    if (key === null) return;
    let acc = this.hist.get(key);
    if (!(acc instanceof HistogramAccumulator)) {
      if (this.out.size >= this.maxSeries) {
        this.failed = this.tooMany();
        return;
      }
      acc = new HistogramAccumulator(this.cfg.buckets ?? []);
      this.hist.set(key, acc);
    }
    acc.observe(value);
    this.out.set(key, (this.out.get(key) ?? 0) + 1);
  };

  private readonly putShaped = (labels: LabelSet, value: number): void => {
    if (this.failed) return;
    const key = this.keyOf(labels);
    if (key === null) return;
    const prev = this.out.get(key);
    if (prev === undefined) {
      if (this.out.size >= this.maxSeries) {
        this.failed = this.tooMany();
        return;
      }
      this.out.set(key, this.policy === 'count' ? 1 : value);
      return;
    }
    this.collisions++;
    switch (this.policy) {
      case 'first':
        return;
      case 'last':
        this.out.set(key, value);
        return;
      case 'min':
        if (value < prev) this.out.set(key, value);
        return;
      case 'max':
        if (value > prev) this.out.set(key, value);
        return;
      case 'sum':
        this.out.set(key, prev + value);
        return;
      case 'count':
        this.out.set(key, prev + 1);
        return;
      case 'error':
        this.failed = new SourceError('collision', `two source series produce the same output series {${splitSeriesKey(key, this.cfg.nameTemplate !== null)[1]}} (on_collision: error)`);
        return;
    }
  };

  /** A series without the value label: counted, and the first few lend their label names to the "did you mean". */
  private noteMissing(labels: LabelSet): void {
    if (this.missingValueLabel++ >= NAME_SAMPLE_SERIES || this.namesSeen.size >= MAX_NAMES) return;
    for (const n in labels) {
      if (n === '__name__' || !Object.hasOwn(labels, n) || labels[n] === undefined) continue;
      this.namesSeen.add(flat(n));
      if (this.namesSeen.size >= MAX_NAMES) return;
    }
  }

  private countDefault(reason: SkipReason, raw: string): void {
    this.defaulted++;
    this.defaultedBy.set(reason, (this.defaultedBy.get(reason) ?? 0) + 1);
    this.example(reason, raw);
  }

  private skip(reason: SkipReason, raw: string): void {
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + 1);
    this.example(reason, raw);
  }

  private example(reason: SkipReason, raw: string): void {
    const ex = this.examples.get(reason) ?? [];
    if (ex.length < MAX_EXAMPLES && !ex.includes(raw)) ex.push(raw);
    this.examples.set(reason, ex);
  }

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
    const dynamic = this.cfg.nameTemplate !== null;
    let i = 0;
    for (const s of this.previous?.series ?? []) {
      if ((++i & CHECK_MASK) === 0) yield;
      if (this.out.has(s.labelText) || (only && !only(s.labelText))) continue;
      this.out.set(s.labelText, s.value);
      if (s.histogram) this.hist.set(s.labelText, s.histogram);
      if (dynamic) this.names.add(splitSeriesKey(s.labelText, true)[0]);
    }
    if (!this.failed && this.names.size > this.cfg.maxNames) {
      this.failed = new SourceError('too_many_names', `more than ${this.cfg.maxNames} distinct metric names with the kept stale series (max_names: ${this.cfg.maxNames}); nothing of this run is served`);
    }
    if (!this.failed && this.out.size > this.maxSeries) this.failed = this.tooMany();
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
    if (owns) yield* this.cut(owns);
    const previous = this.previous;
    const histograms = this.cfg.metricType === 'histogram' ? yield* this.histogramValues() : null;
    // Compared through the previous index, before sorting: in the steady state
    // (nothing changed) the sort is skipped, which was a tenth of a 1M-series
    // run. Keys of series seen before are the previous strings, so the lookups
    // hash nothing new.
    const unchanged = previous !== undefined && (yield* this.sameAs(previous, histograms));
    let result: PreviousSeries;
    if (unchanged && previous) result = previous;
    else result = yield* this.sorted(histograms);
    return {
      ...result,
      unchanged,
      sourceSeries: this.sourceCount,
      skipped: this.skipped,
      collisions: this.collisions,
      defaulted: this.defaulted,
      skipExamples: this.examples,
      defaultedBy: this.defaultedBy,
      missingValueLabel: this.missingValueLabel,
      labelNamesSeen: [...this.namesSeen],
    };
  }

  /** Sharding: drops the output series this replica does not own. */
  private *cut(owns: (key: string) => boolean): Steps<void> {
    let i = 0;
    for (const key of this.out.keys()) {
      if ((++i & CHECK_MASK) === 0) yield;
      if (owns(key)) continue;
      this.out.delete(key);
      this.hist.delete(key);
    }
  }

  private *histogramValues(): Steps<Map<string, HistogramValue>> {
    const values = new Map<string, HistogramValue>();
    for (const [k, h] of this.hist) {
      values.set(k, histogramValue(h));
      if ((values.size & CHECK_MASK) === 0) yield;
    }
    return values;
  }

  /** The output equals `previous` exactly: same keys, values and distributions. */
  private *sameAs(previous: PreviousSeries, histograms: ReadonlyMap<string, HistogramValue> | null): Steps<boolean> {
    if (previous.series.length !== this.out.size) return false;
    let i = 0;
    for (const [key, value] of this.out) {
      if ((++i & CHECK_MASK) === 0) yield;
      const p = previous.index.get(key);
      if (p === undefined || !Object.is(p.value, value) || (histograms !== null && !sameHistogram(p.histogram, histograms.get(key)))) return false;
    }
    return true;
  }

  /** The output series sorted by key, and their index. */
  private *sorted(histograms: ReadonlyMap<string, HistogramValue> | null): Steps<PreviousSeries> {
    const keys: string[] = [];
    for (const k of this.out.keys()) {
      keys.push(k);
      if ((keys.length & CHECK_MASK) === 0) yield;
    }
    const order = yield* sortStrings(keys);
    const series: OutputSeries[] = [];
    const index = new Map<string, OutputSeries>();
    for (const k of order) {
      const h = histograms?.get(k);
      const o: OutputSeries = h ? { labelText: k, value: this.out.get(k) as number, histogram: h } : { labelText: k, value: this.out.get(k) as number };
      series.push(o);
      index.set(k, o);
      if ((series.length & CHECK_MASK) === 0) yield;
    }
    return { series, index };
  }
}
