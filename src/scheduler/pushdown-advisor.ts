import type { TransformationConfig } from '../config/types.js';

/** `group by` pays off from this many raw source series per grouped series (see docs/transformations.md "Asking for less"). */
export const PUSHDOWN_MIN_MERGE = 2;
/** One run in this many tries another way, to notice when the data changed shape. */
export const PUSHDOWN_RECHECK_RUNS = 20;

/**
 * How a run asks a query-API source for its series: the plain selector
 * (`none`), `group by (<labels read>) (...)` (`group`), or, on
 * VictoriaMetrics, `label_keep(..., <labels read>)` (`keep`).
 */
export type Projection = 'none' | 'group' | 'keep';

/**
 * Decides, run by run, how to ask the source for less (`pushdown: auto`, the
 * default).
 *
 * Measured (bench/PUSHDOWN.md, bench/RESULTS.md): grouping is 2.3–3.7× faster
 * when it merges many series (per-cluster outputs of per-node series), but
 * slower when it merges none (one output per node: 1.1–1.4× at 100k, 1.3× at
 * 1M on VictoriaMetrics): the source then aggregates for nothing. For that
 * case VictoriaMetrics has `label_keep`, which drops the unread labels
 * without aggregating (1M series: 9.1 s instead of 12.4 s to fetch, our run
 * 12.3–12.8 s instead of 15.5 s), and refuses with an error instead of merging
 * if two series would become equal.
 *
 * Whether grouping merges is a property of the data, so the advisor measures
 * it: the first run asks for the whole series, the second for the grouped
 * ones; from then on it groups while the whole answer has at least
 * PUSHDOWN_MIN_MERGE times as many series as the grouped one, and otherwise
 * uses `label_keep` where it can (else the plain selector). One run in
 * PUSHDOWN_RECHECK_RUNS goes the other way to re-measure. A failed grouped
 * run counts as "grouping does not pay"; a failed `label_keep` run stops
 * `label_keep` for this transformation. The output is the same every way
 * (build-query.ts allows pushdown only where it provably is).
 */
export class PushdownAdvisor {
  /** Series in the last answers without and with grouping. */
  private raw: number | undefined;
  private grouped: number | undefined;
  private keepFailed = false;
  private runs = 0;

  /** `keepAllowed`: every source of the transformation is a VictoriaMetrics query API. */
  constructor(
    private readonly t: Pick<TransformationConfig, 'pushdown' | 'pushdownAlways'>,
    private readonly keepAllowed = false,
  ) {}

  /** How the next run should ask. */
  use(): Projection {
    if (!this.t.pushdown) return 'none';
    if (this.t.pushdownAlways) return 'group';
    if (this.raw === undefined) return 'none';
    if (this.grouped === undefined) return 'group';
    const recheck = this.runs % PUSHDOWN_RECHECK_RUNS === PUSHDOWN_RECHECK_RUNS - 1;
    if (this.raw >= PUSHDOWN_MIN_MERGE * Math.max(1, this.grouped)) return recheck ? 'none' : 'group';
    if (recheck) return 'group';
    return this.keepAllowed && !this.keepFailed ? 'keep' : 'none';
  }

  /** After a failed run that asked this way. */
  failed(projection: Projection): void {
    this.runs++;
    if (projection === 'group') this.grouped = Infinity;
    if (projection === 'keep') this.keepFailed = true;
  }

  /** After a successful run: how it asked, and how many series the source answered. */
  record(projection: Projection, sourceSeries: number): void {
    this.runs++;
    if (projection === 'group') this.grouped = sourceSeries;
    else this.raw = sourceSeries;
  }
}
