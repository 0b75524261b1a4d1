import type { TransformationConfig } from '../config/types.js';

/** `group by` pays off from this many raw source series per grouped series (see README "Asking for less"). */
export const PUSHDOWN_MIN_MERGE = 2;
/** One run in this many tries the other way, to notice when the data changed shape. */
export const PUSHDOWN_RECHECK_RUNS = 20;

/**
 * Decides, run by run, whether to ask the source for `group by (<labels>)
 * (<selector>)` instead of the whole series (`pushdown: auto`, the default).
 *
 * Measured (bench/PUSHDOWN.md): grouping is 2.3–3.7× faster when it merges
 * many series (per-cluster outputs of per-node series), but slower when it
 * merges none (one output per node: 1.1–1.4× at 100k, 1.3× at 1M on
 * VictoriaMetrics): the source then aggregates for nothing. Whether it
 * merges is a property of the data, so the advisor measures it: the first
 * run asks for the whole series, the second for the grouped ones, and from
 * then on the cheaper way is used while the raw answer has at least
 * PUSHDOWN_MIN_MERGE times as many series as the grouped one. One run in
 * PUSHDOWN_RECHECK_RUNS goes the other way to re-measure. The output is the
 * same either way (build-query.ts allows pushdown only where it provably is).
 */
export class PushdownAdvisor {
  /** Series in the last answers without and with pushdown. */
  private raw: number | undefined;
  private grouped: number | undefined;
  private runs = 0;

  constructor(private readonly t: Pick<TransformationConfig, 'pushdown' | 'pushdownAlways'>) {}

  /** Whether the next run should push down. */
  use(): boolean {
    if (!this.t.pushdown) return false;
    if (this.t.pushdownAlways) return true;
    if (this.raw === undefined) return false;
    if (this.grouped === undefined) return true;
    const merges = this.raw >= PUSHDOWN_MIN_MERGE * Math.max(1, this.grouped);
    // pushdown: true never gets here, so a grouped failure can only have come from a probe or a re-check.
    const recheck = this.runs % PUSHDOWN_RECHECK_RUNS === PUSHDOWN_RECHECK_RUNS - 1;
    return merges !== recheck;
  }

  /**
   * After a failed run. A failed grouped run (a timeout, a backend that
   * rejects `group by`) counts as "grouping does not pay": the next runs ask
   * for the whole series, and grouping is tried again at the re-check.
   */
  failed(pushedDown: boolean): void {
    this.runs++;
    if (pushedDown) this.grouped = Infinity;
  }

  /** After a successful run: whether it pushed down, and how many series the source answered. */
  record(pushedDown: boolean, sourceSeries: number): void {
    this.runs++;
    if (pushedDown) this.grouped = sourceSeries;
    else this.raw = sourceSeries;
  }
}
