import { parseLabelText } from '../model/label-text.js';
import { METRIC_TYPES, type FamilyParts, type FamilyShape, type SampleEmitter, type TypeLabel } from '../model/metric-types.js';
import { splitSeriesKey, type OutputSeries } from '../model/series.js';
import type { FamilySnapshot } from '../snapshot/family.js';
import { servedFamilies } from './write.js';

/** One sample as data (remote write): the same name, labels and value the exposition writes for it. */
export interface Sample {
  /** Sorted by name, `__name__` included. */
  readonly labels: ReadonlyArray<readonly [name: string, value: string]>;
  readonly value: number;
}

function byName(a: readonly [string, string], b: readonly [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** Gathers the samples of one series as data. */
class SampleList implements SampleEmitter {
  readonly samples: Sample[] = [];
  labels: ReadonlyArray<readonly [string, string]> = [];

  sample(name: string, extra: TypeLabel | undefined, value: number): void {
    const labels: Array<readonly [string, string]> = [['__name__', name], ...this.labels];
    if (extra) labels.push([extra.name, extra.value]);
    labels.sort(byName);
    // The exposition spells -0 as 0: what a scraper reads, remote write sends.
    this.samples.push({ labels, value: value === 0 ? 0 : value });
  }
}

/** What a snapshot was rendered from; a snapshot built by hand (tests) has a name and type only. */
export function shapeOf(f: FamilySnapshot): FamilyShape {
  return f.shape ?? { name: f.name, type: f.type, dynamicNames: f.name.includes('{{') };
}

/**
 * The samples of one transformation exactly as /metrics serves them, as data:
 * its series expanded through the metric-type table (as the renderer does),
 * only for its families that `all` (every transformation's snapshot) lets it
 * serve, in the order they are served. Lazy: the caller paces itself.
 */
export function* familySamples(family: FamilySnapshot, all?: ReadonlyMap<string, FamilySnapshot>): Generator<Sample, void, undefined> {
  const shape = shapeOf(family);
  const type = METRIC_TYPES[shape.type];
  const served = servedFamilies(new Map(all ?? []).set(family.name, family))
    .filter((f) => f.snapshot === family)
    .map((f) => f.name);
  if (served.length === 0) return;
  // Where each family's series are: series come sorted by key, so by family name first.
  const ranges = new Map<string, [start: number, end: number]>();
  if (!shape.dynamicNames) ranges.set(shape.name, [0, family.series.length]);
  else {
    for (let i = 0; i < family.series.length; i++) {
      const [name] = splitSeriesKey((family.series[i] as OutputSeries).labelText, true);
      const r = ranges.get(name);
      if (r) r[1] = i + 1;
      else ranges.set(name, [i, i + 1]);
    }
  }
  const out = new SampleList();
  for (const name of served) {
    const [start, end] = ranges.get(name) ?? [0, 0];
    const parts: FamilyParts = type.parts(name, shape);
    for (let i = start; i < end; i++) {
      const s = family.series[i] as OutputSeries;
      out.labels = parseLabelText(splitSeriesKey(s.labelText, shape.dynamicNames)[1]);
      type.expand(parts, s, out);
      yield* out.samples;
      out.samples.length = 0;
    }
  }
}
