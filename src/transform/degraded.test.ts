import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { TransformationConfig } from '../config/types.js';
import { transformationConfig } from '../../test/support/transformation.js';
import { Transformer } from './transformer.js';
import { degradation } from './degraded.js';

function run(over: Partial<TransformationConfig>, input: Array<Record<string, string>>) {
  const cfg = transformationConfig(over);
  const t = new Transformer(cfg);
  for (const l of input) t.add(l, 1);
  return { cfg, r: t.finish() };
}

const NODES = Array.from({ length: 8 }, (_, i) => ({
  __name__: 'kube_node_info',
  node: `n${i}`,
  kubelet_version: `v1.28.${i}`,
  kernel_version: '6.1.0',
  os_image: 'Ubuntu',
  container_runtime_version: 'containerd://1.7.11',
}));

describe('degradation', () => {
  test('a typo in value_from_label: names the labels the series carry and suggests the closest', () => {
    const { cfg, r } = run({ valueFromLabel: 'kubelet_verison', preserveLabels: ['node'], defaultValue: 0 }, NODES);
    assert.equal(r.missingValueLabel, 8);
    assert.deepEqual(r.labelNamesSeen, ['node', 'kubelet_version', 'kernel_version', 'os_image', 'container_runtime_version']);
    assert.deepEqual(degradation(cfg, r), {
      reason: 'missing_label',
      message:
        'value_from_label "kubelet_verison" is on none of 8 series; they carry node, kubelet_version, kernel_version, os_image, container_runtime_version (did you mean "kubelet_version"?): every output series is default_value 0',
    });
  });

  test('a missing label without a default: no output series; no suggestion when nothing is close; long lists end in …', () => {
    const wide = NODES.map((n) => ({ ...n, a1: 'x', a2: 'x', a3: 'x', a4: 'x' }));
    const { cfg, r } = run({ valueFromLabel: 'minor', preserveLabels: ['node'], defaultValue: null }, wide);
    assert.equal(
      degradation(cfg, r)?.message,
      'value_from_label "minor" is on none of 8 series; they carry node, kubelet_version, kernel_version, os_image, container_runtime_version, a1, a2, a3, …: no output series',
    );
  });

  test('no value parses (containerd://1.7.11): names the reason and shows examples', () => {
    const { cfg, r } = run({ valueFromLabel: 'container_runtime_version', preserveLabels: ['node'], defaultValue: null }, NODES);
    assert.deepEqual(degradation(cfg, r), {
      reason: 'unparseable',
      message: 'label "container_runtime_version" is not a number on 8 of 8 series (e.g. "containerd://1.7.11"): no output series',
    });
  });

  test('every value defaulted after failing to parse is degraded too', () => {
    const { cfg, r } = run({ valueFromLabel: 'container_runtime_version', preserveLabels: ['node'], defaultValue: -1 }, NODES);
    assert.equal(r.defaultedBy.get('unparseable'), 8);
    assert.match(degradation(cfg, r)?.message ?? '', /not a number on 8 of 8 series .*: every output series is default_value -1$/);
  });

  test('the dominant reason wins when several apply', () => {
    const mixed = [...NODES.slice(0, 5), ...NODES.slice(5).map((n) => ({ ...n, minor: '' }))];
    const { cfg, r } = run({ valueFromLabel: 'minor', preserveLabels: ['node'], defaultValue: null }, mixed);
    assert.equal(degradation(cfg, r)?.reason, 'missing_label');
    assert.match(degradation(cfg, r)?.message ?? '', /^value_from_label "minor" is missing on 5 of 8 series/);
  });

  test('not degraded: some usable output, no source series, or an info metric', () => {
    const some = [...NODES.slice(1), { ...NODES[0], minor: '28' }];
    const a = run({ valueFromLabel: 'minor', preserveLabels: ['node'], defaultValue: 0 }, some);
    assert.equal(degradation(a.cfg, a.r), undefined);
    const b = run({ valueFromLabel: 'minor', preserveLabels: ['node'], defaultValue: 0 }, []);
    assert.equal(degradation(b.cfg, b.r), undefined);
    const c = run({ valueFromLabel: 'minor', preserveLabels: ['node'], metricType: 'info' }, NODES);
    assert.equal(degradation(c.cfg, c.r), undefined);
  });

  test('label names are collected from a bounded number of series, and __proto__ is a plain name', () => {
    const many = Array.from({ length: 100 }, (_, i) => {
      const l = Object.create(null) as Record<string, string>;
      l[`l${i}`] = 'x';
      l['__proto__'] = 'y';
      return l;
    });
    const { r } = run({ valueFromLabel: 'minor', preserveLabels: ['node'], defaultValue: null }, many);
    assert.equal(r.missingValueLabel, 100);
    assert.equal(r.labelNamesSeen.length, 21);
    assert.ok(r.labelNamesSeen.includes('__proto__'));
  });
});
