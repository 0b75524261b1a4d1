import type { TransformationConfig } from '../config/types.js';
import { SourceError } from '../model/errors.js';
import { renderFamilies } from '../exposition/render.js';
import type { SnapshotStore } from '../snapshot/store.js';
import type { Source } from '../sources/source.js';
import { Transformer, type TransformResult } from '../transform/transformer.js';
import type { Projection } from './pushdown-advisor.js';
import { seriesOwner, WHOLE, type Shard } from '../transform/shard.js';

export type RunOutcome =
  | { readonly ok: true; readonly result: TransformResult; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly error: SourceError };

function asSourceError(e: unknown): SourceError {
  if (e instanceof SourceError) return e;
  return new SourceError('bad_response', `unexpected error: ${(e as Error)?.message ?? String(e)}`, { cause: e });
}

/**
 * One run of one transformation: query the source, transform every series
 * as it arrives, render, and swap the new family into the store in one step.
 * Nothing is written to the store unless the whole run succeeded.
 */
export async function runTransformation(
  t: TransformationConfig,
  sources: readonly Source[],
  store: SnapshotStore,
  signal: AbortSignal,
  /** Keep unseen series of earlier runs (clear_stale_metrics: false) — of this job only, not of a job replaced on reload. */
  keepStale = true,
  /** `--shard.*`: a `shard_by: series` transformation keeps only this replica's output series. */
  shard: Shard = WHOLE,
  /** How to ask for less this run (where allowed): see PushdownAdvisor. */
  projection: Projection = t.pushdown ? 'group' : 'none',
): Promise<RunOutcome> {
  const previous = store.get(t.name);
  const transformer = new Transformer(t, previous);
  const warnings: string[] = [];
  const query = { metric: t.sourceMetric, filter: t.queryFilter, labels: transformer.projection(), json: t.json, expr: t.query, pushdown: projection === 'group', keep: projection === 'keep' };
  try {
    // Several sources (fan-in): all must answer, so a run is still all or nothing.
    for (const source of sources) {
      transformer.useSource(source.name);
      const outcome = await source.collect(query, transformer.add, signal);
      warnings.push(...outcome.warnings.map((w) => (sources.length > 1 ? `${source.name}: ${w}` : w)));
    }
  } catch (e) {
    return { ok: false, error: asSourceError(e) };
  }
  if (transformer.sourceSeries === 0) {
    // Most often a broken query or a source that lost its data: keep the last
    // good series (until max_staleness) rather than wipe them.
    return { ok: false, error: new SourceError('empty_result', `the source returned no series for ${t.query ?? `${t.sourceMetric}${t.queryFilter ? `{${t.queryFilter}}` : ''}`}`) };
  }
  if (!t.clearStaleMetrics && keepStale) transformer.keepStale();
  // on_collision: error, or more than max_series: the run fails as a whole (no truncated output).
  if (transformer.failure) return { ok: false, error: transformer.failure };
  const result = transformer.finish(seriesOwner(t, shard));
  const spec = { name: t.name, type: t.metricType, dynamicNames: t.nameTemplate !== null, states: t.states, buckets: t.buckets };
  const renderKey = JSON.stringify(spec);
  store.put({
    name: t.name,
    help: t.help,
    type: t.metricType,
    ...(t.states ? { stateLabel: t.states.label } : {}),
    series: result.series,
    index: result.index,
    // Steady state: nothing changed since the last run, so its bytes are still right
    // (unless a reload changed how they are rendered: type, states, buckets).
    families: result.unchanged && previous && previous.renderKey === renderKey ? previous.families : renderFamilies(spec, result.series),
    renderKey,
    producedAtMs: Date.now(),
  });
  return { ok: true, result, warnings };
}
