import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelPlan } from '../config/label-plan.js';
import type { LabelShaping } from '../config/types.js';
import { transformationConfig as cfg } from '../../test/support/transformation.js';
import { COLLISIONS } from './accumulate.js';
import { planFor } from './plan.js';

/** Shaping with one static label and nothing else. */
const shaping = (over: Partial<LabelShaping> = {}): LabelShaping => ({
  dropLabels: [],
  relabel: [],
  renameLabels: [],
  staticLabels: [['env', 'p']],
  keepValueLabel: false,
  ...over,
});

test('a plan is compiled once per config object', () => {
  const c = cfg({ preserveLabels: ['node'] });
  assert.equal(planFor(c), planFor(c));
  assert.notEqual(planFor(c), planFor({ ...c }));
});

test('the label plan: preserved, copied, and what all-labels mode leaves out', () => {
  const p = labelPlan({
    metricType: 'info',
    valueFromLabel: 'v',
    preserveLabels: ['b', 'src', 'a', 'gone'],
    sourceLabel: 'src',
    dropLabels: ['gone'],
  });
  assert.deepEqual(p.preserved, ['b', 'src', 'a', 'v']);
  assert.deepEqual(p.copied, ['b', 'a', 'v']);
  assert.equal(p.excludeValue, null);
  const gauge = labelPlan({ metricType: 'stateset', valueFromLabel: 'v', preserveLabels: null, sourceLabel: null, stateLabel: 'state' });
  assert.equal(gauge.preserved, null);
  assert.equal(gauge.excludeValue, 'v');
  assert.equal(gauge.typeLabel, 'state');
  assert.equal(
    labelPlan({ metricType: 'gauge', valueFromLabel: 'v', preserveLabels: [], sourceLabel: null, keepValueLabel: true }).carriesValue,
    true,
  );
});

test('without shaping the output label names are fixed, sorted, with the source label', () => {
  const p = planFor(cfg({ metricType: 'info', preserveLabels: ['node', 'cluster'], sourceLabel: 'from' }));
  assert.deepEqual(p.fixedNames, ['cluster', 'from', 'minor', 'node']);
  assert.deepEqual(p.projection, ['cluster', 'minor', 'node']);
  assert.equal(p.accumulate, 'plain');
  assert.equal(planFor(cfg({ preserveLabels: ['node'], shaping: shaping({ dropLabels: ['x'] }) })).fixedNames, null);
});

test('the accumulator is chosen by the plan', () => {
  assert.equal(planFor(cfg({ onCollision: 'sum' })).accumulate, 'policy');
  assert.equal(planFor(cfg({ shaping: shaping() })).accumulate, 'policy');
  assert.equal(planFor(cfg({ metricType: 'histogram', buckets: [1, 2] })).accumulate, 'histogram');
});

test('on_collision as a table', () => {
  const fold = (policy: keyof typeof COLLISIONS, values: number[]): number | 'error' => {
    const rule = COLLISIONS[policy];
    let kept = rule.first(values[0] as number);
    for (const v of values.slice(1)) {
      if (!rule.merge) return 'error';
      kept = rule.merge(kept, v);
    }
    return kept;
  };
  const values = [3, 1, 5, 2];
  assert.deepEqual(Object.fromEntries((Object.keys(COLLISIONS) as (keyof typeof COLLISIONS)[]).map((p) => [p, fold(p, values)])), {
    first: 3,
    last: 2,
    min: 1,
    max: 5,
    sum: 11,
    count: 4,
    error: 'error',
  });
});
