import type { TransformationConfig } from '../config/types.js';
import { SourceError } from '../model/errors.js';
import { renderSteps } from '../exposition/render.js';
import { DeadlineExceeded } from '../model/deadline.js';
import type { SeriesSink } from '../model/series.js';
import { runSliced } from '../model/time-slice.js';
import type { SnapshotStore } from '../snapshot/store.js';
import type { Source } from '../sources/source.js';
import { Transformer, type TransformResult } from '../transform/transformer.js';
import type { Projection } from './pushdown-advisor.js';
import { seriesOwner, WHOLE, type Shard } from '../transform/shard.js';

export type RunOutcome =
  | { readonly ok: true; readonly result: TransformResult; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly error: SourceError };

function asSourceError(e: unknown, signal: AbortSignal): SourceError {
  if (e instanceof SourceError) return e;
  if (signal.aborted && e === signal.reason) {
    // A deadline names itself; anything else is a stop or a reload.
    const why = e instanceof DeadlineExceeded ? e.message : 'the run was stopped (reload or shutdown)';
    return new SourceError('timeout', `${why} before the run finished; nothing of it is served`, { cause: e });
  }
  return new SourceError('bad_response', `unexpected error: ${(e as Error)?.message ?? String(e)}`, { cause: e });
}

/**
 * One run of one transformation: query the source, transform every series
 * as it arrives, render, and swap the new family into the store in one step.
 * Nothing is written to the store unless the whole run succeeded.
 *
 * Everything after the source's answer (keeping stale series, sorting,
 * comparing, rendering) is cooperative work that yields to the event loop
 * every few ms and stops when `signal` aborts; the store is touched only at
 * the very end, in one synchronous step, so a scrape never sees part of a run
 * and an aborted run leaves the last good data as it was.
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
  // on_collision: error, max_series or max_names: the run fails as a whole (no
  // truncated output) at the first series too many, and the source stops reading.
  const sink: SeriesSink = (labels, value) => {
    transformer.add(labels, value);
    if (transformer.failure) throw transformer.failure;
  };
  try {
    // Several sources (fan-in): all must answer, so a run is still all or nothing.
    for (const source of sources) {
      transformer.useSource(source.name);
      const outcome = await source.collect(query, sink, signal);
      warnings.push(...outcome.warnings.map((w) => (sources.length > 1 ? `${source.name}: ${w}` : w)));
    }
    if (transformer.sourceSeries === 0) {
      // Most often a broken query or a source that lost its data: keep the last
      // good series (until max_staleness) rather than wipe them.
      return { ok: false, error: new SourceError('empty_result', `the source returned no series for ${t.query ?? `${t.sourceMetric}${t.queryFilter ? `{${t.queryFilter}}` : ''}`}`) };
    }
    if (!t.clearStaleMetrics && keepStale) await runSliced(transformer.keepStaleSteps(), signal);
    if (transformer.failure) return { ok: false, error: transformer.failure };
    const result = await runSliced(transformer.finishSteps(seriesOwner(t, shard)), signal);
    const spec = { name: t.name, type: t.metricType, dynamicNames: t.nameTemplate !== null, states: t.states, buckets: t.buckets };
    const renderKey = JSON.stringify(spec);
    // Steady state: nothing changed since the last run, so its bytes are still right
    // (unless a reload changed how they are rendered: type, states, buckets).
    const families = result.unchanged && previous && previous.renderKey === renderKey ? previous.families : await runSliced(renderSteps(spec, result.series), signal);
    // The last pause may have seen a stop or a reload: then nothing is swapped in.
    signal.throwIfAborted();
    store.put({
      name: t.name,
      help: t.help,
      type: t.metricType,
      ...(t.states ? { stateLabel: t.states.label } : {}),
      series: result.series,
      index: result.index,
      families,
      renderKey,
      producedAtMs: Date.now(),
    });
    return { ok: true, result, warnings };
  } catch (e) {
    return { ok: false, error: asSourceError(e, signal) };
  }
}
