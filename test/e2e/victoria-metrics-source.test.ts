/**
 * The seed's own example config against a real VictoriaMetrics: values checked
 * one by one, both exposition formats, gzip, promtool, and series that vanish.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { promtoolCheckMetrics } from '../support/promtool.js';
import { startVictoriaMetrics, type VictoriaMetrics } from '../support/victoria-metrics.js';
import { withLogs } from '../support/logs.js';
import { EXPECTED_MINOR, family, KUBE_NODE_INFO, NODE_COUNT } from '../support/dataset.js';
import { REPO, startExporter, type Exporter } from '../support/exporter.js';

function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

describe('VictoriaMetrics as the source', () => {
  let vm: VictoriaMetrics;
  let exporter: Exporter | undefined;

  before(async () => {
    vm = await startVictoriaMetrics();
    await vm.importPrometheus(KUBE_NODE_INFO);
    await vm.waitForSeries('kube_node_info', NODE_COUNT);
  });
  after(async () => {
    await exporter?.stop();
    await vm?.stop();
  });

  test('the seed example config, unchanged but for its URL, serves every value', async () => {
    const seed = await readFile(path.join(REPO, 'examples/seed/kubelet-minor-version.yml'), 'utf8');
    const yaml = seed.replace('http://vmselect:8481/select/0/prometheus', vm.url);
    assert.notEqual(yaml, seed);
    exporter = await startExporter(yaml);
    const ex = exporter;
    await withLogs([ex.proc, vm.process], async () => {
      const samples = await ex.waitForSamples((s) => family(s, 'kubelet_minor_version').size > 0, 'kubelet_minor_version');
      assert.deepEqual(family(samples, 'kubelet_minor_version'), EXPECTED_MINOR);
      assert.equal(samples.get('label_value_exporter_transformation_last_run_success{transformation="kubelet_minor_version"}'), 1);
      assert.equal(samples.get('label_value_exporter_transformation_source_series{transformation="kubelet_minor_version"}'), NODE_COUNT);
      assert.equal(samples.get('label_value_exporter_transformation_series{transformation="kubelet_minor_version"}'), NODE_COUNT);
      assert.equal(samples.get('label_value_exporter_transformation_defaulted_series_total{transformation="kubelet_minor_version"}'), 3);
    });
  });

  test('live /metrics passes promtool check metrics with no lint complaint', async () => {
    assert.ok(exporter);
    const lint = await promtoolCheckMetrics(await exporter.metricsText());
    assert.equal(lint.code, 0, lint.output);
    assert.equal(lint.output.trim(), '');
  });

  test('OpenMetrics when asked, gzip when asked', async () => {
    assert.ok(exporter);
    const om = await rawGet(`${exporter.url}/metrics`, { accept: 'application/openmetrics-text;version=1.0.0', 'accept-encoding': 'gzip' });
    assert.equal(om.status, 200);
    assert.match(String(om.headers['content-type']), /^application\/openmetrics-text; version=1.0.0/);
    assert.equal(om.headers['content-encoding'], 'gzip');
    const body = gunzipSync(om.body).toString('utf8');
    assert.ok(body.endsWith('# EOF\n'));
    assert.match(body, /^# TYPE label_value_exporter_transformation_runs counter$/m);
    assert.match(body, /^kubelet_minor_version\{cluster="prod",instance="10.0.0.10:8080",node="worker-1"\} 28$/m);
    const text = await rawGet(`${exporter.url}/metrics`, {});
    assert.match(String(text.headers['content-type']), /^text\/plain; version=0.0.4/);
    assert.equal(text.headers['content-encoding'], undefined);
  });

  test('series that vanish from the source vanish from us, unless clear_stale_metrics is false', async () => {
    const yaml = `victoriametrics_url: "${vm.url}"
scrape_interval: 1
metric_transformations:
  - name: cleared
    source_metric: kube_node_info
    value_from_label: minor
    preserve_labels: [cluster, node]
    query_filter: 'cluster="prod"'
  - name: kept
    source_metric: kube_node_info
    value_from_label: minor
    preserve_labels: [cluster, node]
    query_filter: 'cluster="prod"'
    clear_stale_metrics: false
`;
    const ex = await startExporter(yaml);
    try {
      await withLogs([ex.proc, vm.process], async () => {
        await ex.waitForSamples((s) => family(s, 'cleared').size === 3 && family(s, 'kept').size === 3, 'both families with 3 series');
        await vm.deleteSeries('kube_node_info{node="worker-1"}');
        const after = await ex.waitForSamples((s) => family(s, 'cleared').size === 2, 'worker-1 to vanish from "cleared"');
        assert.equal(after.get('cleared{cluster="prod",node="worker-1"}'), undefined);
        assert.equal(after.get('kept{cluster="prod",node="worker-1"}'), 28);
        assert.equal(family(after, 'kept').size, 3);
      });
    } finally {
      await ex.stop();
    }
  });
});
