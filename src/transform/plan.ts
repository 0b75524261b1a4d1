import { DEFAULTS } from '../config/defaults.js';
import { labelPlan, type LabelPlan } from '../config/label-plan.js';
import type { TransformationConfig } from '../config/types.js';
import { COLLISIONS, type AccumulatorKind, type CollisionRule } from './accumulate.js';
import { LabelShaper } from './label-shaping.js';
import { compileValueRule, type ValueRule } from './value-rule.js';

/**
 * A transformation compiled once per config: everything a run needs that
 * does not depend on the data, decided here and read by every stage (the
 * value rule, the series keys, the accumulator, the source's projection).
 */
export interface TransformPlan {
  readonly cfg: TransformationConfig;
  /** Which labels an output series carries (config/label-plan.ts). */
  readonly labels: LabelPlan;
  /** No shaping and preserve_labels: the output label names, sorted, the same for every series; null otherwise. */
  readonly fixedNames: readonly string[] | null;
  /** Label shaping, compiled (its regexes); null: none configured. */
  readonly shaper: LabelShaper | null;
  /** Labels the transformation reads (null: all), so sources can ask for less. */
  readonly projection: readonly string[] | null;
  readonly value: ValueRule;
  readonly accumulate: AccumulatorKind;
  /** The on_collision policy of the general path. */
  readonly collision: CollisionRule;
  /** max_series, or the default budget when unset, so no answer can grow a run without bound (docs/operations.md "Limits"). */
  readonly maxSeries: number;
}

/** The label plan of a loaded transformation. */
export function labelPlanOf(cfg: TransformationConfig): LabelPlan {
  return labelPlan({
    metricType: cfg.metricType,
    valueFromLabel: cfg.valueFromLabel,
    preserveLabels: cfg.preserveLabels,
    sourceLabel: cfg.sourceLabel,
    stateLabel: cfg.states?.label,
    dropLabels: cfg.shaping?.dropLabels,
    keepValueLabel: cfg.shaping?.keepValueLabel,
  });
}

/** Without shaping: every output series carries the copied labels and the source label, in this (sorted) order. */
function fixedNames(labels: LabelPlan): string[] | null {
  if (labels.copied === null) return null;
  const set = new Set(labels.copied);
  if (labels.sourceLabel) set.add(labels.sourceLabel);
  return [...set].sort();
}

/** preserve_labels (with the value label for info) but the source label, then the value label and the name's labels. */
function projection(cfg: TransformationConfig): string[] | null {
  if (cfg.preserveLabels === null) return null;
  const read = new Set(cfg.preserveLabels);
  if (cfg.metricType === 'info') read.add(cfg.valueFromLabel);
  const wanted = new Set([...read].sort().filter((l) => l !== cfg.sourceLabel));
  wanted.add(cfg.valueFromLabel);
  for (const part of cfg.nameTemplate ?? []) if (typeof part !== 'string') wanted.add(part.label);
  return [...wanted];
}

function accumulatorKind(cfg: TransformationConfig): AccumulatorKind {
  if (cfg.metricType === 'histogram') return 'histogram';
  return cfg.shaping || cfg.onCollision !== 'max' || cfg.nameTemplate ? 'policy' : 'plain';
}

export function compilePlan(cfg: TransformationConfig): TransformPlan {
  const labels = labelPlanOf(cfg);
  return {
    cfg,
    labels,
    fixedNames: cfg.shaping ? null : fixedNames(labels),
    shaper: cfg.shaping ? new LabelShaper(labels, cfg.shaping) : null,
    projection: projection(cfg),
    value: compileValueRule(cfg),
    accumulate: accumulatorKind(cfg),
    collision: COLLISIONS[cfg.onCollision],
    maxSeries: cfg.maxSeries ?? DEFAULTS.maxSeries,
  };
}

/** Loaded configs are immutable, and a reload makes new ones: one plan per config object. */
const plans = new WeakMap<TransformationConfig, TransformPlan>();

/** The plan of a transformation, compiled at its first use and kept as long as its config. */
export function planFor(cfg: TransformationConfig): TransformPlan {
  let plan = plans.get(cfg);
  if (!plan) {
    plan = compilePlan(cfg);
    plans.set(cfg, plan);
  }
  return plan;
}
