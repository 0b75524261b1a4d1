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
import { seriesOfSource, type FanInView, type SourceResults } from './fan-in.js';

export type RunOutcome =
  | { readonly ok: true; readonly result: TransformResult; readonly warnings: readonly string[]; readonly sources?: SourceResults }
  | { readonly ok: false; readonly error: SourceError; readonly sources?: SourceResults };

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
 * Nothing is written to the store unless the whole run succeeded — or, with
 * several sources (fan-in), at least one of them answered: a failing source's
 * series are then its last good ones (see collectFanIn).
 *
 * Everything after the source's answer (keeping stale series, sorting,
 * comparing, rendering) is cooperative work that yields to the event loop
 * every few ms and stops when `signal` aborts; the store is touched only at
 * the very end, in one synchronous step, so a scrape never sees part of a run
 * and an aborted run leaves the last good data as it was.
 */
/** How one run is done, beyond what, from where, into which store, until when. */
export interface RunOptions {
  /** Keep unseen series of earlier runs (clear_stale_metrics: false) — of this job only, not of a job replaced on reload. Default true. */
  readonly keepStale?: boolean;
  /** `--shard.*`: a `shard_by: series` transformation keeps only this replica's output series. Default: the whole. */
  readonly shard?: Shard | undefined;
  /** How to ask for less this run (where allowed): see PushdownAdvisor. Default: `group` when pushdown is on. */
  readonly projection?: Projection;
  /** Several sources: a failing one keeps its last good series while this says so; the others are refreshed. Absent: all or nothing. */
  readonly fanInView?: FanInView | undefined;
}

export async function runTransformation(
  t: TransformationConfig,
  sources: readonly Source[],
  store: SnapshotStore,
  signal: AbortSignal,
  options: RunOptions = {},
): Promise<RunOutcome> {
  const { keepStale = true, shard = WHOLE, projection = t.pushdown ? 'group' : 'none', fanInView } = options;
  const previous = store.get(t.name);
  const transformer = new Transformer(t, previous);
  const warnings: string[] = [];
  const query = {
    metric: t.sourceMetric,
    filter: t.queryFilter,
    labels: transformer.projection(),
    json: t.json,
    expr: t.query,
    pushdown: projection === 'group',
    keep: projection === 'keep',
  };
  // on_collision: error, max_series or max_names: the run fails as a whole (no
  // truncated output) at the first series too many, and the source stops reading.
  const sink: SeriesSink = (labels, value) => {
    transformer.add(labels, value);
    if (transformer.failure) throw transformer.failure;
  };
  try {
    const fanIn =
      sources.length > 1 && fanInView
        ? await collectFanIn(t, sources, transformer, query, sink, signal, fanInView, previous !== undefined)
        : undefined;
    if (fanIn?.error) return { ok: false, error: fanIn.error, sources: fanIn.results };
    warnings.push(...(fanIn ? fanIn.warnings : await collectAll(sources, transformer, query, sink, signal)));
    if (transformer.sourceSeries === 0) {
      // Most often a broken query or a source that lost its data: keep the last
      // good series (until max_staleness) rather than wipe them.
      const error = new SourceError(
        'empty_result',
        `the source returned no series for ${t.query ?? `${t.sourceMetric}${t.queryFilter ? `{${t.queryFilter}}` : ''}`}`,
      );
      return { ok: false, error, ...(fanIn ? { sources: fanIn.results } : {}) };
    }
    // A failing source's last good series, while fresh enough (fan-in); with
    // clear_stale_metrics: false, unseen series except those past their source's staleness.
    for (const keep of fanIn?.keep ?? []) await runSliced(transformer.keepStaleSteps(keep), signal);
    if (!t.clearStaleMetrics && keepStale) await runSliced(transformer.keepStaleSteps(fanIn?.unexpired), signal);
    if (transformer.failure) return { ok: false, error: transformer.failure };
    const result = await runSliced(transformer.finishSteps(seriesOwner(t, shard)), signal);
    const spec = { name: t.name, type: t.metricType, dynamicNames: t.nameTemplate !== null, states: t.states, buckets: t.buckets };
    const renderKey = JSON.stringify(spec);
    // Steady state: nothing changed since the last run, so its bytes are still right
    // (unless a reload changed how they are rendered: type, states, buckets).
    const families =
      result.unchanged && previous && previous.renderKey === renderKey
        ? previous.families
        : await runSliced(renderSteps(spec, result.series), signal);
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
      shape: spec,
      renderKey,
      producedAtMs: Date.now(),
    });
    return { ok: true, result, warnings, ...(fanIn ? { sources: fanIn.results } : {}) };
  } catch (e) {
    return { ok: false, error: asSourceError(e instanceof RunAborted ? e.inner : e, signal) };
  }
}

/** Every source must answer: the first failure fails the run (one source, or fan-in without per-source state). */
async function collectAll(
  sources: readonly Source[],
  transformer: Transformer,
  query: Parameters<Source['collect']>[0],
  sink: SeriesSink,
  signal: AbortSignal,
): Promise<string[]> {
  const warnings: string[] = [];
  for (const source of sources) {
    transformer.useSource(source.name);
    const outcome = await source.collect(query, sink, signal);
    warnings.push(...outcome.warnings.map((w) => (sources.length > 1 ? `${source.name}: ${w}` : w)));
  }
  return warnings;
}

/** An error answer about the query itself (4xx other than 429, or an error envelope). */
function refused(e: SourceError): boolean {
  return e.reason === 'error_envelope' || (e.status !== undefined && e.status >= 400 && e.status < 500 && e.status !== 429);
}

/**
 * One source of a fan-in run. A failure of the source itself takes out what
 * it added; a stop, a deadline or a failure of the whole run (on_collision:
 * error, max_series) is thrown on as something else than a SourceError of
 * the source. A source refusing the projected query (group by, label_keep) is
 * asked at once the plain way, as the job does for a single source: the other
 * sources' answers are not given up for it.
 */
async function askSource(
  source: Source,
  transformer: Transformer,
  query: Parameters<Source['collect']>[0],
  sink: SeriesSink,
  signal: AbortSignal,
): Promise<Awaited<ReturnType<Source['collect']>>> {
  for (let plain = !(query.pushdown || query.keep); ; plain = true) {
    try {
      return await source.collect(plain ? { ...query, pushdown: false, keep: false } : query, sink, signal);
    } catch (e) {
      if (signal.aborted || transformer.failure) throw new RunAborted(e);
      if (!(e instanceof SourceError)) throw e;
      await runSliced(transformer.dropSourceSteps(), signal);
      if (plain || !refused(e)) throw e;
    }
  }
}

/** Not a failure of one source: the whole run stops (unwrapped by runTransformation). */
class RunAborted extends Error {
  constructor(readonly inner: unknown) {
    super('run aborted');
  }
}

interface FanInCollected {
  readonly results: SourceResults;
  readonly warnings: readonly string[];
  /** Every source failed: the run fails as a whole. */
  readonly error?: SourceError;
  /** Per failing source still within max_staleness: which previous series to keep. */
  readonly keep: ReadonlyArray<(key: string) => boolean>;
  /** clear_stale_metrics: false: which unseen previous series may be kept (not those of a failing source past max_staleness). */
  readonly unexpired: ((key: string) => boolean) | undefined;
}

/**
 * Asks every source in turn. A source that fails (its own error, not a stop,
 * a deadline or a failure of the run such as on_collision: error) has what it
 * added so far taken out again, and the run goes on with the next one.
 */
async function collectFanIn(
  t: TransformationConfig,
  sources: readonly Source[],
  transformer: Transformer,
  query: Parameters<Source['collect']>[0],
  sink: SeriesSink,
  signal: AbortSignal,
  view: FanInView,
  hasPrevious: boolean,
): Promise<FanInCollected> {
  const results = new Map<string, { error: SourceError; kept: boolean } | null>();
  const warnings: string[] = [];
  const keep: Array<(key: string) => boolean> = [];
  const expired: Array<(key: string) => boolean> = [];
  const label = t.sourceLabel ?? 'source';
  for (const source of sources) {
    transformer.useSource(source.name);
    try {
      const outcome = await askSource(source, transformer, query, sink, signal);
      warnings.push(...outcome.warnings.map((w) => `${source.name}: ${w}`));
      results.set(source.name, null);
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
      const kept = view.keeps(source.name);
      results.set(source.name, { error: e, kept });
      (kept ? keep : expired).push(seriesOfSource(label, source.name, t.nameTemplate !== null));
    }
  }
  const failed = [...results].filter((r): r is [string, { error: SourceError; kept: boolean }] => r[1] !== null);
  if (failed.length === sources.length) {
    const first = (failed[0] as [string, { error: SourceError }])[1].error;
    const error = new SourceError(first.reason, `every source failed: ${failed.map(([n, r]) => `${n}: ${r.error.message}`).join('; ')}`, {
      cause: first,
      ...(first.status !== undefined ? { status: first.status } : {}),
    });
    // Nothing is swapped in: the last good data of all of them stays (until the transformation's max_staleness).
    for (const [n, r] of failed) results.set(n, { error: r.error, kept: hasPrevious });
    return { results, warnings, error, keep: [], unexpired: undefined };
  }
  return { results, warnings, keep, unexpired: expired.length === 0 ? undefined : (key) => !expired.some((f) => f(key)) };
}
