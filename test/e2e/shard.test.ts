/**
 * Sharding end to end: a real VictoriaMetrics with ~1000 info series, three
 * exporter processes with `--shard.count 3 --shard.index 0..2` and one
 * unsharded exporter over the same config file, and a real Prometheus
 * scraping all four. The union of the three shards' derived series equals the
 * unsharded exporter's, series by series and value by value, with no series
 * on two shards; Prometheus counts the same. A reload that adds a
 * transformation and switches another to `shard_by: series` re-evaluates
 * ownership on every replica and keeps the union whole.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withLogs } from '../support/logs.js';
import { startPrometheus, type Prometheus } from '../support/prometheus.js';
import { makeTempDir } from '../support/temp.js';
import { waitFor } from '../support/wait.js';
import { startVictoriaMetrics, type VictoriaMetrics } from '../support/victoria-metrics.js';
import { ownerOfTransformation } from '../../src/transform/shard.js';
import { CLI, startExporterWithFile, type Exporter } from '../support/exporter.js';

const CLUSTERS = 4;
const NODES = 50;
const PODS_PER_NODE = 3;
const SOURCE_SERIES = CLUSTERS * NODES * (1 + PODS_PER_NODE);

/** Node and pod info series; pods of one node collapse onto one output series in `pod_restarts_by_node`. */
function dataset(): string {
  const lines: string[] = [];
  for (let c = 0; c < CLUSTERS; c++) {
    for (let n = 0; n < NODES; n++) {
      const minor = n % 7 === 0 ? '' : String(20 + ((n * 7 + c) % 11));
      lines.push(
        `kube_node_info{cluster="c${c}",node="node-${n}",minor="${minor}",os_image="Ubuntu ${20 + (n % 3)}.04",kernel="6.${n % 9}.0",runtime="containerd://1.${n % 5}.${c}"} 1`,
      );
      for (let p = 0; p < PODS_PER_NODE; p++) {
        lines.push(
          `kube_pod_info{cluster="c${c}",node="node-${n}",namespace="ns-${p}",pod="pod-${n}-${p}",restarts="${(n * 3 + p * 5 + c) % 13}"} 1`,
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

const BY_TRANSFORMATION = ['kubelet_minor_version', 'node_os_image_info', 'node_kernel_info', 'node_container_runtime_info'];
const BY_SERIES = ['pod_restarts', 'pod_restarts_by_node'];

function config(vmUrl: string, extra = ''): string {
  return `victoriametrics_url: "${vmUrl}"
scrape_interval: 2
metric_transformations:
  - name: kubelet_minor_version
    source_metric: kube_node_info
    value_from_label: minor
    preserve_labels: [cluster, node]
    default_value: 0
  - name: node_os_image_info
    source_metric: kube_node_info
    metric_type: info
    value_from_label: os_image
    preserve_labels: [cluster, node]${extra.includes('os_series') ? '\n    shard_by: series' : ''}
  - name: node_kernel_info
    source_metric: kube_node_info
    metric_type: info
    value_from_label: kernel
    preserve_labels: [cluster, node]
  - name: node_container_runtime_info
    source_metric: kube_node_info
    metric_type: info
    value_from_label: runtime
    preserve_labels: [cluster]
    on_collision: first
  - name: pod_restarts
    source_metric: kube_pod_info
    value_from_label: restarts
    preserve_labels: [cluster, namespace, pod]
    shard_by: series
  # Many pods per output series: collisions are resolved (summed) before the split.
  - name: pod_restarts_by_node
    source_metric: kube_pod_info
    value_from_label: restarts
    preserve_labels: [cluster, node]
    on_collision: sum
    shard_by: series
${
  extra.includes('arch')
    ? `  - name: node_arch_info
    source_metric: kube_node_info
    metric_type: info
    value_from_label: kernel
    preserve_labels: [node]
`
    : ''
}`;
}

const EXPECTED_SERIES = 200 * 3 + 4 * 5 + 600 + 200;

const OWN = /^(label_value_exporter_|process_|nodejs_)/;

/** The derived series of one /metrics (the exporter's own metrics left out). */
async function derived(e: Exporter): Promise<Map<string, number>> {
  return new Map([...(await e.samples())].filter(([k]) => !OWN.test(k)));
}

async function waitReady(e: Exporter): Promise<void> {
  await waitFor(async () => (await fetch(`${e.url}/-/ready`)).status === 200, {
    timeoutMs: 20_000,
    intervalMs: 100,
    what: `${e.url} ready`,
    process: e.proc,
  });
}

/** Asserts the shards' union is the whole, each series on exactly one shard; returns the number of series. */
function assertPartition(parts: Array<Map<string, number>>, whole: Map<string, number>): number {
  const union = new Map<string, number>();
  for (const [i, part] of parts.entries()) {
    for (const [k, v] of part) {
      assert.equal(union.has(k), false, `${k} is served by two shards (again by shard ${i})`);
      union.set(k, v);
    }
  }
  assert.equal(union.size, whole.size, 'as many series as the unsharded exporter');
  assert.deepEqual(new Map([...union].sort()), new Map([...whole].sort()));
  return union.size;
}

describe('sharding: three replicas serve exactly what one serves', () => {
  let vm: VictoriaMetrics;
  let prom: Prometheus | undefined;
  let configFile: string;
  const shards: Exporter[] = [];
  let whole: Exporter;

  before(async () => {
    vm = await startVictoriaMetrics();
    await vm.importPrometheus(dataset());
    await vm.waitForSeries('{__name__=~"kube_node_info|kube_pod_info"}', SOURCE_SERIES);
    configFile = path.join(await makeTempDir('shard'), 'config.yml');
    await writeFile(configFile, config(vm.url));
    // One config file for all, as a ConfigMap would be.
    for (let i = 0; i < 3; i++) shards.push(await startExporterWithFile(configFile, ['--shard.count', '3', '--shard.index', String(i)]));
    whole = await startExporterWithFile(configFile);
    for (const e of [...shards, whole]) await waitReady(e);
  });

  after(async () => {
    await prom?.stop();
    for (const e of [...shards, whole]) await e?.stop();
    await vm?.stop();
  });

  const procs = () => [vm.process, ...shards.map((s) => s.proc), whole?.proc, prom?.process];

  test('every shard index owns a transformation in this config (the split is really exercised)', () => {
    assert.deepEqual(new Set(BY_TRANSFORMATION.map((n) => ownerOfTransformation(n, 3))), new Set([0, 1, 2]));
  });

  test('the union of the shards equals the unsharded exporter, series by series and value by value', async () => {
    await withLogs(procs(), async () => {
      const parts = await Promise.all(shards.map(derived));
      const all = await derived(whole);
      const n = assertPartition(parts, all);
      // 200 nodes in each of 3 node families, 5 runtimes per cluster, 600 pods, 200 nodes of pods.
      assert.equal(n, EXPECTED_SERIES);
      for (const [i, part] of parts.entries()) {
        const names = new Set([...part.keys()].map((k) => k.slice(0, k.indexOf('{'))));
        for (const t of BY_TRANSFORMATION) assert.equal(names.has(t), ownerOfTransformation(t, 3) === i, `${t} on shard ${i}`);
        // shard_by: series: every replica serves a part, about a third.
        for (const t of BY_SERIES) {
          const mine = [...part.keys()].filter((k) => k.startsWith(`${t}{`)).length;
          const total = [...all.keys()].filter((k) => k.startsWith(`${t}{`)).length;
          assert.ok(mine > total / 6 && mine < total / 2, `${t}: shard ${i} serves ${mine} of ${total}`);
        }
      }
      // Collisions resolved over the whole source before the split: a node's pods summed on one shard.
      const c0n1 = [0, 1, 2].reduce((sum, p) => sum + ((1 * 3 + p * 5 + 0) % 13), 0);
      assert.equal(all.get('pod_restarts_by_node{cluster="c0",node="node-1"}'), c0n1);
    });
  });

  test('self-metrics: shard_info on each replica; every transformation owned exactly once, series-split ones everywhere', async () => {
    const owned = new Map<string, number>();
    for (const [i, s] of shards.entries()) {
      const m = await s.samples();
      assert.equal(m.get(`label_value_exporter_shard_info{index="${i}",count="3"}`), 1);
      for (const [k, v] of m) {
        const t = /^label_value_exporter_transformation_owned\{transformation="(\w+)"\}$/.exec(k)?.[1];
        if (t) owned.set(t, (owned.get(t) ?? 0) + v);
      }
      // Self-metrics of a transformation another shard runs are absent here (not zero).
      for (const t of BY_TRANSFORMATION) {
        assert.equal(
          m.has(`label_value_exporter_transformation_last_run_success{transformation="${t}"}`),
          ownerOfTransformation(t, 3) === i,
        );
      }
    }
    assert.deepEqual(
      Object.fromEntries([...owned].sort()),
      Object.fromEntries([...BY_TRANSFORMATION.map((t) => [t, 1]), ...BY_SERIES.map((t) => [t, 3])].sort()),
    );
    const w = await whole.samples();
    assert.equal(w.get('label_value_exporter_shard_info{index="0",count="1"}'), 1);
  });

  test('the status page says which transformations another shard runs', async () => {
    const t = 'kubelet_minor_version';
    const other = shards.find((_, i) => i !== ownerOfTransformation(t, 3));
    assert.ok(other);
    const html = await (await fetch(`${other.url}/`)).text();
    assert.match(html, new RegExp(`data-transformation="${t}" data-state="not-owned"`));
    assert.match(html, new RegExp(`not owned by this shard: runs on shard ${ownerOfTransformation(t, 3)} \\(this is shard \\d of 3\\)`));
    const owner = shards[ownerOfTransformation(t, 3)];
    assert.ok(owner);
    assert.match(await (await fetch(`${owner.url}/`)).text(), new RegExp(`data-transformation="${t}" data-state="ok"`));
  });

  test('a real Prometheus scraping the three replicas counts what it counts on the unsharded one', async () => {
    const targets = shards.map((s) => `127.0.0.1:${s.port}`);
    prom = await startPrometheus({
      scrapeConfigs: [
        { jobName: 'sharded', targets },
        { jobName: 'whole', targets: [`127.0.0.1:${whole.port}`] },
      ],
    });
    const p = prom;
    await withLogs(procs(), async () => {
      await p.waitForTargetsUp('sharded');
      await p.waitForTargetsUp('whole');
      const names = [...BY_TRANSFORMATION, ...BY_SERIES].join('|');
      const sel = (job: string) => `{job="${job}",__name__=~"${names}"}`;
      const wholeCount = await p.waitForQuery(`count(${sel('whole')})`, (r) => Number(r[0]?.value[1]) === EXPECTED_SERIES);
      await p.waitForQuery(`count(${sel('sharded')})`, (r) => r[0]?.value[1] === wholeCount[0]?.value[1]);
      // Value by value, per family (aggregations drop the metric name).
      for (const name of [...BY_TRANSFORMATION, ...BY_SERIES]) {
        // No series twice: grouping away the instance leaves one per group.
        assert.deepEqual(await p.query(`count without (instance) (${name}{job="sharded"}) > 1`), [], `${name} on two shards`);
        const diff = await p.query(
          `sum without (instance, job) (${name}{job="sharded"}) != sum without (instance, job) (${name}{job="whole"})`,
        );
        assert.deepEqual(diff, [], `${name} differs`);
        const missing = await p.query(
          `sum without (instance, job) (${name}{job="whole"}) unless sum without (instance, job) (${name}{job="sharded"})`,
        );
        assert.deepEqual(missing, [], `${name} missing from the shards`);
      }
      // The operator's view: a transformation nobody runs would show as 0 here.
      const owners = await p.query('sum by (transformation) (label_value_exporter_transformation_owned{job="sharded"}) == 0');
      assert.deepEqual(owners, []);
    });
  });

  test('a reload re-evaluates ownership on every replica and keeps the union whole', async () => {
    const before = await Promise.all(shards.map(derived));
    await writeFile(configFile, config(vm.url, 'os_series arch'));
    for (const e of [...shards, whole]) {
      const res = await fetch(`${e.url}/-/reload`, { method: 'POST' });
      assert.equal(res.status, 200, await res.text());
    }
    await withLogs(procs(), async () => {
      await waitFor(
        async () => {
          const w = await derived(whole);
          if (![...w.keys()].some((k) => k.startsWith('node_arch_info{'))) return false;
          const parts = await Promise.all(shards.map(derived));
          const union = parts.reduce((n, p) => n + p.size, 0);
          return union === w.size && parts.every((p) => [...p.keys()].some((k) => k.startsWith('node_os_image_info{')));
        },
        { timeoutMs: 20_000, intervalMs: 200, what: 'every shard serving its part of node_os_image_info and the union whole' },
      );
      const parts = await Promise.all(shards.map(derived));
      assertPartition(parts, await derived(whole));
      // The transformations that did not change stayed where they were.
      for (const t of ['kubelet_minor_version', 'node_kernel_info', 'node_container_runtime_info']) {
        const i = ownerOfTransformation(t, 3);
        const pick = (m: Map<string, number>) => [...m].filter(([k]) => k.startsWith(`${t}{`));
        assert.deepEqual(pick(parts[i] ?? new Map()), pick(before[i] ?? new Map()));
      }
      for (const [i, s] of shards.entries()) {
        const m = await s.samples();
        assert.equal(
          m.get('label_value_exporter_transformation_owned{transformation="node_os_image_info"}'),
          1,
          `shard ${i} runs node_os_image_info now`,
        );
        assert.equal(
          m.get('label_value_exporter_transformation_owned{transformation="node_arch_info"}'),
          ownerOfTransformation('node_arch_info', 3) === i ? 1 : 0,
        );
      }
    });
  });
});

describe('shard flags and check', () => {
  function cli(args: string[]) {
    return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
  }

  test('bad --shard.* values end the program with a clear error and exit 1', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--shard.count', '3'], /--shard.count 3 needs --shard.index \(0 to 2\)/],
      [
        ['--shard.count', '3', '--shard.index', '3'],
        /--shard.index must be an integer with 0 <= index < --shard.count \(got index 3, count 3\)/,
      ],
      [['--shard.count', '0', '--shard.index', '0'], /option '--shard.count <n>' argument '0' is invalid\. expected a positive integer/],
      [['--shard.count', '2', '--shard.index', 'one'], /option '--shard.index <i>' argument 'one' is invalid\. expected an integer >= 0/],
      [['--shard.index', '1'], /got index 1, count 1/],
    ];
    for (const [args, message] of cases) {
      const r = cli(['--config.file', '/nonexistent.yml', ...args]);
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });

  test('check --shard.count prints which shard runs each transformation', async () => {
    const file = path.join(await makeTempDir('shard-check'), 'config.yml');
    await writeFile(file, config('http://127.0.0.1:1'));
    const r = cli(['check', '--config.file', file, '--shard.count', '3']);
    assert.equal(r.status, 0, r.stderr);
    for (const t of BY_TRANSFORMATION) assert.match(r.stdout, new RegExp(`^  ${t}: shard ${ownerOfTransformation(t, 3)}$`, 'm'));
    for (const t of BY_SERIES) assert.match(r.stdout, new RegExp(`^  ${t}: every shard \\(split by series, shard_by: series\\)$`, 'm'));
    assert.match(
      r.stdout,
      /transformations per shard: shard 0: \d \+ 2 split by series; shard 1: \d \+ 2 split by series; shard 2: \d \+ 2 split by series/,
    );
  });

  test('preview with --shard.* says "not owned by this shard" instead of printing nothing', async () => {
    const file = path.join(await makeTempDir('shard-preview'), 'config.yml');
    await writeFile(file, config('http://127.0.0.1:1'));
    const t = 'kubelet_minor_version';
    const index = (ownerOfTransformation(t, 3) + 1) % 3;
    const r = cli(['preview', '--config.file', file, '--transformation', t, '--shard.count', '3', '--shard.index', String(index)]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`${t}: not owned by this shard \\(shard ${index} of 3\\); runs on shard ${ownerOfTransformation(t, 3)}`),
    );
  });
});
