/**
 * Regressions found in review of the metric types, reloads and pushdown:
 * each test names the scenario that used to go wrong.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parseConfig } from '../../src/registry/load.js';
import { redactUrl } from '../../src/config/redact.js';
import { writeExposition } from '../../src/exposition/write.js';
import { createLogger } from '../../src/logging/logger.js';
import { familySeries } from '../../src/output/remote-write/family-series.js';
import { ConfigError } from '../../src/model/errors.js';
import { PushdownAdvisor } from '../../src/scheduler/pushdown-advisor.js';
import { runTransformation } from '../../src/scheduler/run.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { SelfMetrics } from '../../src/selfmetrics/self-metrics.js';
import { SnapshotStore } from '../../src/snapshot/store.js';
import { createSource } from '../../src/sources/registry.js';
import { Transformer } from '../../src/transform/transformer.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function dataDir(body: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lve-review-'));
  await writeFile(path.join(dir, 'data.prom'), body);
  return dir;
}

function config(dir: string, transformations: string) {
  return parseConfig(
    `sources:\n  - {name: default, type: file, path: ${JSON.stringify(path.join(dir, 'data.prom'))}}\nscrape_interval: 1h\nmetric_transformations:\n${transformations}`,
    path.join(dir, 'config.yml'),
    {},
  );
}

function problems(yaml: string): string {
  try {
    parseConfig(yaml, 'c.yml', {});
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  return '';
}

async function exposition(store: SnapshotStore): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writeExposition(out, store.current(), '', 'text');
  return Buffer.concat(chunks).toString();
}

async function runAll(dir: string, transformations: string, store = new SnapshotStore()): Promise<SnapshotStore> {
  const c = config(dir, transformations);
  for (const t of c.transformations) {
    const sources = t.sources.map((n) => createSource(c.sources.get(n) ?? assert.fail(n), { request: () => undefined }));
    const o = await runTransformation(t, sources, store, new AbortController().signal);
    assert.ok(o.ok, o.ok ? '' : o.error.message);
  }
  return store;
}

describe('a missing or empty value label', () => {
  test('counter, stateset and histogram skip it without default_value (never a "null" sample)', async () => {
    const dir = await dataDir('x_info{app="a"} 1\nx_info{app="b",v=""} 1\nx_info{app="c",v="5"} 1\n');
    const store = await runAll(
      dir,
      `  - {name: c, source_metric: x_info, value_from_label: v, metric_type: counter, preserve_labels: [app]}
  - {name: s, source_metric: x_info, value_from_label: v, metric_type: stateset, states: ["5"], preserve_labels: [app]}
  - {name: h, source_metric: x_info, value_from_label: v, metric_type: histogram, buckets: [1, 10], preserve_labels: [app]}
`,
    );
    const text = await exposition(store);
    assert.doesNotMatch(text, /null|app="a"|app="b"/);
    assert.match(text, /^c_total\{app="c"\} 5$/m);
    assert.match(text, /^s\{app="c",s="5"\} 1$/m);
    assert.match(text, /^h_count\{app="c"\} 1$/m);
  });

  test('a counter default must not be negative, with or without value:', () => {
    assert.match(
      problems(
        'metric_transformations:\n  - {name: c, source_metric: x, value_from_label: v, metric_type: counter, value: {parser: number}, default_value: -1}\n',
      ),
      /a counter cannot be negative/,
    );
  });
});

describe('reloads', () => {
  test('a changed transformation keeps serving its data until its new first run', async () => {
    const dir = await dataDir('kube_node_info{node="n1",minor="28"} 1\n');
    const store = new SnapshotStore();
    const scheduler = new Scheduler(
      { store, metrics: new SelfMetrics(), logger: createLogger('error', 'json', new PassThrough()) },
      { request: () => undefined },
    );
    scheduler.start(config(dir, '  - {name: minor, source_metric: kube_node_info, value_from_label: minor, preserve_labels: [node]}\n'));
    for (let i = 0; i < 400 && !store.get('minor'); i++) await sleep(5);
    assert.equal(store.get('minor')?.series[0]?.value, 28);
    const summary = await scheduler.apply(
      config(
        dir,
        '  - {name: minor, description: "changed", source_metric: kube_node_info, value_from_label: minor, preserve_labels: [node]}\n',
      ),
    );
    assert.deepEqual([summary.changed, summary.removed], [['minor'], []]);
    assert.equal(store.get('minor')?.series[0]?.value, 28, 'still served right after the reload');
    await scheduler.stop();
  });

  test('the same data under a changed type, states or buckets is rendered again, not reused', async () => {
    const dir = await dataDir('x_info{app="a",v="7"} 1\n');
    const store = await runAll(dir, '  - {name: m, source_metric: x_info, value_from_label: v, preserve_labels: [app]}\n');
    assert.match(await exposition(store), /^m\{app="a"\} 7$/m);
    await runAll(dir, '  - {name: m, source_metric: x_info, value_from_label: v, metric_type: counter, preserve_labels: [app]}\n', store);
    assert.match(await exposition(store), /^m_total\{app="a"\} 7$/m);
    await runAll(
      dir,
      '  - {name: m, source_metric: x_info, value_from_label: v, metric_type: histogram, buckets: [10], preserve_labels: [app]}\n',
      store,
    );
    await runAll(
      dir,
      '  - {name: m, source_metric: x_info, value_from_label: v, metric_type: histogram, buckets: [20], preserve_labels: [app]}\n',
      store,
    );
    const text = await exposition(store);
    assert.match(text, /le="20.0"/);
    assert.doesNotMatch(text, /le="10.0"/);
  });
});

describe('family names', () => {
  test("a dynamic name that takes another family's sample name is not served twice", async () => {
    const dir = await dataDir('build_info{app="api",num="3"} 1\n');
    const store = await runAll(
      dir,
      `  - {name: "{{app}}_builds", source_metric: build_info, value_from_label: num, metric_type: counter, preserve_labels: [app]}
  - {name: api_builds_total, source_metric: build_info, value_from_label: num, preserve_labels: [app]}
`,
    );
    const text = await exposition(store);
    assert.equal(text.match(/^# TYPE api_builds_total /gm)?.length, 1, text);
    assert.equal(text.match(/^api_builds_total\{/gm)?.length, 1, text);
    // Remote write pushes what /metrics serves: the family that lost the name pushes nothing.
    const pushed = async (name: string) => (await familySeries(store.get(name) ?? assert.fail(name), store.current())).map((x) => x.key);
    assert.equal((await pushed('{{app}}_builds')).length, 1);
    assert.deepEqual(await pushed('api_builds_total'), []);
  });

  test('a static histogram clashes with a gauge named like one of its series', () => {
    assert.match(
      problems(
        'metric_transformations:\n  - {name: lat, source_metric: x, value_from_label: v, metric_type: histogram, buckets: [1]}\n  - {name: lat_count, source_metric: x, value_from_label: v}\n',
      ),
      /"lat_count" clashes with "lat": a histogram "x" also serves "x_bucket", "x_sum" and "x_count"/,
    );
  });
});

describe('histograms stay valid OpenMetrics', () => {
  test('negative bounds are a config error; negative observations are skipped', () => {
    assert.match(
      problems('metric_transformations:\n  - {name: h, source_metric: x, value_from_label: v, metric_type: histogram, buckets: [-1, 1]}\n'),
      /bucket bounds cannot be negative/,
    );
    const c = parseConfig(
      'metric_transformations:\n  - {name: h, source_metric: x, value_from_label: v, metric_type: histogram, buckets: [1], preserve_labels: [a]}\n',
      'c.yml',
      {},
    );
    const t = new Transformer(c.transformations[0] ?? assert.fail());
    for (const v of ['-5', '1e400', '2']) t.add({ a: v, v }, 1);
    const r = t.finish();
    assert.deepEqual(
      r.series.map((s) => s.labelText),
      ['a="2"'],
    );
    assert.deepEqual([...r.skipped].sort(), [
      ['not_a_histogram_value', 1],
      ['unparseable', 1],
    ]);
  });
});

describe('statesets', () => {
  test('on_collision sum/count and keep_value_label are config errors', () => {
    const base = 'metric_transformations:\n  - {name: s, source_metric: x, value_from_label: v, metric_type: stateset, states: [a, b]';
    assert.match(problems(`${base}, on_collision: count}\n`), /on_collision must be first, last, min, max or error, not count/);
    assert.match(problems(`${base}, on_collision: sum}\n`), /not sum/);
    assert.match(problems(`${base}, keep_value_label: true}\n`), /keep_value_label does not apply/);
  });
});

describe('dynamic names and clear_stale_metrics: false', () => {
  test('kept stale families count towards max_names', () => {
    const c = parseConfig(
      'metric_transformations:\n  - {name: "{{job}}_last", source_metric: x, value_from_label: v, preserve_labels: [job], clear_stale_metrics: false, max_names: 2}\n',
      'c.yml',
      {},
    );
    const t0 = c.transformations[0] ?? assert.fail();
    const first = new Transformer(t0);
    first.add({ job: 'a', v: '1' }, 1);
    first.add({ job: 'b', v: '1' }, 1);
    const previous = first.finish();
    const next = new Transformer(t0, previous);
    next.add({ job: 'c', v: '1' }, 1);
    next.keepStale();
    assert.equal(next.failure?.reason, 'too_many_names');
  });
});

describe('pushdown', () => {
  test('a grouped run that fails sends the next runs back to the whole series', () => {
    const a = new PushdownAdvisor({ pushdown: true });
    a.record(a.use(), 1000); // raw
    assert.equal(a.use(), 'group'); // probe
    a.failed('group');
    assert.equal(a.use(), 'none');
    a.record('none', 1000);
    assert.equal(a.use(), 'none');
  });

  test('pushdown: true where it cannot apply is a config error', () => {
    assert.match(
      problems('metric_transformations:\n  - {name: m, source_metric: x, value_from_label: v, pushdown: true}\n'),
      /pushdown: true cannot apply here/,
    );
  });
});

describe('config details', () => {
  test('query parameter values are blanked in the shown config (they may carry keys)', () => {
    assert.equal(
      redactUrl('https://rw.example/api/v1/write?api_key=s3cr3t&x=1'),
      'https://rw.example/api/v1/write?api_key=<secret>&x=<secret>',
    );
    assert.equal(redactUrl('http://vm:8428'), 'http://vm:8428');
  });

  test('a URL without a scheme is a located config problem, not a crash', () => {
    assert.match(problems('victoriametrics_url: "10.0.0.5:8428"\nmetric_transformations: []\n'), /c\.yml:1:\d+: victoriametrics_url/);
  });
});
