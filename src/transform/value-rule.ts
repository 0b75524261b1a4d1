import type { CompiledValue, TransformationConfig } from '../config/types.js';
import type { LabelSet } from '../model/series.js';
import { parseLenientNumber } from '../parsers/lenient-number.js';
import { ownLabel } from './labels.js';
import type { RunStats, SkipReason } from './run-stats.js';

/**
 * The sample value of one source series, or undefined when it is skipped
 * (counted in `stats`, as a default is). Chosen once per transformation by
 * compileValueRule, so a run does not re-decide the metric type per series.
 */
export type ValueRule = (labels: LabelSet, stats: RunStats) => number | undefined;

/** The number in a non-empty label value, or why there is none. */
function numberRule(value: CompiledValue | null): (raw: string) => number | SkipReason {
  if (!value) return (raw) => parseLenientNumber(raw) ?? 'unparseable';
  const parse = value.parse;
  return (raw) => {
    const r = parse(raw);
    return r.ok ? r.value : r.reason;
  };
}

/** The value of a non-empty label value, per metric type. */
function presentRule(cfg: TransformationConfig): (raw: string, stats: RunStats) => number | undefined {
  if (cfg.metricType === 'info') return () => 1;
  const states = cfg.states;
  if (states) {
    return (raw, stats) => {
      const i = states.values.indexOf(raw);
      if (i >= 0) return i;
      stats.skip('unknown_state', raw);
      return undefined;
    };
  }
  const parse = numberRule(cfg.value);
  const fallback = cfg.defaultValue;
  const counter = cfg.metricType === 'counter';
  return (raw, stats) => {
    const parsed = parse(raw);
    let value: number;
    if (typeof parsed === 'string') {
      if (fallback === null) {
        stats.skip(parsed, raw);
        return undefined;
      }
      stats.countDefault(parsed, raw);
      value = fallback;
    } else value = parsed;
    if (counter && !(value >= 0)) {
      stats.skip('not_a_counter_value', raw);
      return undefined;
    }
    return value;
  };
}

/**
 * The docs/transformations.md's "Transformation semantics": a missing or empty value label
 * gives `default_value` (info series: 1) unless skip_empty_labels; a value is
 * 1 for info, the state's index for a stateset, else the parsed number
 * (`default_value` when unparseable); counters refuse negative values.
 */
export function compileValueRule(cfg: TransformationConfig): ValueRule {
  const label = cfg.valueFromLabel;
  const info = cfg.metricType === 'info';
  // Only info series carry no number: every other type needs default_value (a stateset has none).
  const skipMissing = cfg.skipEmptyLabels || (!info && cfg.defaultValue === null);
  const fallback = info ? 1 : (cfg.defaultValue as number);
  const present = presentRule(cfg);
  return (labels, stats) => {
    const raw = ownLabel(labels, label);
    if (raw !== undefined && raw !== '') return present(raw, stats);
    const reason: SkipReason = raw === undefined ? 'missing_label' : 'empty_label';
    if (raw === undefined) stats.noteMissing(labels);
    if (skipMissing) {
      stats.skip(reason, raw ?? '');
      return undefined;
    }
    if (!info) stats.countDefault(reason, raw ?? '');
    return fallback;
  };
}
