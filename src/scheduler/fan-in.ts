import type { TransformationConfig } from '../config/types.js';
import type { Logger } from '../logging/logger.js';
import { escapeLabelValue } from '../model/label-text.js';
import type { SourceError } from '../model/errors.js';
import type { SelfMetrics } from '../selfmetrics/self-metrics.js';

/** What a run over several sources tells about each: null it answered, else why it failed and whether its last good series were kept. */
export type SourceResults = ReadonlyMap<string, { readonly error: SourceError; readonly kept: boolean } | null>;

/** What a run asks of the fan-in state: whether a failing source's last good series are still served. */
export interface FanInView {
  keeps(source: string): boolean;
}

/**
 * Whether an output series key belongs to `source`: with several sources every
 * output series carries `label="<source name>"` (set last, nothing overwrites
 * it), so the series of different sources never share a key.
 *
 * Exact on canonical label text: a `"` inside a value is always escaped, so an
 * unescaped `label="` after a comma (or at the start) opens that label's value,
 * and the value ends at the next unescaped `"`.
 */
export function seriesOfSource(label: string, source: string, dynamicNames: boolean): (key: string) => boolean {
  const pair = `${label}="${escapeLabelValue(source)}"`;
  return (key) => {
    const from = dynamicNames ? key.indexOf(' ') + 1 : 0;
    for (let i = key.indexOf(pair, from); i >= 0; i = key.indexOf(pair, i + 1)) {
      const end = i + pair.length;
      if ((i === from || key[i - 1] === ',') && (end === key.length || key[end] === ',')) return true;
    }
    return false;
  };
}

interface SourceState {
  lastSuccessAtMs: number | undefined;
  /** The reason while failing. */
  failing: string | undefined;
  /** Its last good series are no longer served (past max_staleness). */
  dropped: boolean;
}

/**
 * Per-source state of a transformation reading several sources (fan-in): a
 * source that fails keeps its own last good series until its own
 * max_staleness has passed since it last answered; the other sources' series
 * are refreshed meanwhile. Logs once per change of a source's state and keeps
 * `..._transformation_source_up` and its last-success timestamp.
 *
 * Only what a source answered within this job counts: after a reload that
 * changed the transformation, a source that has not answered since is not
 * kept (its old series may no longer fit the new configuration).
 */
export class FanIn implements FanInView {
  private readonly sources = new Map<string, SourceState>();
  private readonly fields: { transformation: string };

  constructor(
    private readonly t: TransformationConfig,
    names: readonly string[],
    private readonly deps: { readonly metrics: SelfMetrics; readonly logger: Logger },
    private readonly clock: () => number = Date.now,
  ) {
    for (const n of names) this.sources.set(n, { lastSuccessAtMs: undefined, failing: undefined, dropped: false });
    this.fields = { transformation: t.name };
    deps.metrics.fanInSources(t.name, names);
  }

  /** The fan-in state of a job: undefined for one source (whose runs are all or nothing). */
  static forJob(
    t: TransformationConfig,
    sources: readonly { readonly name: string }[],
    deps: { readonly metrics: SelfMetrics; readonly logger: Logger },
  ): FanIn | undefined {
    if (sources.length > 1)
      return new FanIn(
        t,
        sources.map((s) => s.name),
        deps,
      );
    deps.metrics.fanInSources(t.name, []);
    return undefined;
  }

  keeps(source: string): boolean {
    const last = this.sources.get(source)?.lastSuccessAtMs;
    return last !== undefined && this.clock() - last <= this.t.maxStalenessSeconds * 1000;
  }

  /** After a run; `results` undefined: the run failed before it could tell (timeout, collision): nothing changes. */
  record(results: SourceResults | undefined, nowMs: number): void {
    if (!results) return;
    for (const [name, result] of results) {
      const s = this.sources.get(name);
      if (!s) continue;
      if (result === null) this.answered(name, s, nowMs);
      else this.failed(name, s, result.error, result.kept, nowMs);
      this.deps.metrics.sourceState(this.t.name, name, result === null, s.lastSuccessAtMs);
    }
  }

  private answered(name: string, s: SourceState, nowMs: number): void {
    if (s.failing !== undefined) this.deps.logger.info({ ...this.fields, source: name }, 'source answered again: its series are refreshed');
    s.lastSuccessAtMs = nowMs;
    s.failing = undefined;
    s.dropped = false;
  }

  private failed(name: string, s: SourceState, error: SourceError, kept: boolean, nowMs: number): void {
    if (s.failing !== error.reason) {
      const what = kept ? 'its last good series are served until max_staleness' : 'none of its series are served';
      this.deps.logger.error(
        { ...this.fields, source: name, reason: error.reason, err: error.message },
        `source failed; ${what}; the other sources' series are still refreshed`,
      );
    }
    s.failing = error.reason;
    if (s.dropped || s.lastSuccessAtMs === undefined || kept) return;
    s.dropped = true;
    this.deps.logger.warn(
      {
        ...this.fields,
        source: name,
        reason: error.reason,
        age_seconds: Math.round((nowMs - s.lastSuccessAtMs) / 1000),
        max_staleness_seconds: this.t.maxStalenessSeconds,
      },
      "source's last good data is older than max_staleness: its series are no longer served",
    );
  }
}
