import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFull, decodeProjected } from './vector-element.js';

const KEYS = ['cluster', 'node', 'minor', 'absent'];
const PATTERNS = KEYS.map((k) => `"${k}":"`);

function project(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(KEYS.filter((k) => k in labels).map((k) => [k, labels[k] as string]));
}

const METRICS: Array<Record<string, string>> = [
  { __name__: 'kube_node_info', cluster: 'prod', node: 'worker-1', minor: '28' },
  { cluster: 'a"b', node: 'back\\slash', minor: 'x\ny\tz' },
  { cluster: '"node":"fake"', node: '},"value":[1,"9"]', minor: '\\"minor\\":\\"' },
  { node_pool: 'p', nodes: 'n', cluster_id: 'c', minor: '' },
  { cluster: 'nœud-節點 ✓ \u2028', node: '\ud83d\ude00' },
  {},
];

test('the projected decoder agrees with JSON.parse on every element', () => {
  for (const metric of METRICS) {
    for (const value of [
      [1700000000.5, '1'],
      [1, 'NaN'],
      [1, '+Inf'],
      [1, '-2.5e3'],
    ] as const) {
      const json = JSON.stringify({ metric, value });
      const full = decodeFull(json);
      const fast = decodeProjected(json, KEYS, PATTERNS);
      const present = Object.fromEntries(Object.entries(fast.labels).filter(([, v]) => v !== undefined));
      assert.deepEqual(present, project(full.labels as Record<string, string>), json);
      assert.ok(Object.is(fast.value, full.value), json);
    }
  }
});

test('unexpected layouts fall back to the full decoder', () => {
  const pretty = JSON.stringify({ metric: { cluster: 'p' }, value: [1, '3'] }, null, 2);
  assert.deepEqual(decodeProjected(pretty, KEYS, PATTERNS).labels, { cluster: 'p' });
  const scratch = {};
  decodeProjected('{"metric":{"cluster":"a","node":"n"},"value":[1,"1"]}', KEYS, PATTERNS, scratch);
  decodeProjected('{"metric":{"minor":"3"},"value":[1,"1"]}', KEYS, PATTERNS, scratch);
  assert.deepEqual(scratch, { cluster: undefined, node: undefined, minor: '3', absent: undefined }, 'a reused object carries nothing over');
  const reordered = JSON.stringify({ value: [1, '3'], metric: { cluster: 'p' } });
  assert.deepEqual(decodeProjected(reordered, KEYS, PATTERNS).labels, { cluster: 'p' });
  assert.throws(() => decodeProjected('{"value":[1,"1"]}', KEYS, PATTERNS), /no "metric" object/);
  assert.throws(() => decodeFull('{"metric":{"a":}}'), /not valid JSON/);
});
