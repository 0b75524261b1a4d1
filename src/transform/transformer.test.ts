import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { TransformationConfig } from '../config/types.js';
import { transformationConfig } from '../../test/support/transformation.js';
import { Transformer } from './transformer.js';

function cfg(over: Partial<TransformationConfig> = {}): TransformationConfig {
  return transformationConfig(over);
}

function run(c: TransformationConfig, input: Array<Record<string, string>>) {
  const t = new Transformer(c);
  for (const l of input) t.add(l, 1);
  return t.finish();
}

const N1 = { __name__: 'kube_node_info', cluster: 'prod', node: 'n1', minor: '28', job: 'ksm' };

describe('gauge', () => {
  test('the parsed label value becomes the sample value; only preserved labels are kept', () => {
    const r = run(cfg(), [N1, { ...N1, node: 'n2', minor: '27+' }]);
    assert.deepEqual(r.series, [
      { labelText: 'cluster="prod",node="n1"', value: 28 },
      { labelText: 'cluster="prod",node="n2"', value: 27 },
    ]);
    assert.equal(r.sourceSeries, 2);
  });

  test('without preserve_labels every label but __name__ and the value label is kept, sorted', () => {
    const r = run(cfg({ preserveLabels: null }), [N1]);
    assert.deepEqual(r.series, [{ labelText: 'cluster="prod",job="ksm",node="n1"', value: 28 }]);
  });

  test('a preserved label missing from the source is omitted', () => {
    const r = run(cfg({ preserveLabels: ['cluster', 'node', 'instance'] }), [N1]);
    assert.equal(r.series[0]?.labelText, 'cluster="prod",node="n1"');
  });

  const missing = { ...N1 } as Record<string, string>;
  delete missing.minor;
  const empty = { ...N1, minor: '' };
  const bad = { ...N1, minor: 'v1.28.3' };

  test('missing/empty label: skipped when skip_empty_labels, even with a default', () => {
    const r = run(cfg({ skipEmptyLabels: true, defaultValue: 0 }), [missing, { ...empty, node: 'n2' }]);
    assert.deepEqual(r.series, []);
    assert.deepEqual(
      [...r.skipped],
      [
        ['missing_label', 1],
        ['empty_label', 1],
      ],
    );
    assert.equal(r.defaulted, 0);
  });

  test('missing/empty label: default_value when set', () => {
    const r = run(cfg({ defaultValue: -1 }), [missing, { ...empty, node: 'n2' }]);
    assert.deepEqual(
      r.series.map((s) => s.value),
      [-1, -1],
    );
    assert.equal(r.defaulted, 2);
  });

  test('missing/empty label: skipped without a default', () => {
    const r = run(cfg(), [missing, { ...empty, node: 'n2' }]);
    assert.deepEqual(r.series, []);
    assert.equal(r.skipped.get('missing_label'), 1);
    assert.equal(r.skipped.get('empty_label'), 1);
  });

  test('unparseable value: default_value when set, else skipped with an example', () => {
    assert.deepEqual(run(cfg({ defaultValue: 0 }), [bad]).series, [{ labelText: 'cluster="prod",node="n1"', value: 0 }]);
    const r = run(cfg(), [bad]);
    assert.deepEqual(r.series, []);
    assert.equal(r.skipped.get('unparseable'), 1);
    assert.deepEqual(r.skipExamples.get('unparseable'), ['v1.28.3']);
  });

  test('collisions keep the larger value, whatever the order, and are counted', () => {
    const a = { ...N1, minor: '27', job: 'a' };
    const b = { ...N1, minor: '28', job: 'b' };
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      const r = run(cfg(), order);
      assert.deepEqual(r.series, [{ labelText: 'cluster="prod",node="n1"', value: 28 }]);
      assert.equal(r.collisions, 1);
    }
  });

  test('output is sorted by labels regardless of input order', () => {
    const input = ['n3', 'n1', 'n2'].map((node) => ({ ...N1, node }));
    assert.deepEqual(
      run(cfg(), input).series.map((s) => s.labelText),
      ['n1', 'n2', 'n3'].map((n) => `cluster="prod",node="${n}"`),
    );
  });

  test('label values are escaped', () => {
    const r = run(cfg(), [{ ...N1, node: 'a"b\\c\nd' }]);
    assert.equal(r.series[0]?.labelText, 'cluster="prod",node="a\\"b\\\\c\\nd"');
  });
});

describe('info', () => {
  const info = cfg({ name: 'node_os_info', metricType: 'info', valueFromLabel: 'os_image' });
  test('value 1, preserved labels plus the value label with its string', () => {
    const r = run(info, [{ ...N1, os_image: 'Ubuntu 22.04.3 LTS' }]);
    assert.deepEqual(r.series, [{ labelText: 'cluster="prod",node="n1",os_image="Ubuntu 22.04.3 LTS"', value: 1 }]);
  });
  test('without preserve_labels all labels including the value label are kept', () => {
    const r = run(cfg({ metricType: 'info', valueFromLabel: 'job', preserveLabels: null }), [N1]);
    assert.equal(r.series[0]?.labelText, 'cluster="prod",job="ksm",minor="28",node="n1"');
  });
  test('missing value label: skipped with skip_empty_labels, else emitted without it', () => {
    assert.deepEqual(run({ ...info, skipEmptyLabels: true }, [N1]).series, []);
    assert.deepEqual(run(info, [N1]).series, [{ labelText: 'cluster="prod",node="n1"', value: 1 }]);
  });
});

describe('runs after the first', () => {
  const previousOf = (series: Array<{ labelText: string; value: number }>) => ({
    series,
    index: new Map(series.map((o) => [o.labelText, o])),
  });

  test('keepStale adds previous series that were not seen again, without overriding new ones', () => {
    const prev = previousOf([
      { labelText: 'cluster="prod",node="gone"', value: 27 },
      { labelText: 'cluster="prod",node="n1"', value: 28 },
    ]);
    const t = new Transformer(cfg({ clearStaleMetrics: false }), prev);
    t.add({ ...N1, minor: '29' }, 1);
    t.keepStale();
    const r = t.finish();
    assert.deepEqual(r.series, [
      { labelText: 'cluster="prod",node="gone"', value: 27 },
      { labelText: 'cluster="prod",node="n1"', value: 29 },
    ]);
    assert.equal(r.unchanged, false);
  });

  test('an identical run is reported unchanged and reuses the previous result', () => {
    const first = run(cfg(), [N1, { ...N1, node: 'n2' }]);
    const t = new Transformer(cfg(), first);
    for (const l of [{ ...N1, node: 'n2' }, N1]) t.add(l, 1);
    const second = t.finish();
    assert.equal(second.unchanged, true);
    assert.equal(second.series, first.series);
  });

  test('a changed value or label set is not unchanged', () => {
    const first = run(cfg(), [N1]);
    const changed = new Transformer(cfg(), first);
    changed.add({ ...N1, minor: '29' }, 1);
    assert.equal(changed.finish().unchanged, false);
    const more = new Transformer(cfg(), first);
    more.add(N1, 1);
    more.add({ ...N1, node: 'n9' }, 1);
    assert.equal(more.finish().unchanged, false);
  });
});

describe('fan-in: a source that fails part-way is taken out whole', () => {
  test('its skips, defaults and missing value labels leave the counts (they would skew the degraded verdict)', () => {
    const t = new Transformer(cfg({ sources: ['eu', 'us'], sourceLabel: 'region', defaultValue: 0 }));
    t.useSource('eu');
    t.add(N1, 1);
    t.add({ ...N1, node: 'n2', minor: 'x' }, 1);
    t.useSource('us');
    const noValue = { ...N1, node: 'n3', kubelet_version: 'v1.28.3' } as Record<string, string>;
    delete noValue.minor;
    t.add(noValue, 1);
    t.add({ ...noValue, node: 'n4' }, 1);
    t.add({ ...N1, node: 'n5', minor: 'y' }, 1);
    for (const _ of t.dropSourceSteps());
    const r = t.finish();
    assert.equal(r.sourceSeries, 2);
    assert.equal(r.missingValueLabel, 0);
    assert.equal(
      [...r.defaultedBy.values()].reduce((a, b) => a + b, 0),
      1,
    );
    assert.equal(r.defaulted, 1);
    assert.deepEqual(r.labelNamesSeen, []);
    assert.deepEqual(
      r.series.map((s) => s.labelText),
      ['cluster="prod",node="n1",region="eu"', 'cluster="prod",node="n2",region="eu"'],
    );
  });
});
