import type { JsonMapping } from '../config/types.js';
import type { SeriesSink } from '../model/series.js';

/** What a transformation asks a source for. */
export interface SourceQuery {
  readonly metric: string;
  /** The inside of `{...}`, as written in `query_filter` (may be empty). */
  readonly filter: string;
  /**
   * The only labels the transformation reads, or null for all of them. A
   * source may return just these (it must return all of them it has).
   */
  readonly labels: readonly string[] | null;
  /** For JSON sources: the transformation's record mapping. */
  readonly json?: JsonMapping | null;
  /** Query-API sources: the user's `query:`, sent as written instead of `metric{filter}`. */
  readonly expr?: string | null;
  /**
   * Query-API sources: series equal on every one of `labels` may be merged
   * into one (the transformation proved it gives the same result), so the
   * source may be asked `group by (<labels>) (...)`. docs/transformations.md "Asking for less".
   */
  readonly pushdown?: boolean;
  /**
   * VictoriaMetrics sources: ask for `label_keep(<selector>, <labels read>)`,
   * the same series with only the labels read (VictoriaMetrics refuses with an
   * error, rather than merge, when that makes two series equal).
   */
  readonly keep?: boolean;
}

export interface CollectOutcome {
  /** Warnings the source returned alongside a successful answer. */
  readonly warnings: readonly string[];
}

/**
 * A place series come from. Implementations feed every matching series to
 * `sink` and resolve when the answer was complete and valid; on any problem
 * they throw a `SourceError` (the caller then discards what the sink got).
 */
export interface Source {
  readonly name: string;
  /** Its kind's name (`type:`); capabilities are looked up by it (kinds/index.ts), never compared with a literal. */
  readonly type: string;
  /** Understands `keep` (a VictoriaMetrics query API that allows pushdown). */
  readonly labelKeep?: boolean;
  collect(query: SourceQuery, sink: SeriesSink, signal: AbortSignal): Promise<CollectOutcome>;
  close(): Promise<void>;
}

/** Told about every request a source makes, for our own metrics. */
export interface SourceObserver {
  request(source: string, code: string, seconds: number): void;
}

/** `metric{filter}` or just `metric`. */
export function selectorText(q: SourceQuery): string {
  return q.filter === '' ? q.metric : `${q.metric}{${q.filter}}`;
}
