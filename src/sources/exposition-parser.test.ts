import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpositionSyntaxError, parseSampleLine } from './exposition-parser.js';

test('reads names, labels with escapes, values and timestamps', () => {
  assert.deepEqual(parseSampleLine('kube_node_info{cluster="prod",node="a\\"b\\\\c\\nd",} 1 1700000000000'), {
    name: 'kube_node_info',
    labels: { cluster: 'prod', node: 'a"b\\c\nd' },
    value: 1,
    timestampMs: 1700000000000,
  });
  assert.deepEqual(parseSampleLine('up 0').labels, {});
  assert.equal(parseSampleLine('x{le="+Inf"} +Inf').value, Infinity);
  assert.ok(Number.isNaN(parseSampleLine('x NaN').value));
  assert.equal(parseSampleLine('x{a = "b" , c="d"}   -1.5e3').value, -1500);
});

test('ignores an OpenMetrics exemplar', () => {
  const s = parseSampleLine('foo_bucket{le="0.5"} 3 # {trace_id="abc"} 0.4 1700000000.1');
  assert.equal(s.value, 3);
  assert.deepEqual(s.labels, { le: '0.5' });
});

for (const bad of ['{a="b"} 1', 'x{a="b" 1', 'x{a=b} 1', 'x', 'x{a="b"}1', 'x one', 'x 1 2 3', 'x{a="1",a="2"} 1', 'x{a="b} 1']) {
  test(`rejects ${JSON.stringify(bad)} with a column`, () => {
    assert.throws(() => parseSampleLine(bad), (e: unknown) => e instanceof ExpositionSyntaxError && e.column >= 1);
  });
}
