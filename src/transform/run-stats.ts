import type { SourceError } from '../model/errors.js';
import type { LabelSet } from '../model/series.js';
import { flat } from './labels.js';

/**
 * Why a source series produced no output series; a label value of a
 * self-metric. The core's reasons, or a `value:` parser's (`not_a_version`,
 * `no_match`, ...).
 */
export type SkipReason = 'empty_label' | 'missing_label' | 'unparseable' | (string & {});

const MAX_EXAMPLES = 3;
/** Label names collected from series missing the value label: from this many series, at most MAX_NAMES names. */
const NAME_SAMPLE_SERIES = 20;
const MAX_NAMES = 50;

/** What `mark` saved: the counts a failing source's series are taken out of again (see Transformer.useSource). */
export interface StatsMark {
  readonly sourceSeries: number;
  readonly defaulted: number;
  readonly collisions: number;
  readonly missingValueLabel: number;
  readonly skipped: ReadonlyMap<SkipReason, number>;
  readonly defaultedBy: ReadonlyMap<SkipReason, number>;
  readonly examples: ReadonlyMap<SkipReason, readonly string[]>;
  /** namesSeen is insertion-ordered: its first `namesSeen` entries are those from before the mark. */
  readonly namesSeen: number;
}

/** The counts of one run (skips, defaults, collisions, examples) and why it must fail, if it must. */
export class RunStats {
  sourceSeries = 0;
  defaulted = 0;
  /** Source series whose output label set was already taken. */
  collisions = 0;
  missingValueLabel = 0;
  /** Why this run must fail (on_collision: error, max_series, max_names); further series are ignored. */
  failed: SourceError | null = null;
  readonly skipped = new Map<SkipReason, number>();
  readonly examples = new Map<SkipReason, string[]>();
  readonly defaultedBy = new Map<SkipReason, number>();
  /** Insertion-ordered, bounded: see NAME_SAMPLE_SERIES. */
  readonly namesSeen = new Set<string>();

  /** A series without the value label: counted, and the first few lend their label names to the "did you mean". */
  noteMissing(labels: LabelSet): void {
    if (this.missingValueLabel++ >= NAME_SAMPLE_SERIES || this.namesSeen.size >= MAX_NAMES) return;
    for (const n in labels) {
      if (n === '__name__' || !Object.hasOwn(labels, n) || labels[n] === undefined) continue;
      this.namesSeen.add(flat(n));
      if (this.namesSeen.size >= MAX_NAMES) return;
    }
  }

  countDefault(reason: SkipReason, raw: string): void {
    this.defaulted++;
    this.defaultedBy.set(reason, (this.defaultedBy.get(reason) ?? 0) + 1);
    this.example(reason, raw);
  }

  skip(reason: SkipReason, raw: string): void {
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + 1);
    this.example(reason, raw);
  }

  private example(reason: SkipReason, raw: string): void {
    const ex = this.examples.get(reason) ?? [];
    if (ex.length < MAX_EXAMPLES && !ex.includes(raw)) ex.push(raw);
    this.examples.set(reason, ex);
  }

  mark(): StatsMark {
    return {
      sourceSeries: this.sourceSeries,
      defaulted: this.defaulted,
      collisions: this.collisions,
      missingValueLabel: this.missingValueLabel,
      skipped: new Map(this.skipped),
      defaultedBy: new Map(this.defaultedBy),
      namesSeen: this.namesSeen.size,
      examples: new Map([...this.examples].map(([k, v]) => [k, [...v]])),
    };
  }

  restore(m: StatsMark): void {
    this.sourceSeries = m.sourceSeries;
    this.defaulted = m.defaulted;
    this.collisions = m.collisions;
    this.missingValueLabel = m.missingValueLabel;
    this.skipped.clear();
    for (const [k, v] of m.skipped) this.skipped.set(k, v);
    this.defaultedBy.clear();
    for (const [k, v] of m.defaultedBy) this.defaultedBy.set(k, v);
    let i = 0;
    for (const name of [...this.namesSeen]) if (++i > m.namesSeen) this.namesSeen.delete(name);
    this.examples.clear();
    for (const [k, v] of m.examples) this.examples.set(k, [...v]);
  }
}
