import type { LabelPlan } from '../config/label-plan.js';
import type { LabelShaping, RelabelRule, ReplacementPart } from '../config/types.js';
import { labelText } from '../model/label-text.js';
import type { LabelSet } from '../model/series.js';
import { ownLabel } from './labels.js';

/**
 * Label shaping (docs/transformations.md "Label shaping"): the output label set of a source
 * series is built in this order:
 *
 *   preserve (plus the value label for info and `keep_value_label`)
 *   → drop_labels → relabel (in list order) → rename_labels → static_labels
 *   → source_label.
 *
 * (which labels the first step copies: config/label-plan.ts). Only used when a
 * transformation configures shaping: the transformer's plain path is untouched
 * otherwise. Everything is compiled once per transformation (its plan); per
 * series the work is done on two reused arrays, which is safe to share between
 * runs because `text` runs to its end synchronously.
 */

/** A rule ready to run: the regex anchored at both ends, like Prometheus relabeling. */
interface CompiledRelabel {
  readonly source: string;
  readonly target: string;
  readonly re: RegExp;
  readonly parts: readonly ReplacementPart[];
}

/** The config's rules were validated and their replacements parsed at load. */
function compileRelabel(rule: RelabelRule): CompiledRelabel {
  return { source: rule.sourceLabel, target: rule.targetLabel, re: new RegExp(`^(?:${rule.regex})$`), parts: rule.expansion };
}

function expand(parts: readonly ReplacementPart[], m: RegExpExecArray): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') out += p;
    else if (typeof p === 'number') out += m[p] ?? '';
    else out += m.groups?.[p.group] ?? '';
  }
  return out;
}

/** Builds the output label text of one source series under a transformation's shaping. */
export class LabelShaper {
  /** Labels copied from the source (null: all but the excluded), already minus dropped ones. */
  private readonly preserve: readonly string[] | null;
  private readonly drop: ReadonlySet<string>;
  private readonly rules: readonly CompiledRelabel[];
  private readonly rename: ReadonlyMap<string, string>;
  private readonly statics: ReadonlyArray<readonly [string, string]>;
  private readonly sourceLabel: string | null;
  /** All-labels mode: the value label is left out (gauges without keep_value_label). */
  private readonly excludeValue: string | null;
  /** All-labels mode: the label the metric type adds (`le`, the state label) is left out too. */
  private readonly typeLabel: string | null;
  // The working label set: names[i] = values[i]; '' names are removed slots.
  private readonly names: string[] = [];
  private readonly values: string[] = [];
  private len = 0;

  constructor(plan: LabelPlan, shaping: LabelShaping) {
    this.drop = plan.drop;
    this.sourceLabel = plan.sourceLabel;
    this.preserve = plan.copied;
    this.excludeValue = plan.excludeValue;
    this.typeLabel = plan.typeLabel;
    this.rules = shaping.relabel.map(compileRelabel);
    this.rename = new Map(shaping.renameLabels);
    this.statics = shaping.staticLabels;
  }

  private find(name: string): number {
    const names = this.names;
    for (let i = 0; i < this.len; i++) if (names[i] === name) return i;
    return -1;
  }

  private set(name: string, value: string): void {
    const i = this.find(name);
    if (i >= 0) this.values[i] = value;
    else {
      this.names[this.len] = name;
      this.values[this.len] = value;
      this.len++;
    }
  }

  /** The output label text (sorted, escaped) of `labels`; `source` is the `source_label` value. */
  text(labels: LabelSet, source: string): string {
    const names = this.names;
    const values = this.values;
    this.len = 0;
    // preserve → drop
    if (this.preserve) {
      for (const n of this.preserve) this.set(n, ownLabel(labels, n) ?? '');
    } else {
      for (const n in labels) {
        const v = ownLabel(labels, n);
        if (
          v === undefined ||
          n === '__name__' ||
          n === this.sourceLabel ||
          n === this.excludeValue ||
          n === this.typeLabel ||
          this.drop.has(n)
        )
          continue;
        this.set(n, v);
      }
    }
    // relabel: a non-matching value leaves the target unchanged; an empty result removes it.
    for (const r of this.rules) {
      const i = this.find(r.source);
      const m = r.re.exec(i >= 0 ? (values[i] as string) : '');
      if (m !== null) this.set(r.target, expand(r.parts, m));
    }
    // rename: the renamed label replaces one of the same name (no chains: checked at load).
    if (this.rename.size > 0) {
      for (let i = 0; i < this.len; i++) {
        const to = this.rename.get(names[i] as string);
        if (to === undefined) continue;
        const j = this.find(to);
        if (j >= 0) {
          names[j] = '';
          values[j] = '';
        }
        names[i] = to;
      }
    }
    // static, then the source label: both overwrite.
    for (const [n, v] of this.statics) this.set(n, v);
    if (this.sourceLabel) this.set(this.sourceLabel, source);
    // Sort the pairs by name (insertion sort: label sets are small).
    for (let i = 1; i < this.len; i++) {
      const n = names[i] as string;
      const v = values[i] as string;
      let j = i - 1;
      while (j >= 0 && (names[j] as string) > n) {
        names[j + 1] = names[j] as string;
        values[j + 1] = values[j] as string;
        j--;
      }
      names[j + 1] = n;
      values[j + 1] = v;
    }
    names.length = this.len;
    values.length = this.len;
    return labelText(names, values);
  }
}
