/**
 * A failing source never empties or corrupts what we serve: the real
 * VictoriaMetrics process is stopped and restarted mid-way, and a local
 * fault-injecting server answers with every kind of garbage.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { startVictoriaMetrics } from '../support/victoria-metrics.js';
import { withLogs } from '../support/logs.js';
import { family, KUBE_NODE_INFO, NODE_COUNT } from './dataset.js';
import { startExporter } from './exporter.js';

const T = 'transformation="kubelet_minor_version"';
const CONFIG = (url: string) => `victoriametrics_url: "${url}"
scrape_interval: 1
max_staleness: 1h
metric_transformations:
  - name: kubelet_minor_version
    source_metric: kube_node_info
    value_from_label: minor
    preserve_labels: [cluster, node]
    default_value: 0
`;

describe('source failures', () => {
  test('VictoriaMetrics stopped mid-way: last good values stay, the failure is counted, recovery follows', async () => {
    const vm = await startVictoriaMetrics();
    await vm.importPrometheus(KUBE_NODE_INFO);
    await vm.waitForSeries('kube_node_info', NODE_COUNT);
    const ex = await startExporter(CONFIG(vm.url)).catch(async (e: unknown) => {
      await vm.stop();
      throw e;
    });
    try {
      await withLogs([ex.proc, vm.process], async () => {
        const good = await ex.waitForSamples((s) => family(s, 'kubelet_minor_version').size === NODE_COUNT, 'first good run');
        await vm.stop();
        const failing = await ex.waitForSamples((s) => s.get(`label_value_exporter_transformation_last_run_success{${T}}`) === 0, 'a failed run');
        assert.deepEqual(family(failing, 'kubelet_minor_version'), family(good, 'kubelet_minor_version'));
        assert.ok((failing.get(`label_value_exporter_transformation_failures_total{${T},reason="connection"}`) ?? 0) >= 1);
        assert.ok((failing.get(`label_value_exporter_source_requests_total{source="default",code="connection"}`) ?? 0) >= 1);
        await vm.restart();
        const back = await ex.waitForSamples((s) => s.get(`label_value_exporter_transformation_last_run_success{${T}}`) === 1, 'recovery');
        assert.deepEqual(family(back, 'kubelet_minor_version'), family(good, 'kubelet_minor_version'));
        assert.ok((back.get(`label_value_exporter_transformation_runs_total{${T},result="success"}`) ?? 0) >= 2);
      });
      const logs = ex.proc.logs();
      assert.equal(logs.match(/transformation run failed/g)?.length, 1, `one log line per state change, not per run:\n${logs}`);
      assert.match(logs, /transformation recovered/);
    } finally {
      await ex.stop();
      await vm.stop();
    }
  });

  test('garbage answers are failed runs with a specific reason and never replace good data', async () => {
    const good = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [
      { metric: { __name__: 'kube_node_info', cluster: 'a', node: 'n1', minor: '28' }, value: [1, '1'] },
      { metric: { __name__: 'kube_node_info', cluster: 'a', node: 'n2', minor: '29' }, value: [1, '1'] },
    ] } });
    type Mode = 'good' | 'html' | 'error' | 'truncated' | 'hang' | 'empty-ok';
    let mode: Mode = 'good';
    const server: Server = createServer((req, res) => {
      req.resume();
      const json = (status: number, body: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(body);
      switch (mode) {
        case 'good': return json(200, good);
        case 'html': return res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1></body></html>');
        case 'error': return json(422, '{"status":"error","errorType":"execution","error":"too many series"}');
        case 'truncated': return json(200, good.slice(0, 60));
        case 'empty-ok': return json(200, '');
        case 'hang': return; // never answers: the run times out
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const ex = await startExporter(CONFIG(url));
    const expected = new Map([
      ['kubelet_minor_version{cluster="a",node="n1"}', 28],
      ['kubelet_minor_version{cluster="a",node="n2"}', 29],
    ]);
    try {
      await withLogs([ex.proc], async () => {
        await ex.waitForSamples((s) => family(s, 'kubelet_minor_version').size === 2, 'good data');
        const cases: Array<[Mode, string]> = [['html', 'http_status'], ['error', 'error_envelope'], ['truncated', 'bad_response'], ['empty-ok', 'bad_response'], ['hang', 'timeout']];
        for (const [m, reason] of cases) {
          mode = m;
          const key = `label_value_exporter_transformation_failures_total{${T},reason="${reason}"}`;
          const before = (await ex.samples()).get(key) ?? 0;
          const s = await ex.waitForSamples((x) => (x.get(key) ?? 0) > before, `a ${reason} failure for mode ${m}`);
          assert.deepEqual(family(s, 'kubelet_minor_version'), expected, `after ${m}`);
          assert.equal(s.get(`label_value_exporter_transformation_last_run_success{${T}}`), 0);
        }
        mode = 'good';
        await ex.waitForSamples((x) => x.get(`label_value_exporter_transformation_last_run_success{${T}}`) === 1, 'recovery');
      });
      const logs = ex.proc.logs();
      assert.match(logs, /reason=http_status err="HTTP 502 \(text\/html\): not a Prometheus API answer, body starts with \\"<html><body><h1>502 Bad Gateway/);
      assert.match(logs, /reason=error_envelope err="HTTP 422: execution: too many series"/);
    } finally {
      await ex.stop();
      server.closeAllConnections();
      server.close();
    }
  });
});
