import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpositionSyntaxError, parseLine, parseSampleLine } from './exposition-parser.js';

const plain = (r: Readonly<Record<string, string>>) => ({ ...r });

test('reads names, labels with escapes, values and timestamps', () => {
  const s = parseSampleLine('kube_node_info{cluster="prod",node="a\\"b\\\\c\\nd\\q",} 1 1700000000000');
  assert.equal(s.name, 'kube_node_info');
  assert.deepEqual(plain(s.labels), { cluster: 'prod', node: 'a"b\\c\nd\\q' });
  assert.equal(s.value, 1);
  assert.equal(s.timestampMs, 1700000000000);
  assert.deepEqual(plain(parseSampleLine('up 0').labels), {});
  assert.equal(parseSampleLine('x{le="+Inf"} +Inf').value, Infinity);
  assert.ok(Number.isNaN(parseSampleLine('x NaN').value));
  assert.equal(parseSampleLine('x{a = "b" , c="d"}   -1.5e3').value, -1500);
});

test('labels live in a prototype-free map: __proto__ and constructor are label names', () => {
  const s = parseSampleLine('x{__proto__="p",constructor="c",toString="t"} 1');
  for (const inherited of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf']) {
    assert.equal(inherited in parseSampleLine('x{a="1"} 1').labels, false, `nothing inherited: ${inherited}`);
  }
  assert.deepEqual(Object.keys(s.labels), ['__proto__', 'constructor', 'toString']);
  assert.equal(s.labels['__proto__'], 'p');
  assert.equal(parseSampleLine('x 1').labels['constructor'], undefined);
});

test('text format: blanks where Prometheus allows them, commas optional', () => {
  assert.deepEqual(plain(parseSampleLine('a {b="c"} 1').labels), { b: 'c' });
  assert.equal(parseSampleLine('a{b="c"}1').value, 1);
  assert.deepEqual(plain(parseSampleLine('a{b="c" d="e"} 1').labels), { b: 'c', d: 'e' });
  assert.equal(parseSampleLine('a\t{\tb\t=\t"c"\t}\t2\t5\t').timestampMs, 5);
  assert.equal(parseSampleLine('a+1').value, 1, 'the name ends where a value character starts');
  assert.equal(parseLine('   ', 'text'), null);
  assert.equal(parseLine('  # HELP a text', 'text'), null);
  assert.equal(parseLine('# EOF', 'text'), null, 'just a comment in the text format');
  assert.equal(parseLine('#TYPE a bogus', 'text'), null);
});

test('OpenMetrics: exemplars, timestamps in seconds, # EOF', () => {
  const s = parseSampleLine('foo_bucket{le="0.5"} 3 # {trace_id="abc"} 0.4 1700000000.1', 'openmetrics');
  assert.equal(s.value, 3);
  assert.deepEqual(plain(s.labels), { le: '0.5' });
  assert.equal(parseSampleLine('foo 1 1700000000.123', 'openmetrics').timestampMs, 1700000000123);
  assert.equal(parseLine('# EOF', 'openmetrics'), 'eof');
  assert.equal(parseLine('# UNIT foo_seconds seconds', 'openmetrics'), null);
});

const REJECTED: Array<[string, 'text' | 'openmetrics']> = [
  ['{a="b"} 1', 'text'],
  ['x{a="b" 1', 'text'],
  ['x{a=b} 1', 'text'],
  ['x', 'text'],
  ['x one', 'text'],
  ['x 1 2 3', 'text'],
  ['x{a="1",a="2"} 1', 'text'],
  ['x{a="b} 1', 'text'],
  ['  x 1', 'text'],
  ['x 1\r', 'text'],
  ['x 0x10', 'text'],
  ['x 1e400', 'text'],
  ['x +NaN', 'text'],
  ['x 1 -5', 'text'],
  ['x 1 1.5', 'text'],
  ['x 1 99999999999999999999', 'text'],
  ['x_total 1 # {a="b"} 1', 'text'],
  ['# TYPE x unknown', 'text'],
  ['# TYPE x  gauge', 'text'],
  ['# HELP 0x text', 'text'],
  ['x{__name__="y"} 1', 'text'],
  ['x {a="b"} 1', 'openmetrics'],
  ['x  1', 'openmetrics'],
  ['x 1 ', 'openmetrics'],
  ['x{a="b",} 1', 'openmetrics'],
  ['', 'openmetrics'],
  ['# a comment', 'openmetrics'],
  ['x 1 # {a="b"} 1', 'openmetrics'],
  ['x_total 1 # {a="b"}', 'openmetrics'],
  ['# UNIT x seconds', 'openmetrics'],
  ['# HELP x', 'openmetrics'],
  ['x 1 NaN', 'openmetrics'],
];
for (const [bad, format] of REJECTED) {
  test(`rejects ${JSON.stringify(bad)} (${format}) with a column`, () => {
    assert.throws(
      () => parseLine(bad, format),
      (e: unknown) => e instanceof ExpositionSyntaxError && e.column >= 1,
    );
  });
}
