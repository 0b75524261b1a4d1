import type { HistogramValue } from '../model/series.js';
import { bucketIndex } from './metric-type.js';

/**
 * The observations of one histogram series during a run: a count per bucket
 * (not yet cumulative; the last one is `+Inf` only) and their sum.
 */
export class HistogramAccumulator {
  private readonly counts: number[];
  private sum = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    const i = bucketIndex(this.bounds, value);
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
  }

  /** Cumulative bucket counts, as served. */
  value(): HistogramValue {
    const buckets: number[] = [];
    let total = 0;
    for (let i = 0; i < this.counts.length - 1; i++) buckets.push((total += this.counts[i] as number));
    return { buckets, sum: this.sum };
  }
}

/** A series filled this run, or a kept stale one (`clear_stale_metrics: false`) with its previous value. */
export type HistogramEntry = HistogramAccumulator | HistogramValue;

export function histogramValue(e: HistogramEntry): HistogramValue {
  return e instanceof HistogramAccumulator ? e.value() : e;
}

export function sameHistogram(a: HistogramValue | undefined, b: HistogramValue | undefined): boolean {
  if (!a || !b) return a === b;
  return Object.is(a.sum, b.sum) && a.buckets.length === b.buckets.length && a.buckets.every((c, i) => c === b.buckets[i]);
}
