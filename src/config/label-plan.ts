import { typeLabel } from '../model/family-names.js';
import type { MetricType } from '../model/series.js';

/**
 * Which labels an output series carries, decided once per transformation: the
 * one home of that rule. Config load checks label shaping against it and the
 * transformer (src/transform/plan.ts) builds every output label set from it.
 *
 * The output label set of a source series, in order (docs/transformations.md "Label shaping"):
 *
 *   preserve_labels (plus the value label for info and keep_value_label)
 *   → drop_labels → relabel (in list order) → rename_labels → static_labels
 *   → source_label.
 *
 * Without preserve_labels every label of the source series is copied except
 * `__name__`, the source_label, the value label (unless carried), the label
 * the metric type adds (`le`, the state label) and dropped ones.
 */
export interface LabelPlan {
  /** The value label is an output label: info series, or `keep_value_label`. */
  readonly carriesValue: boolean;
  /**
   * preserve_labels, plus the value label when carried, minus drop_labels: the
   * labels relabeling starts from (in preserve_labels order). Null: all of the
   * source series' labels (unknown at load).
   */
  readonly preserved: readonly string[] | null;
  /**
   * `preserved` without the source_label, which is set last from the source's
   * name: the labels copied from a source series by name. Null: all of them.
   */
  readonly copied: readonly string[] | null;
  readonly sourceLabel: string | null;
  /** All-labels mode: the value label, left out (null when it is carried). */
  readonly excludeValue: string | null;
  /** All-labels mode: the label the metric type adds (`le`, the state label), left out. */
  readonly typeLabel: string | null;
  readonly drop: ReadonlySet<string>;
}

/** What the label plan depends on: the transformation's settings (config names, or the raw YAML's at load). */
export interface LabelPlanInput {
  readonly metricType: MetricType;
  readonly valueFromLabel: string;
  readonly preserveLabels: readonly string[] | null;
  readonly sourceLabel: string | null;
  readonly stateLabel?: string | undefined;
  readonly dropLabels?: readonly string[] | undefined;
  readonly keepValueLabel?: boolean | undefined;
}

export function labelPlan(t: LabelPlanInput): LabelPlan {
  const carriesValue = t.metricType === 'info' || t.keepValueLabel === true;
  const drop = new Set(t.dropLabels ?? []);
  let preserved: string[] | null = null;
  if (t.preserveLabels !== null) {
    const set = new Set(t.preserveLabels);
    if (carriesValue) set.add(t.valueFromLabel);
    preserved = [...set].filter((l) => !drop.has(l));
  }
  return {
    carriesValue,
    preserved,
    copied: preserved && preserved.filter((l) => l !== t.sourceLabel),
    sourceLabel: t.sourceLabel,
    excludeValue: carriesValue ? null : t.valueFromLabel,
    typeLabel: typeLabel(t.metricType, t.stateLabel),
    drop,
  };
}
