import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../registry/load.js';
import type { TransformationConfig } from '../config/types.js';
import type { SourceError } from '../model/errors.js';
import { Transformer } from './transformer.js';

/**
 * Label shaping, collision policies and max_series, through the real config
 * loader (so the keys, defaults and compiled relabel rules are the ones a
 * user's file gets). Options are written as JSON, which is valid YAML.
 */
function cfg(options: Record<string, unknown>): TransformationConfig {
  const yaml = JSON.stringify({
    metric_transformations: [{ name: 'kubelet_minor_version', source_metric: 'kube_node_info', value_from_label: 'minor', ...options }],
  });
  const t = parseConfig(yaml, '/nonexistent-lve-test/config.yml', {}).transformations[0];
  assert.ok(t);
  return t;
}

type Labels = Record<string, string>;

function transformer(c: TransformationConfig, input: readonly Labels[], sources?: readonly string[]): Transformer {
  const t = new Transformer(c);
  input.forEach((l, i) => {
    if (sources) t.useSource(sources[i] as string);
    t.add(l, 1);
  });
  return t;
}

function run(c: TransformationConfig, input: readonly Labels[], sources?: readonly string[]) {
  return transformer(c, input, sources).finish();
}

const N1: Labels = {
  __name__: 'kube_node_info',
  cluster: 'prod',
  node: 'worker-1',
  minor: '28',
  kubelet_version: 'v1.28.3-eks-5e0fdde',
  job: 'ksm',
  instance: '10.0.0.1:8080',
};

describe('label shaping: each option', () => {
  const cases: Array<{ name: string; options: Record<string, unknown>; input?: Labels; want: string }> = [
    { name: 'no shaping: the plain path', options: { preserve_labels: ['cluster', 'node'] }, want: 'cluster="prod",node="worker-1"' },
    {
      name: 'drop_labels without preserve_labels: all labels but the dropped',
      options: { drop_labels: ['job', 'instance', 'kubelet_version'] },
      want: 'cluster="prod",node="worker-1"',
    },
    {
      name: 'drop_labels with preserve_labels',
      options: { preserve_labels: ['cluster', 'node'], drop_labels: ['job'] },
      want: 'cluster="prod",node="worker-1"',
    },
    {
      name: 'drop_labels of a label the series lacks',
      options: { drop_labels: ['job', 'instance', 'kubelet_version', 'pod'] },
      want: 'cluster="prod",node="worker-1"',
    },
    {
      name: 'rename_labels',
      options: { preserve_labels: ['cluster', 'node'], rename_labels: { node: 'nodename' } },
      want: 'cluster="prod",nodename="worker-1"',
    },
    {
      name: 'rename_labels of a missing label adds nothing',
      options: { preserve_labels: ['cluster', 'node', 'pod'], rename_labels: { pod: 'pod_name' } },
      want: 'cluster="prod",node="worker-1"',
    },
    {
      name: 'static_labels',
      options: { preserve_labels: ['node'], static_labels: { env: 'production', team: 'platform' } },
      want: 'env="production",node="worker-1",team="platform"',
    },
    {
      name: 'relabel: anchored match, $1',
      options: { preserve_labels: ['node'], relabel: [{ source_label: 'node', regex: 'worker-(\\d+)', replacement: 'w$1' }] },
      want: 'node="w1"',
    },
    {
      name: 'relabel: the regex is anchored (a partial match is no match)',
      options: { preserve_labels: ['node'], relabel: [{ source_label: 'node', regex: 'worker', replacement: 'x' }] },
      want: 'node="worker-1"',
    },
    {
      name: 'relabel: a non-matching value is left unchanged',
      options: { preserve_labels: ['node'], relabel: [{ source_label: 'node', regex: 'master-(\\d+)', replacement: 'm$1' }] },
      want: 'node="worker-1"',
    },
    {
      name: 'relabel: ${name} and a new target label',
      options: {
        preserve_labels: ['node', 'kubelet_version'],
        relabel: [
          {
            source_label: 'kubelet_version',
            regex: 'v[0-9.]+-(?<provider>[a-z]+)-.*',
            replacement: '${provider}',
            target_label: 'provider',
          },
        ],
      },
      want: 'kubelet_version="v1.28.3-eks-5e0fdde",node="worker-1",provider="eks"',
    },
    {
      name: 'relabel: ${1}x, $$ and defaults (regex (.*), replacement $1)',
      options: {
        preserve_labels: ['node', 'cluster'],
        relabel: [
          { source_label: 'cluster', regex: '(p)rod', replacement: '${1}x$$' },
          { source_label: 'node', target_label: 'host' },
        ],
      },
      want: 'cluster="px$",host="worker-1",node="worker-1"',
    },
    {
      name: 'relabel: an empty result removes the label',
      options: { preserve_labels: ['node', 'job'], relabel: [{ source_label: 'job', regex: 'ksm', replacement: '' }] },
      want: 'node="worker-1"',
    },
    {
      name: 'relabel: rules run in order, each seeing the last',
      options: {
        preserve_labels: ['node'],
        relabel: [
          { source_label: 'node', target_label: 'tmp', regex: 'worker-(.*)' },
          { source_label: 'tmp', regex: '(.*)', replacement: 'n$1' },
        ],
      },
      want: 'node="worker-1",tmp="n1"',
    },
    {
      name: 'keep_value_label: the gauge also carries the value label',
      options: { preserve_labels: ['node'], keep_value_label: true },
      want: 'minor="28+",node="worker-1"',
      input: { ...N1, minor: '28+' },
    },
    {
      name: 'keep_value_label without preserve_labels',
      options: { drop_labels: ['job', 'instance', 'kubelet_version'], keep_value_label: true },
      want: 'cluster="prod",minor="28",node="worker-1"',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = run(cfg(c.options), [c.input ?? N1]);
      assert.deepEqual(r.series, [{ labelText: c.want, value: 28 }]);
    });
  }

  test('info: shaping applies to the carried value label too', () => {
    const r = run(
      cfg({
        metric_type: 'info',
        value_from_label: 'kubelet_version',
        preserve_labels: ['node'],
        rename_labels: { kubelet_version: 'version' },
      }),
      [N1],
    );
    assert.deepEqual(r.series, [{ labelText: 'node="worker-1",version="v1.28.3-eks-5e0fdde"', value: 1 }]);
  });

  test('without preserve_labels, a rename or static label replaces a source label of that name', () => {
    const r = run(
      cfg({ drop_labels: ['instance', 'kubelet_version'], rename_labels: { node: 'job' }, static_labels: { cluster: 'fixed' } }),
      [N1],
    );
    assert.deepEqual(r.series, [{ labelText: 'cluster="fixed",job="worker-1"', value: 28 }]);
  });

  test('the source label is set last and wins', () => {
    const yaml = JSON.stringify({
      sources: [
        { name: 'eu', type: 'file', path: 'eu.prom' },
        { name: 'us', type: 'file', path: 'us.prom' },
      ],
      metric_transformations: [
        {
          name: 'm',
          source_metric: 'kube_node_info',
          value_from_label: 'minor',
          source: ['eu', 'us'],
          preserve_labels: ['node'],
          static_labels: { env: 'prod' },
          drop_labels: ['job'],
        },
      ],
    });
    const t = parseConfig(yaml, '/nonexistent-lve-test/config.yml', {}).transformations[0];
    assert.ok(t);
    const r = run(
      t,
      [
        { ...N1, source: 'spoofed' },
        { ...N1, node: 'worker-2' },
      ],
      ['eu', 'us'],
    );
    assert.deepEqual(
      r.series.map((s) => s.labelText),
      ['env="prod",node="worker-1",source="eu"', 'env="prod",node="worker-2",source="us"'],
    );
  });

  test('values are escaped after shaping', () => {
    const r = run(cfg({ preserve_labels: ['node'], static_labels: { note: 'a"b' } }), [{ ...N1, node: 'x\\y' }]);
    assert.equal(r.series[0]?.labelText, 'node="x\\\\y",note="a\\"b"');
  });

  test('projection: sources are asked for the preserved labels and the value label', () => {
    const t = new Transformer(cfg({ preserve_labels: ['node'], keep_value_label: true, static_labels: { env: 'p' } }));
    assert.deepEqual([...(t.projection() ?? [])].sort(), ['minor', 'node']);
  });
});

describe('label shaping: order preserve → drop → relabel → rename → static → source', () => {
  test('relabel sees the names before rename; static comes after rename', () => {
    const r = run(
      cfg({
        drop_labels: ['job', 'instance'],
        relabel: [{ source_label: 'kubelet_version', regex: 'v(\\d+\\.\\d+)\\..*', replacement: '$1', target_label: 'kubelet' }],
        rename_labels: { kubelet_version: 'version', node: 'host' },
        static_labels: { env: 'prod' },
        keep_value_label: true,
      }),
      [N1],
    );
    assert.deepEqual(r.series, [
      { labelText: 'cluster="prod",env="prod",host="worker-1",kubelet="1.28",minor="28",version="v1.28.3-eks-5e0fdde"', value: 28 },
    ]);
  });

  test('a relabel target can then be renamed', () => {
    const r = run(
      cfg({
        preserve_labels: ['node'],
        relabel: [{ source_label: 'node', target_label: 'idx', regex: 'worker-(\\d+)' }],
        rename_labels: { idx: 'worker' },
      }),
      [N1],
    );
    assert.deepEqual(r.series, [{ labelText: 'node="worker-1",worker="1"', value: 28 }]);
  });

  test('dropping happens before relabel, so a dropped label reads as missing (only when preserve_labels is unset it is caught at load)', () => {
    assert.throws(
      () => cfg({ drop_labels: ['job'], relabel: [{ source_label: 'job', target_label: 'j' }] }),
      /is not in the output when relabeling runs/,
    );
  });

  test('shaping can turn distinct series into one: the collision policy applies', () => {
    const r = run(cfg({ drop_labels: ['node', 'job', 'instance', 'kubelet_version'] }), [N1, { ...N1, node: 'worker-2', minor: '27' }]);
    assert.deepEqual(r.series, [{ labelText: 'cluster="prod"', value: 28 }]);
    assert.equal(r.collisions, 1);
  });
});

describe('on_collision', () => {
  const a: Labels = { ...N1, minor: '27', job: 'a' };
  const b: Labels = { ...N1, minor: '29', job: 'b' };
  const c: Labels = { ...N1, minor: '28', job: 'c' };
  const other: Labels = { ...N1, node: 'worker-2', minor: '26' };
  const cases: Array<{ policy: string; forward: number; backward: number }> = [
    { policy: 'first', forward: 27, backward: 28 },
    { policy: 'last', forward: 28, backward: 27 },
    { policy: 'min', forward: 27, backward: 27 },
    { policy: 'max', forward: 29, backward: 29 },
    { policy: 'sum', forward: 84, backward: 84 },
    { policy: 'count', forward: 3, backward: 3 },
  ];
  for (const { policy, forward, backward } of cases) {
    test(`${policy}: source order a, b, c → ${forward}; c, b, a → ${backward}`, () => {
      const conf = cfg({ preserve_labels: ['cluster', 'node'], on_collision: policy });
      for (const [order, want] of [
        [[a, b, c], forward],
        [[c, b, a], backward],
      ] as const) {
        const r = run(conf, [...order, other]);
        assert.deepEqual(r.series, [
          { labelText: 'cluster="prod",node="worker-1"', value: want },
          { labelText: 'cluster="prod",node="worker-2"', value: policy === 'count' ? 1 : 26 },
        ]);
        assert.equal(r.collisions, 2);
      }
    });
  }

  test('max is the default and takes the plain path with the same result', () => {
    assert.equal(cfg({}).onCollision, 'max');
    const r = run(cfg({ preserve_labels: ['cluster', 'node'] }), [c, b, a]);
    assert.deepEqual(r.series, [{ labelText: 'cluster="prod",node="worker-1"', value: 29 }]);
  });

  test('error: the run fails with reason collision, in either order', () => {
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      const t = transformer(cfg({ preserve_labels: ['cluster', 'node'], on_collision: 'error' }), [other, ...order]);
      const f = t.failure as SourceError | null;
      assert.equal(f?.reason, 'collision');
      assert.match(
        f?.message ?? '',
        /two source series produce the same output series \{cluster="prod",node="worker-1"\} \(on_collision: error\)/,
      );
    }
  });

  test('error without a collision: no failure', () => {
    assert.equal(transformer(cfg({ preserve_labels: ['cluster', 'node'], on_collision: 'error' }), [a, other]).failure, null);
  });
});

describe('max_series', () => {
  const nodes = (n: number) => Array.from({ length: n }, (_, i) => ({ ...N1, node: `worker-${i}` }));

  test('at the limit: served', () => {
    const t = transformer(cfg({ preserve_labels: ['node'], max_series: 3 }), nodes(3));
    assert.equal(t.failure, null);
    assert.equal(t.finish().series.length, 3);
  });

  test('over the limit: the run fails with reason too_many_series', () => {
    const t = transformer(cfg({ preserve_labels: ['node'], max_series: 3 }), nodes(4));
    assert.equal(t.failure?.reason, 'too_many_series');
    assert.equal(t.failure?.message, 'more than 3 output series (max_series: 3); nothing of this run is served');
  });

  test('collisions do not count as series', () => {
    const t = transformer(cfg({ preserve_labels: ['cluster'], max_series: 1 }), nodes(5));
    assert.equal(t.failure, null);
    assert.deepEqual(t.finish().series, [{ labelText: 'cluster="prod"', value: 28 }]);
  });

  test('series kept from earlier runs (clear_stale_metrics: false) count too', () => {
    const conf = cfg({ preserve_labels: ['node'], max_series: 2, clear_stale_metrics: false });
    const first = run(conf, nodes(2));
    const t = new Transformer(conf, first);
    t.add({ ...N1, node: 'worker-9' }, 1);
    const before = t.failure;
    t.keepStale();
    assert.equal(before, null);
    assert.equal(t.failure?.reason, 'too_many_series');
  });
});
