import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { familySamples } from '../../exposition/samples.js';
import type { FamilySnapshot } from '../../snapshot/family.js';

/** One series of a family as remote write needs it. */
export interface FamilySeries {
  /** Identity of the series across runs (for staleness markers). */
  readonly key: string;
  /** Sorted by name, `__name__` included. */
  readonly labels: ReadonlyArray<readonly [name: string, value: string]>;
  readonly value: number;
}

const YIELD_EVERY = 5000;

/**
 * The samples of one family as /metrics serves them (exposition/samples.ts:
 * the series expanded through the metric-type table, as the renderer does;
 * with the other transformations (`all`), a family /metrics would not serve,
 * its name taken by another, is not pushed either). Yields to the event loop
 * every few thousand samples so scrapes are not held up.
 */
export async function familySeries(family: FamilySnapshot, all?: ReadonlyMap<string, FamilySnapshot>): Promise<FamilySeries[]> {
  const series: FamilySeries[] = [];
  for (const s of familySamples(family, all)) {
    if (series.length % YIELD_EVERY === YIELD_EVERY - 1) await yieldToLoop();
    series.push({ key: JSON.stringify(s.labels), labels: s.labels, value: s.value });
  }
  return series;
}
