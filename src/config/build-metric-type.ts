import { METRIC_TYPES } from '../model/metric-types.js';
import type { BuildContext } from './build-source.js';
import { DEFAULTS } from './defaults.js';
import type { PathSegment } from './locate.js';
import { isValidLabelName, NAME_PLACEHOLDER_RE } from './names.js';
import type { RawTransformation } from './schema.js';
import type { NameTemplate, StateSetConfig } from './types.js';

/** What the metric type and a dynamic name add to a transformation (docs/transformations.md "Metric types", "Dynamic names"). */
export interface MetricTypeParts {
  readonly states: StateSetConfig | null;
  readonly buckets: readonly number[] | null;
  readonly nameTemplate: NameTemplate | null;
  readonly maxNames: number;
}

/** `a_{{x}}_b` → `['a_', {label: 'x'}, '_b']`; null for a plain name. */
export function parseNameTemplate(name: string): NameTemplate | null {
  if (!name.includes('{{')) return null;
  const parts: Array<string | { label: string }> = [];
  let last = 0;
  for (const m of name.matchAll(NAME_PLACEHOLDER_RE)) {
    if (m.index > last) parts.push(name.slice(last, m.index));
    parts.push({ label: m[1] ?? '' });
    last = m.index + m[0].length;
  }
  if (last < name.length) parts.push(name.slice(last));
  return parts;
}

function checkStates(
  ctx: BuildContext,
  t: RawTransformation,
  at: (...p: PathSegment[]) => PathSegment[],
  stateset: boolean,
): StateSetConfig | null {
  if (!stateset) {
    if (t.states) ctx.problems.add(at('states'), 'states: is only for metric_type: stateset');
    if (t.state_label) ctx.problems.add(at('state_label'), 'state_label: is only for metric_type: stateset');
    return null;
  }
  if (!t.states) {
    ctx.problems.add(at('metric_type'), 'a stateset needs states: the list of values the label can take');
    return null;
  }
  const values = t.states;
  values.forEach((v, k) => {
    if (values.indexOf(v) !== k) ctx.problems.add(at('states', k), `state "${v}" is listed twice`);
  });
  if (t.value) ctx.problems.add(at('value'), 'a stateset matches the label value against states: a value parser does not apply');
  if (t.default_value !== undefined)
    ctx.problems.add(at('default_value'), 'a stateset has no default: a value that is not one of states is skipped (reason unknown_state)');
  if (t.on_collision === 'sum' || t.on_collision === 'count')
    ctx.problems.add(
      at('on_collision'),
      `a stateset keeps one state per series: on_collision must be first, last, min, max or error, not ${t.on_collision}`,
    );
  if (t.keep_value_label)
    ctx.problems.add(at('keep_value_label'), 'a stateset already names the value in its state label: keep_value_label does not apply');
  // OpenMetrics names the state label after the metric; a name with ':' or {{...}} is no label name.
  const label = t.state_label ?? (isValidLabelName(t.name) ? t.name : 'state');
  return { values, label };
}

function checkBuckets(
  ctx: BuildContext,
  t: RawTransformation,
  at: (...p: PathSegment[]) => PathSegment[],
  histogram: boolean,
): readonly number[] | null {
  if (!histogram) {
    if (t.buckets) ctx.problems.add(at('buckets'), 'buckets: is only for metric_type: histogram');
    return null;
  }
  if (!t.buckets) {
    ctx.problems.add(at('metric_type'), 'a histogram needs buckets: the upper bounds of its buckets, e.g. [1, 5, 10]');
    return null;
  }
  const b = t.buckets;
  // OpenMetrics: a histogram with _sum has no negative buckets (and no negative observations).
  b.forEach((v, k) => {
    if (v < 0)
      ctx.problems.add(
        at('buckets', k),
        `bucket bounds cannot be negative (got ${v}): OpenMetrics histograms with a _sum observe values >= 0`,
      );
  });
  for (let k = 1; k < b.length; k++) {
    if (!((b[k] as number) > (b[k - 1] as number)))
      ctx.problems.add(at('buckets', k), `bucket bounds must increase: ${b[k]} follows ${b[k - 1]}`);
  }
  if (t.on_collision !== undefined)
    ctx.problems.add(at('on_collision'), 'a histogram counts every source series with the same labels: on_collision does not apply');
  if (t.keep_value_label)
    ctx.problems.add(at('keep_value_label'), 'a histogram aggregates values: keep_value_label would make each value its own series');
  return b;
}

/** Checks the keys of the metric types and dynamic names, and builds their typed parts. */
export function buildMetricType(ctx: BuildContext, t: RawTransformation, path: PathSegment[]): MetricTypeParts {
  const at = (...rest: PathSegment[]): PathSegment[] => [...path, ...rest];
  const entry = METRIC_TYPES[t.metric_type ?? DEFAULTS.metricType];
  const states = checkStates(ctx, t, at, entry.parameter === 'states');
  const buckets = checkBuckets(ctx, t, at, entry.parameter === 'buckets');
  const reserved = entry.typeLabel(states?.label);
  if (reserved) {
    const why = entry.reservedWhy(reserved);
    (t.preserve_labels ?? []).forEach((l, k) => {
      if (l === reserved) ctx.problems.add(at('preserve_labels', k), `${why}: it cannot also be preserved`);
    });
    if (t.static_labels?.has(reserved)) ctx.problems.add(at('static_labels', reserved), `${why}: it cannot also be a static label`, true);
    for (const [from, to] of t.rename_labels ?? [])
      if (to === reserved) ctx.problems.add(at('rename_labels', from), `${why}: no label may be renamed to it`);
    (t.relabel ?? []).forEach((r, k) => {
      if ((r.target_label ?? r.source_label) === reserved) ctx.problems.add(at('relabel', k), `${why}: relabel may not write it`);
    });
    if (t.source_label === reserved) ctx.problems.add(at('source_label'), `${why}: it cannot also be the source_label`);
  }
  if (entry.minDefault && t.default_value !== undefined && t.default_value < entry.minDefault.value) {
    ctx.problems.add(at('default_value'), entry.minDefault.message);
  }
  const nameTemplate = parseNameTemplate(t.name);
  if (!nameTemplate && t.max_names !== undefined)
    ctx.problems.add(at('max_names'), 'max_names: is only for a dynamic name ({{label}} in name)');
  return { states, buckets, nameTemplate, maxNames: t.max_names ?? DEFAULTS.maxNames };
}
