/**
 * `query:` and projection pushdown against the real servers: MetricsQL queries
 * (WITH templates, label_keep, label_value) accepted and served from a real
 * VictoriaMetrics; a PromQL aggregation served from a real Prometheus; and,
 * on both, a pushed-down transformation serving exactly what the same
 * transformation with `pushdown: false` serves, value by value, while the
 * source_series self-metric shows the source really was asked for less.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPrometheus, type Prometheus } from '../support/prometheus.js';
import { startStaticServer, type StaticServer } from '../support/static-server.js';
import { startVictoriaMetrics, type VictoriaMetrics } from '../support/victoria-metrics.js';
import { withLogs } from '../support/logs.js';
import { EXPECTED_MINOR, family, KUBE_NODE_INFO, NODE_COUNT } from '../support/dataset.js';
import { startExporter, type Exporter } from '../support/exporter.js';

/** A family with its name replaced, so two families can be compared series by series. */
function renamed(samples: Map<string, number>, from: string, to: string): Map<string, number> {
  return new Map([...family(samples, from)].map(([k, v]) => [to + k.slice(from.length), v]));
}

function selfMetric(samples: Map<string, number>, name: string, t: string): number | undefined {
  return samples.get(`label_value_exporter_transformation_${name}{transformation="${t}"}`);
}

/**
 * The same pair of transformations for both servers: by cluster (grouping
 * merges series: 7 distinct (cluster, minor) of 8 nodes) and by node (no merge),
 * gauge and info, each once pushed down at every run (pushdown: true) and once with pushdown: false.
 * (The default, auto, decides from the data: test/unit/pushdown-advisor.test.ts.)
 */
const PUSHDOWN_PAIRS = `
  - name: minor_by_cluster
    source_metric: kube_node_info
    value_from_label: minor
    preserve_labels: [cluster]
    default_value: 0
    pushdown: true
  - name: minor_by_cluster_raw
    source_metric: kube_node_info
    value_from_label: minor
    preserve_labels: [cluster]
    default_value: 0
    pushdown: false
  - name: os_by_node_info
    metric_type: info
    source_metric: kube_node_info
    query_filter: 'job="kube-state-metrics"'
    value_from_label: os_image
    preserve_labels: [cluster, node]
    pushdown: true
  - name: os_by_node_raw_info
    metric_type: info
    source_metric: kube_node_info
    query_filter: 'job="kube-state-metrics"'
    value_from_label: os_image
    preserve_labels: [cluster, node]
    pushdown: false
`;
const PAIR_NAMES = ['minor_by_cluster', 'minor_by_cluster_raw', 'os_by_node_info', 'os_by_node_raw_info'];

async function checkPushdownPairs(exporter: Exporter): Promise<void> {
  const s = await exporter.waitForSamples(
    (x) => PAIR_NAMES.every((n) => selfMetric(x, 'last_run_success', n) === 1),
    'every pushdown pair ran',
  );
  // Identical output, value by value.
  assert.deepEqual(renamed(s, 'minor_by_cluster_raw', 'minor_by_cluster'), family(s, 'minor_by_cluster'));
  assert.deepEqual(
    family(s, 'minor_by_cluster'),
    new Map([
      ['minor_by_cluster{cluster="prod"}', 28],
      ['minor_by_cluster{cluster="staging"}', 30],
    ]),
  );
  assert.deepEqual(renamed(s, 'os_by_node_raw_info', 'os_by_node_info'), family(s, 'os_by_node_info'));
  assert.equal(family(s, 'os_by_node_info').size, NODE_COUNT);
  // The source answered the pushed-down query with one series per (cluster, minor): it was asked for less.
  assert.equal(selfMetric(s, 'source_series', 'minor_by_cluster_raw'), NODE_COUNT);
  assert.equal(selfMetric(s, 'source_series', 'minor_by_cluster'), 7);
  assert.equal(selfMetric(s, 'source_series', 'os_by_node_info'), NODE_COUNT);
}

describe('query: and pushdown against a real VictoriaMetrics', () => {
  let vm: VictoriaMetrics;
  let exporter: Exporter;

  before(async () => {
    vm = await startVictoriaMetrics();
    await vm.importPrometheus(KUBE_NODE_INFO);
    await vm.waitForSeries('kube_node_info', NODE_COUNT);
    // victoriametrics_url: the prototype's source, flavor victoriametrics (MetricsQL accepted).
    exporter = await startExporter(`victoriametrics_url: "${vm.url}"
scrape_interval: 1
metric_transformations:
  - name: prod_minor_version
    query: 'WITH (k = kube_node_info{cluster="prod"}) label_keep(k, "node", "minor")'
    value_from_label: minor
    preserve_labels: [node]
    default_value: 0
  - name: recent_kubelet_info
    metric_type: info
    query: |
      label_keep(kube_node_info, "node", "minor")
        and on (node) label_value(kube_node_info, "minor") >= 28
    value_from_label: minor
    preserve_labels: [node]
  - name: nothing_matches
    query: 'label_keep(kube_node_info{cluster="nowhere"}, "node")'
    value_from_label: minor
  # pushdown: auto (the default) on VictoriaMetrics: per node nothing merges, so label_keep;
  # per (cluster) 8 series group to 7 (less than 2x), so label_keep is tried, refused
  # ("duplicate output timeseries") and the run asks again for the whole series.
  - name: minor_by_node_auto
    source_metric: kube_node_info
    value_from_label: minor
    preserve_labels: [cluster, node]
    default_value: 0
  - name: minor_by_node_plain
    source_metric: kube_node_info
    value_from_label: minor
    preserve_labels: [cluster, node]
    default_value: 0
    pushdown: false
  - name: minor_by_cluster_auto
    source_metric: kube_node_info
    value_from_label: minor
    preserve_labels: [cluster]
    default_value: 0
${PUSHDOWN_PAIRS}`);
  });
  after(async () => {
    await exporter?.stop();
    await vm?.stop();
  });

  test('pushdown: auto uses label_keep where nothing merges, and falls back when VictoriaMetrics refuses it', async () => {
    await withLogs([exporter.proc, vm.process], async () => {
      const projection = (x: Map<string, number>, t: string, p: string) =>
        x.get(`label_value_exporter_transformation_source_projection{transformation="${t}",projection="${p}"}`);
      const runs = (x: Map<string, number>, t: string, result: string) =>
        x.get(`label_value_exporter_transformation_runs_total{transformation="${t}",result="${result}"}`) ?? 0;
      // Run 1 whole, run 2 grouped (the probe), run 3 on: label_keep, or the whole series after a refusal.
      const s = await exporter.waitForSamples(
        (x) => runs(x, 'minor_by_node_auto', 'success') >= 4 && runs(x, 'minor_by_cluster_auto', 'success') >= 4,
        'four runs of both auto transformations',
        30_000,
      );
      assert.equal(projection(s, 'minor_by_node_auto', 'keep'), 1);
      assert.deepEqual(renamed(s, 'minor_by_node_plain', 'minor_by_node_auto'), family(s, 'minor_by_node_auto'));
      assert.deepEqual(
        family(s, 'minor_by_node_auto'),
        new Map(
          [...EXPECTED_MINOR].map(([k, v]) => [
            k.replace(/^kubelet_minor_version\{/, 'minor_by_node_auto{').replace(/,?instance="[^"]*"/, ''),
            v,
          ]),
        ),
      );
      assert.equal(projection(s, 'minor_by_cluster_auto', 'none'), 1);
      assert.equal(projection(s, 'minor_by_cluster_auto', 'keep'), 0);
      assert.deepEqual(renamed(s, 'minor_by_cluster_raw', 'minor_by_cluster_auto'), family(s, 'minor_by_cluster_auto'));
      // The refusal was absorbed inside the run: no run failed.
      assert.equal(runs(s, 'minor_by_cluster_auto', 'failure'), 0);
      assert.equal(runs(s, 'minor_by_node_auto', 'failure'), 0);
    });
  });

  test('a MetricsQL query with a WITH template and label_keep is accepted and served', async () => {
    await withLogs([exporter.proc, vm.process], async () => {
      const s = await exporter.waitForSamples((x) => family(x, 'prod_minor_version').size > 0, 'prod_minor_version');
      assert.deepEqual(
        family(s, 'prod_minor_version'),
        new Map([
          ['prod_minor_version{node="worker-1"}', 28],
          ['prod_minor_version{node="worker-2"}', 28],
          ['prod_minor_version{node="worker-3"}', 26],
          ['prod_minor_version{node="worker-4"}', 0],
          ['prod_minor_version{node="worker-5"}', 0],
          ['prod_minor_version{node="worker-6"}', 0],
        ]),
      );
      const help = (await exporter.metricsText()).split('\n').find((l) => l.startsWith('# HELP prod_minor_version '));
      assert.equal(
        help,
        '# HELP prod_minor_version Value of label "minor" of WITH (k = kube_node_info{cluster="prod"}) label_keep(k, "node", "minor").',
      );
    });
  });

  test('a MetricsQL query with label_value() filters by the number in a label', async () => {
    await withLogs([exporter.proc, vm.process], async () => {
      const s = await exporter.waitForSamples((x) => family(x, 'recent_kubelet_info').size > 0, 'recent_kubelet_info');
      assert.deepEqual(
        family(s, 'recent_kubelet_info'),
        new Map([
          ['recent_kubelet_info{minor="28",node="worker-1"}', 1],
          ['recent_kubelet_info{minor="30",node="nœud-ünïcödé-節點"}', 1],
        ]),
      );
    });
  });

  test('a query that matches nothing fails its run, and the log names the query', async () => {
    await withLogs([exporter.proc, vm.process], async () => {
      await exporter.waitForSamples((x) => selfMetric(x, 'last_run_success', 'nothing_matches') === 0, 'nothing_matches failed');
      assert.match(
        exporter.proc.logs(),
        /the source returned no series for label_keep\(kube_node_info\{cluster=\\?"nowhere\\?"\}, \\?"node\\?"\)/,
      );
    });
  });

  test('pushed down and not pushed down serve the same series and values', async () => {
    await withLogs([exporter.proc, vm.process], () => checkPushdownPairs(exporter));
  });
});

describe('query: and pushdown against a real Prometheus', () => {
  let fixtures: StaticServer;
  let prom: Prometheus;
  let exporter: Exporter;

  before(async () => {
    fixtures = await startStaticServer();
    fixtures.set('/metrics', KUBE_NODE_INFO);
    prom = await startPrometheus({
      scrapeConfigs: [{ jobName: 'fixtures', targets: [`127.0.0.1:${fixtures.port}`], honorLabels: true }],
    });
    await prom.waitForQuery('count(kube_node_info)', (r) => Number(r[0]?.value[1]) === NODE_COUNT);
    exporter = await startExporter(`sources:
  - name: default
    type: prometheus
    url: "${prom.url}"
    flavor: prometheus
scrape_interval: 1
metric_transformations:
  - name: kubelet_minor_by_node
    query: 'max by (cluster, node, minor) (kube_node_info)'
    value_from_label: minor
    preserve_labels: [cluster, node]
    default_value: 0
${PUSHDOWN_PAIRS}`);
  });
  after(async () => {
    await exporter?.stop();
    await prom?.stop();
    await fixtures?.close();
  });

  test('a PromQL aggregation query is served with the values of every node', async () => {
    await withLogs([exporter.proc, prom.process], async () => {
      const s = await exporter.waitForSamples((x) => family(x, 'kubelet_minor_by_node').size === NODE_COUNT, 'kubelet_minor_by_node');
      // The seed's expected values, without the instance label the aggregation dropped.
      const expected = new Map(
        [...EXPECTED_MINOR].map(([k, v]) => [
          k.replace('kubelet_minor_version', 'kubelet_minor_by_node').replace(/,instance="[^"]*"/, ''),
          v,
        ]),
      );
      assert.deepEqual(family(s, 'kubelet_minor_by_node'), expected);
    });
  });

  test('pushed down and not pushed down serve the same series and values', async () => {
    await withLogs([exporter.proc, prom.process], () => checkPushdownPairs(exporter));
  });
});
