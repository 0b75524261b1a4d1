import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { TransformationConfig } from '../../src/config/types.js';
import { compileParser } from '../../src/parsers/index.js';
import { renderFamilies } from '../../src/exposition/render.js';
import { bucketIndex, fillName } from '../../src/transform/metric-type.js';
import { Transformer, type PreviousSeries } from '../../src/transform/transformer.js';
import { transformationConfig } from '../support/transformation.js';

function cfg(over: Partial<TransformationConfig> = {}): TransformationConfig {
  return transformationConfig({ name: 'm', sourceMetric: 'x_info', valueFromLabel: 'v', preserveLabels: ['app'], ...over });
}

function run(c: TransformationConfig, input: Array<Record<string, string>>, previous?: PreviousSeries) {
  const t = new Transformer(c, previous);
  for (const l of input) t.add(l, 1);
  if (!c.clearStaleMetrics) t.keepStale();
  return { result: t.finish(), failure: t.failure };
}

function text(c: TransformationConfig, input: Array<Record<string, string>>): string {
  const { result } = run(c, input);
  return renderFamilies(
    { name: c.name, type: c.metricType, dynamicNames: c.nameTemplate !== null, states: c.states, buckets: c.buckets },
    result.series,
  )
    .map((f) => `[${f.name}]\n${f.samples.toString()}`)
    .join('');
}

describe('stateset', () => {
  const health = cfg({
    name: 'app_health',
    metricType: 'stateset',
    states: { values: ['Healthy', 'Progressing', 'Degraded'], label: 'app_health' },
  });

  test('one series per declared state, 1 for the current one', () => {
    assert.equal(
      text(health, [{ app: 'a', v: 'Degraded' }]),
      '[app_health]\napp_health{app="a",app_health="Healthy"} 0\napp_health{app="a",app_health="Progressing"} 0\napp_health{app="a",app_health="Degraded"} 1\n',
    );
  });

  test('a value that is not a declared state is skipped as unknown_state (states match exactly)', () => {
    const { result } = run(health, [
      { app: 'a', v: 'Sleeping' },
      { app: 'b', v: 'healthy' },
      { app: 'c', v: 'Healthy' },
    ]);
    assert.deepEqual(result.series, [{ labelText: 'app="c"', value: 0 }]);
    assert.deepEqual([...result.skipped], [['unknown_state', 2]]);
    assert.deepEqual(result.skipExamples.get('unknown_state'), ['Sleeping', 'healthy']);
  });

  test('collisions keep the later-declared state with on_collision: max (order states by severity)', () => {
    const { result } = run(health, [
      { app: 'a', v: 'Degraded' },
      { app: 'a', v: 'Healthy' },
    ]);
    assert.deepEqual(result.series, [{ labelText: 'app="a"', value: 2 }]);
    const first = run({ ...health, onCollision: 'first' }, [
      { app: 'a', v: 'Progressing' },
      { app: 'a', v: 'Degraded' },
    ]);
    assert.deepEqual(first.result.series, [{ labelText: 'app="a"', value: 1 }]);
  });

  test('state values are escaped; a source label named like the state label is left out in all-labels mode', () => {
    const c = cfg({ metricType: 'stateset', preserveLabels: null, states: { values: ['a"b', 'c\\d'], label: 'state' } });
    assert.equal(
      text(c, [{ __name__: 'x_info', app: 'x', state: 'ignored', v: 'c\\d' }]),
      '[m]\nm{app="x",state="a\\"b"} 0\nm{app="x",state="c\\\\d"} 1\n',
    );
  });
});

describe('counter', () => {
  const c = cfg({ name: 'builds', metricType: 'counter' });

  test('samples end in _total whether or not the name does', () => {
    assert.equal(text(c, [{ app: 'a', v: '1843' }]), '[builds]\nbuilds_total{app="a"} 1843\n');
    assert.equal(text({ ...c, name: 'builds_total' }, [{ app: 'a', v: '7' }]), '[builds_total]\nbuilds_total{app="a"} 7\n');
  });

  test('a negative value is no counter value and is skipped', () => {
    const { result } = run(c, [
      { app: 'a', v: '-3' },
      { app: 'b', v: '5' },
    ]);
    assert.deepEqual(result.series, [{ labelText: 'app="b"', value: 5 }]);
    assert.deepEqual([...result.skipped], [['not_a_counter_value', 1]]);
  });
});

describe('histogram', () => {
  const minor = { parser: 'semver' as const, part: 'minor' as const };
  const h = cfg({
    name: 'kubelet_minor',
    metricType: 'histogram',
    buckets: [26, 27, 28],
    preserveLabels: ['cluster'],
    value: { spec: minor, parse: compileParser(minor) },
  });
  const nodes = [
    { cluster: 'a', v: 'v1.28.3' },
    { cluster: 'a', v: 'v1.27.8-gke.1067004' },
    { cluster: 'a', v: 'v1.29.1+k3s2' },
    { cluster: 'b', v: 'v1.25.16' },
    { cluster: 'b', v: 'garbage' },
  ];

  test('every source series with the same labels is one observation: cumulative buckets, +Inf, sum, count', () => {
    assert.equal(
      text(h, nodes),
      '[kubelet_minor]\n' +
        'kubelet_minor_bucket{cluster="a",le="26.0"} 0\nkubelet_minor_bucket{cluster="a",le="27.0"} 1\nkubelet_minor_bucket{cluster="a",le="28.0"} 2\nkubelet_minor_bucket{cluster="a",le="+Inf"} 3\n' +
        'kubelet_minor_sum{cluster="a"} 84\nkubelet_minor_count{cluster="a"} 3\n' +
        'kubelet_minor_bucket{cluster="b",le="26.0"} 1\nkubelet_minor_bucket{cluster="b",le="27.0"} 1\nkubelet_minor_bucket{cluster="b",le="28.0"} 1\nkubelet_minor_bucket{cluster="b",le="+Inf"} 1\n' +
        'kubelet_minor_sum{cluster="b"} 25\nkubelet_minor_count{cluster="b"} 1\n',
    );
  });

  test('a bound is inclusive (le), values above every bound only count in +Inf', () => {
    assert.deepEqual(
      [25, 26, 26.5, 28, 99].map((v) => bucketIndex([26, 27, 28], v)),
      [0, 0, 1, 2, 3],
    );
  });

  test('an unchanged distribution is reported unchanged (the rendered bytes are reused)', () => {
    const first = run(h, nodes).result;
    const again = run(h, nodes, first).result;
    assert.equal(again.unchanged, true);
    const moved = run(h, [...nodes.slice(1), { cluster: 'a', v: 'v1.26.0' }], first).result;
    assert.equal(moved.unchanged, false);
  });

  test('max_series counts histogram series; clear_stale_metrics: false keeps a vanished distribution', () => {
    assert.equal(run({ ...h, maxSeries: 1 }, nodes).failure?.reason, 'too_many_series');
    const first = run(h, nodes).result;
    const kept = run({ ...h, clearStaleMetrics: false }, nodes.slice(0, 3), first).result;
    assert.deepEqual(
      kept.series.map((s) => [s.labelText, s.value, s.histogram?.buckets]),
      [
        ['cluster="a"', 3, [0, 1, 2]],
        ['cluster="b"', 1, [1, 1, 1]],
      ],
    );
  });
});

describe('dynamic names', () => {
  const template = [{ label: 'component' }, '_in_window'] as const;
  const bool = { parser: 'boolean' as const };
  const d = cfg({
    name: '{{component}}_in_window',
    nameTemplate: template,
    preserveLabels: ['env'],
    value: { spec: bool, parse: compileParser(bool) },
  });

  test('label values fill the name, sanitized; each name is its own family', () => {
    assert.equal(
      text(d, [
        { component: 'ingress-nginx', env: 'prod', v: 'true' },
        { component: 'cert.manager', env: 'prod', v: 'false' },
        { component: 'ingress-nginx', env: 'dev', v: 'no' },
      ]),
      '[cert_manager_in_window]\ncert_manager_in_window{env="prod"} 0\n[ingress_nginx_in_window]\ningress_nginx_in_window{env="dev"} 0\ningress_nginx_in_window{env="prod"} 1\n',
    );
  });

  test('a name that is still invalid (leading digit, empty or missing label, reserved prefix) is skipped as invalid_name', () => {
    assert.equal(fillName(template, { component: '9lives' }), null);
    assert.equal(fillName(template, { component: '' }), null);
    assert.equal(fillName(template, {}), null);
    assert.equal(fillName([{ label: 'c' }], { c: 'label_value_exporter_x' }), null);
    assert.equal(fillName(['x_', { label: 'c' }], { c: '9lives ü' }), 'x_9lives__');
    const { result } = run(d, [{ component: '9lives', env: 'prod', v: 'true' }]);
    assert.deepEqual([...result.skipped], [['invalid_name', 1]]);
  });

  test('more distinct names than max_names fails the run as a whole', () => {
    const many = Array.from({ length: 4 }, (_, i) => ({ component: `c${i}`, env: 'prod', v: 'true' }));
    assert.equal(run({ ...d, maxNames: 3 }, many).failure?.reason, 'too_many_names');
    assert.equal(run({ ...d, maxNames: 4 }, many).failure, null);
  });

  test('the labels of the name are fetched from the source (projection)', () => {
    assert.deepEqual(new Transformer(d).projection(), ['env', 'v', 'component']);
  });
});
