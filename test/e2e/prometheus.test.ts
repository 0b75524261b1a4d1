/**
 * A real Prometheus on both sides: as the source we query (it scrapes the
 * dataset), and as the server that scrapes us and evaluates the seed's alert
 * expression on our output.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPrometheus, type Prometheus } from '../support/prometheus.js';
import { labelsOf } from '../support/promql.js';
import { startStaticServer, type StaticServer } from '../support/static-server.js';
import { withLogs } from '../support/logs.js';
import { EXPECTED_MINOR, family, KUBE_NODE_INFO, NODE_COUNT } from '../support/dataset.js';
import { startExporter, type Exporter } from '../support/exporter.js';

describe('Prometheus as source and as scraper', () => {
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
    exporter = await startExporter(`victoriametrics_url: "${prom.url}"
scrape_interval: 1
metric_transformations:
  - name: "kubelet_minor_version"
    description: "Minor version of kubelet extracted from kube_node_info"
    source_metric: "kube_node_info"
    metric_type: "gauge"
    value_from_label: "minor"
    preserve_labels: [cluster, node, instance]
    default_value: 0
  - name: "node_os_image_info"
    source_metric: "kube_node_info"
    metric_type: "info"
    value_from_label: "os_image"
    preserve_labels: [cluster, node]
`);
    await prom.reload({
      scrapeConfigs: [
        { jobName: 'fixtures', targets: [`127.0.0.1:${fixtures.port}`], honorLabels: true },
        { jobName: 'label-value-exporter', targets: [`127.0.0.1:${exporter.port}`], honorLabels: true },
      ],
    });
  });

  after(async () => {
    await exporter?.stop();
    await prom?.stop();
    await fixtures?.close();
  });

  test('transformations read from a real Prometheus give the same values', async () => {
    await withLogs([exporter.proc, prom.process], async () => {
      // Both transformations' first runs (they start up to 100 ms apart).
      const samples = await exporter.waitForSamples(
        (s) => family(s, 'kubelet_minor_version').size === NODE_COUNT && family(s, 'node_os_image_info').size === NODE_COUNT,
        'all nodes in both families',
      );
      assert.deepEqual(family(samples, 'kubelet_minor_version'), EXPECTED_MINOR);
      assert.equal(samples.get('node_os_image_info{cluster="staging",node="nœud-ünïcödé-節點",os_image="Ubuntu 22.04.3 LTS"}'), 1);
      assert.equal(samples.get('node_os_image_info{cluster="staging",node="back\\\\slash \\"quoted\\"",os_image="multi\\nline"}'), 1);
    });
  });

  test('a real Prometheus scrapes us (OpenMetrics negotiated) and computes the version spread', async () => {
    await withLogs([exporter.proc, prom.process], async () => {
      await prom.waitForTargetsUp('label-value-exporter');
      const spread = await prom.waitForQuery('max(kubelet_minor_version) - min(kubelet_minor_version)', (r) => r.length === 1);
      assert.equal(Number(spread[0]?.value[1]), 30);
      const real = await prom.query('max(kubelet_minor_version > 0) - min(kubelet_minor_version > 0)');
      assert.equal(Number(real[0]?.value[1]), 4);
      const perCluster = await prom.query('max by (cluster) (kubelet_minor_version) - min by (cluster) (kubelet_minor_version)');
      assert.deepEqual(Object.fromEntries(perCluster.map((s) => [labelsOf(s).cluster, Number(s.value[1])])), { prod: 28, staging: 1 });
      const below = await prom.query('kubelet_minor_version{cluster="prod"} < 28');
      assert.deepEqual(below.map((s) => labelsOf(s).node).sort(), ['worker-3', 'worker-4', 'worker-5', 'worker-6']);
      const info = await prom.query('node_os_image_info{node="worker-1"}');
      assert.equal(labelsOf(info[0] ?? { metric: {}, value: [0, ''] }).os_image, 'Ubuntu 22.04.3 LTS');
      const up = await prom.query('up{job="label-value-exporter"}');
      assert.equal(up[0]?.value[1], '1');
      const om = await prom.query('label_value_exporter_metrics_requests_total{format="openmetrics"}');
      assert.ok(Number(om[0]?.value[1]) >= 1, 'Prometheus negotiated OpenMetrics');
      const build = await prom.query('label_value_exporter_build_info');
      assert.equal(build.length, 1);
      assert.match(labelsOf(build[0] ?? { metric: {}, value: [0, ''] }).nodeversion ?? '', /^v\d+\./);
    });
  });
});
