/**
 * Projection pushdown (docs/transformations.md "Asking for less") is only switched on where it
 * provably gives the same output. This checks the argument of
 * `pushdownAllowed` (src/config/build-query.ts) against the real Transformer:
 * for random configs (metric type, collision policy, preserve list, label
 * shaping, defaults, fan-in) and random source series, feeding the raw series
 * and feeding what `group by (<projection>) (...)` returns (one series per
 * distinct combination of the projected labels, in another order) give the
 * same output series, whenever the config allows pushdown. The e2e test
 * (test/e2e/query.test.ts) checks the same against real servers.
 *
 * Reproducible: fixed seed (override with FC_SEED=<n>).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseConfig } from '../../src/registry/load.js';
import type { TransformationConfig } from '../../src/config/types.js';
import type { LabelSet } from '../../src/model/series.js';
import { Transformer } from '../../src/transform/transformer.js';

const SEED = Number(process.env['FC_SEED'] ?? 0x5eed08);
const LABELS = ['cluster', 'node', 'minor', 'os', 'job'] as const;
/** Few values per label, so series often agree on the labels read (the case grouping merges). */
const VALUES = ['', 'a', 'b', '28', '29', 'x y'];

type Series = Record<string, string>;

function config(yaml: string): TransformationConfig {
  const cfg = parseConfig(yaml, '/nonexistent-lve-property/config.yml', {});
  return cfg.transformations[0] as TransformationConfig;
}

/** What the source answers to `group by (labels) (selector)`: distinct projections, empty labels absent, sorted. */
function grouped(series: readonly Series[], labels: readonly string[]): Series[] {
  const seen = new Map<string, Series>();
  for (const s of series) {
    const g: Series = {};
    for (const l of labels) if (s[l]) g[l] = s[l];
    seen.set(JSON.stringify(Object.entries(g).sort()), g);
  }
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}

function run(cfg: TransformationConfig, perSource: ReadonlyArray<readonly Series[]>): string[] {
  const t = new Transformer(cfg);
  perSource.forEach((series, i) => {
    t.useSource(cfg.sources[i] ?? 'default');
    for (const s of series) t.add({ __name__: 'kube_node_info', ...s } as LabelSet, 1);
  });
  const failure = t.failure;
  if (failure) return [`failed: ${failure.reason}`];
  return t.finish().series.map((o) => `${o.labelText} ${o.value}`);
}

function groupedRun(cfg: TransformationConfig, perSource: ReadonlyArray<readonly Series[]>): string[] {
  const labels = new Transformer(cfg).projection();
  assert.ok(labels, 'pushdown implies a projection');
  return run(
    cfg,
    perSource.map((s) => grouped(s, labels)),
  );
}

const seriesArb = fc.array(
  fc
    .record(Object.fromEntries(LABELS.map((l) => [l, fc.constantFrom(...VALUES)])) as Record<(typeof LABELS)[number], fc.Arbitrary<string>>)
    .map((s) => {
      // An empty value is no label (the Prometheus data model): drop it.
      const out: Series = {};
      for (const [k, v] of Object.entries(s)) if (v !== '') out[k] = v;
      return out;
    }),
  { maxLength: 40 },
);

const configArb = fc.record({
  type: fc.constantFrom('gauge', 'info'),
  policy: fc.constantFrom('max', 'min', 'first', 'last', 'sum', 'count', 'error'),
  preserve: fc.subarray([...LABELS], { minLength: 0 }),
  defaultValue: fc.option(fc.constantFrom(0, -1), { nil: undefined }),
  skipEmpty: fc.boolean(),
  shaping: fc.constantFrom('', 'keep', 'relabel', 'rename', 'static'),
  sources: fc.constantFrom(1, 2),
  maxSeries: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
});

type ConfigCase = typeof configArb extends fc.Arbitrary<infer T> ? T : never;

function yamlOf(c: ConfigCase): string {
  const lines = [
    'sources:',
    '  - {name: a, type: prometheus, url: "http://127.0.0.1:1"}',
    '  - {name: b, type: prometheus, url: "http://127.0.0.1:2"}',
    'metric_transformations:',
    '  - name: out',
    '    source_metric: kube_node_info',
    `    source: ${c.sources === 2 ? '[a, b]' : 'a'}`,
    `    metric_type: ${c.type}`,
    '    value_from_label: minor',
    `    preserve_labels: [${c.preserve.filter((l) => l !== 'minor' || c.type !== 'info').join(', ')}]`,
    `    on_collision: ${c.policy}`,
    `    skip_empty_labels: ${c.skipEmpty}`,
  ];
  if (c.defaultValue !== undefined) lines.push(`    default_value: ${c.defaultValue}`);
  if (c.maxSeries !== undefined) lines.push(`    max_series: ${c.maxSeries}`);
  const first = c.preserve.find((l) => l !== 'minor');
  if (c.shaping === 'keep' && c.type === 'gauge') lines.push('    keep_value_label: true');
  if (c.shaping === 'relabel' && first)
    lines.push(`    relabel: [{source_label: ${first}, regex: "(.).*", replacement: "$1", target_label: short}]`);
  if (c.shaping === 'rename' && first) lines.push(`    rename_labels: {${first}: renamed}`);
  if (c.shaping === 'static') lines.push('    static_labels: {env: test}');
  return `${lines.join('\n')}\n`;
}

describe('pushdown gives the same output where it is allowed', () => {
  test('random configs and series: raw answer and grouped answer agree', () => {
    let checked = 0;
    fc.assert(
      fc.property(configArb, fc.array(seriesArb, { minLength: 2, maxLength: 2 }), (c, answers) => {
        const cfg = config(yamlOf(c));
        if (!cfg.pushdown) return;
        checked++;
        const perSource = answers.slice(0, cfg.sources.length);
        assert.deepEqual(groupedRun(cfg, perSource), run(cfg, perSource));
      }),
      { seed: SEED, numRuns: 3000 },
    );
    assert.ok(checked > 500, `only ${checked} configs allowed pushdown`);
  });

  test('the excluded policies really can differ (so excluding them is needed)', () => {
    const base = (policy: string) =>
      config(
        `metric_transformations:\n  - name: out\n    source_metric: m\n    value_from_label: minor\n    preserve_labels: [cluster]\n    on_collision: ${policy}\n    pushdown: false\n`,
      );
    const same = [
      { cluster: 'a', node: 'n1', minor: '28' },
      { cluster: 'a', node: 'n2', minor: '28' },
    ];
    assert.notDeepEqual(groupedRun(base('sum'), [same]), run(base('sum'), [same]));
    assert.notDeepEqual(groupedRun(base('count'), [same]), run(base('count'), [same]));
    assert.notDeepEqual(groupedRun(base('error'), [same]), run(base('error'), [same]));
    // first/last: series with different labels read meet in one output series, and grouping reorders them.
    const order = [
      { cluster: 'a', minor: '29' },
      { cluster: 'a', minor: '28' },
    ];
    assert.notDeepEqual(groupedRun(base('first'), [order]), run(base('first'), [order]));
  });
});
