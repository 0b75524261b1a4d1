import type { HistogramValue, OutputSeries } from '../model/series.js';
import { CHECK_MASK, sortStrings, type Steps } from '../model/time-slice.js';
import { histogramValue, sameHistogram, type HistogramEntry } from './histogram.js';

/**
 * The end of a run: the output series, compared with the previous run's and
 * sorted. Every loop pauses every CHECK_EVERY items (see model/time-slice.ts).
 */

/** The output of a run, kept for the next one. */
export interface PreviousSeries {
  /** Output series sorted by label text: a deterministic order. */
  readonly series: readonly OutputSeries[];
  /** The same series by label text. */
  readonly index: ReadonlyMap<string, OutputSeries>;
}

/** Sharding: drops the output series this replica does not own. */
export function* cut(out: Map<string, number>, hist: Map<string, HistogramEntry>, owns: (key: string) => boolean): Steps<void> {
  let i = 0;
  for (const key of out.keys()) {
    if ((++i & CHECK_MASK) === 0) yield;
    if (owns(key)) continue;
    out.delete(key);
    hist.delete(key);
  }
}

export function* histogramValues(hist: ReadonlyMap<string, HistogramEntry>): Steps<Map<string, HistogramValue>> {
  const values = new Map<string, HistogramValue>();
  for (const [k, h] of hist) {
    values.set(k, histogramValue(h));
    if ((values.size & CHECK_MASK) === 0) yield;
  }
  return values;
}

/** The output equals `previous` exactly: same keys, values and distributions. */
export function* sameAs(
  out: ReadonlyMap<string, number>,
  previous: PreviousSeries,
  histograms: ReadonlyMap<string, HistogramValue> | null,
): Steps<boolean> {
  if (previous.series.length !== out.size) return false;
  let i = 0;
  for (const [key, value] of out) {
    if ((++i & CHECK_MASK) === 0) yield;
    const p = previous.index.get(key);
    if (p === undefined || !Object.is(p.value, value) || (histograms !== null && !sameHistogram(p.histogram, histograms.get(key))))
      return false;
  }
  return true;
}

/** The output series sorted by key, and their index. */
export function* sorted(out: ReadonlyMap<string, number>, histograms: ReadonlyMap<string, HistogramValue> | null): Steps<PreviousSeries> {
  const keys: string[] = [];
  for (const k of out.keys()) {
    keys.push(k);
    if ((keys.length & CHECK_MASK) === 0) yield;
  }
  const order = yield* sortStrings(keys);
  const series: OutputSeries[] = [];
  const index = new Map<string, OutputSeries>();
  for (const k of order) {
    const h = histograms?.get(k);
    const o: OutputSeries = h ? { labelText: k, value: out.get(k) as number, histogram: h } : { labelText: k, value: out.get(k) as number };
    series.push(o);
    index.set(k, o);
    if ((series.length & CHECK_MASK) === 0) yield;
  }
  return { series, index };
}
