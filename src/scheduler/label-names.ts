import type { TransformationConfig } from '../config/types.js';
import { withDeadline } from '../model/deadline.js';
import type { LabelSet } from '../model/series.js';
import type { Source } from '../sources/source.js';
import type { TransformResult } from '../transform/transformer.js';
import { degradation, type Degradation } from '../transform/degraded.js';

/** Series read, and names kept, for a "did you mean": enough to show what the series carry. */
const SAMPLE_SERIES = 20;
const MAX_NAMES = 50;

/**
 * Whether a missing value label is explained only by the labels that were read:
 * with `preserve_labels` the source is asked for those labels alone (a
 * projection), so the transformer never saw the names a "did you mean" needs.
 */
export function needsLabelNames(t: TransformationConfig, d: Degradation | undefined): boolean {
  return d?.reason === 'missing_label' && t.preserveLabels !== null;
}

/**
 * The label names the transformation's series carry, asked of its sources
 * without a projection; the query is cut off (aborted) after SAMPLE_SERIES
 * series, and bounded by the transformation's timeout. Used once per change to
 * a degraded state, never on the hot path. Best effort: on any error, the
 * names found so far.
 */
export async function sampleLabelNames(t: TransformationConfig, sources: readonly Source[], parent: AbortSignal): Promise<string[]> {
  const names = new Set<string>();
  let seen = 0;
  const enough = new AbortController();
  const sink = (labels: LabelSet): void => {
    if (Object.hasOwn(labels, t.valueFromLabel) || seen >= SAMPLE_SERIES) return;
    seen++;
    for (const n in labels) if (n !== '__name__' && Object.hasOwn(labels, n) && names.size < MAX_NAMES) names.add(n);
    if (seen >= SAMPLE_SERIES) enough.abort();
  };
  const query = { metric: t.sourceMetric, filter: t.queryFilter, labels: null, json: t.json, expr: t.query, pushdown: false, keep: false };
  try {
    await withDeadline(`label names of ${t.name}`, t.timeoutSeconds, parent, async (signal) => {
      // One controller for both ends (deadline or enough names): no AbortSignal.any to reason about.
      const onDeadline = () => enough.abort(signal.reason);
      signal.addEventListener('abort', onDeadline, { once: true });
      try {
        for (const source of sources) if (!enough.signal.aborted) await source.collect(query, sink, enough.signal);
      } finally {
        signal.removeEventListener('abort', onDeadline);
      }
    });
  } catch {
    // Cut off on purpose, timed out or failed: what was found is still worth showing.
  }
  return [...names];
}

/** The result with the sampled names in place of the projected ones. */
export function withLabelNames(r: TransformResult, names: readonly string[]): TransformResult {
  return names.length > 0 ? { ...r, labelNamesSeen: names } : r;
}

/** Why a run is degraded; for a missing value label, with the names the source's series carry (sampled once). */
export async function explainDegraded(
  t: TransformationConfig,
  sources: readonly Source[],
  r: TransformResult,
  signal: AbortSignal,
): Promise<Degradation | undefined> {
  const d = degradation(t, r);
  if (!needsLabelNames(t, d)) return d;
  return degradation(t, withLabelNames(r, await sampleLabelNames(t, sources, signal)));
}
