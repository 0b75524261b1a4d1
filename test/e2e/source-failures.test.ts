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
import { family, KUBE_NODE_INFO, NODE_COUNT } from '../support/dataset.js';
import { startExporter } from '../support/exporter.js';

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
    timeout: 3s
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
        const failing = await ex.waitForSamples(
          (s) => s.get(`label_value_exporter_transformation_last_run_success{${T}}`) === 0,
          'a failed run',
        );
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
    const good = JSON.stringify({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { __name__: 'kube_node_info', cluster: 'a', node: 'n1', minor: '28' }, value: [1, '1'] },
          { metric: { __name__: 'kube_node_info', cluster: 'a', node: 'n2', minor: '29' }, value: [1, '1'] },
        ],
      },
    });
    type Mode = 'good' | 'html' | 'error' | 'truncated' | 'hang' | 'empty-ok' | 'no-series' | 'unavailable';
    let mode: Mode = 'good';
    const server: Server = createServer((req, res) => {
      req.resume();
      const json = (status: number, body: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(body);
      switch (mode) {
        case 'good':
          return json(200, good);
        case 'html':
          return res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1></body></html>');
        case 'error':
          return json(422, '{"status":"error","errorType":"execution","error":"too many series"}');
        case 'truncated':
          return json(200, good.slice(0, 60));
        case 'empty-ok':
          return json(200, '');
        case 'no-series':
          return json(200, '{"status":"success","data":{"resultType":"vector","result":[]}}');
        case 'unavailable':
          return json(503, '{"status":"error","errorType":"unavailable","error":"storage is starting"}');
        case 'hang':
          return; // never answers: the run times out
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
        const cases: Array<[Mode, string]> = [
          ['html', 'http_status'],
          ['error', 'error_envelope'],
          ['truncated', 'bad_response'],
          ['empty-ok', 'bad_response'],
          ['no-series', 'empty_result'],
          ['unavailable', 'error_envelope'],
          ['hang', 'timeout'],
        ];
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
      assert.match(
        logs,
        /reason=http_status err="HTTP 502 \(text\/html\): \\"<html><body><h1>502 Bad Gateway.*\(not a Prometheus API answer\)/,
      );
      assert.match(logs, /reason=error_envelope err="HTTP 422: execution: too many series"/);
    } finally {
      await ex.stop();
      server.closeAllConnections();
      server.close();
    }
  });

  test('transient failures are retried within the interval; 4xx never; overlong runs skip ticks', async () => {
    const ok =
      '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"cluster":"a","node":"n1","minor":"28"},"value":[1,"1"]}]}}';
    const plan = new Map<string, number[]>([
      ['retry', [503, 429, 200]],
      ['client', [422, 200]],
    ]);
    const hits = new Map<string, number>();
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const query = new URLSearchParams(body).get('query') ?? '';
        const name = query.startsWith('retry') ? 'retry' : query.startsWith('client') ? 'client' : 'slow';
        const n = hits.get(name) ?? 0;
        hits.set(name, n + 1);
        if (name === 'slow') {
          setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(ok), 2500);
          return;
        }
        const codes = plan.get(name) ?? [200];
        const code = codes[Math.min(n, codes.length - 1)] ?? 200;
        res
          .writeHead(code, { 'content-type': 'application/json' })
          .end(code === 200 ? ok : `{"status":"error","errorType":"e${code}","error":"status ${code}"}`);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const ex = await startExporter(`victoriametrics_url: "${url}"
max_staleness: 1h
metric_transformations:
  - {name: retry_me, source_metric: retry, value_from_label: minor, interval: 30s, timeout: 2s}
  - {name: client_error, source_metric: client, value_from_label: minor, interval: 30s, timeout: 2s}
  - {name: slow_one, source_metric: slow, value_from_label: minor, interval: 1s, timeout: 5s}
`);
    try {
      await withLogs([ex.proc], async () => {
        const s = await ex.waitForSamples(
          (x) =>
            x.get('label_value_exporter_transformation_last_run_success{transformation="retry_me"}') === 1 &&
            (x.get('label_value_exporter_transformation_missed_runs_total{transformation="slow_one"}') ?? 0) >= 2,
          'a retried success and missed ticks of the slow transformation',
        );
        assert.equal(s.get('label_value_exporter_transformation_retries_total{transformation="retry_me"}'), 2);
        assert.equal(s.get('label_value_exporter_transformation_runs_total{transformation="retry_me",result="success"}'), 1);
        assert.equal(s.get('label_value_exporter_transformation_runs_total{transformation="retry_me",result="failure"}'), 0);
        assert.equal(hits.get('retry'), 3);
        // A 422 is the query's fault: no retry, the run fails at once.
        assert.equal(s.get('label_value_exporter_transformation_retries_total{transformation="client_error"}'), 0);
        assert.equal(s.get('label_value_exporter_transformation_last_run_success{transformation="client_error"}'), 0);
        assert.equal(hits.get('client'), 1);
        // Runs of 2.5 s on a 1 s interval never overlap: each skips the ticks it outlasted.
        assert.ok(
          (hits.get('slow') ?? 0) <=
            Math.ceil((s.get('label_value_exporter_transformation_runs_total{transformation="slow_one",result="success"}') ?? 0) + 1),
        );
      });
    } finally {
      await ex.stop();
      server.closeAllConnections();
      server.close();
    }
  });

  test('default timeout at a 1 s interval: a source answering in 1.5 s never fails, never flaps', async () => {
    const ok =
      '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"cluster":"a","node":"n1","minor":"28"},"value":[1,"1"]}]}}';
    const server: Server = createServer((req, res) => {
      req.resume();
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(ok), 1500);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    // No timeout, no max_staleness: the defaults (max_staleness 3 intervals) decide.
    const ex = await startExporter(`victoriametrics_url: "http://127.0.0.1:${(server.address() as AddressInfo).port}"
scrape_interval: 1
metric_transformations:
  - {name: kubelet_minor_version, source_metric: kube_node_info, value_from_label: minor}
`);
    const served = `kubelet_minor_version{cluster="a",node="n1"}`;
    try {
      await withLogs([ex.proc], async () => {
        await ex.waitForSamples((s) => s.get(served) === 28, 'first run');
        // Watch it for 6 s: the data must never go away, and no run may fail.
        const until = Date.now() + 6000;
        let last = new Map<string, number>();
        while (Date.now() < until) {
          last = await ex.samples();
          assert.equal(last.get(served), 28, 'the series stays served');
          assert.equal(last.get(`label_value_exporter_transformation_stale{${T}}`), 0);
          await new Promise((r) => setTimeout(r, 200));
        }
        assert.equal(last.get(`label_value_exporter_transformation_runs_total{${T},result="failure"}`), 0, 'no run failed');
        assert.ok((last.get(`label_value_exporter_transformation_runs_total{${T},result="success"}`) ?? 0) >= 3);
        assert.ok(
          (last.get(`label_value_exporter_transformation_missed_runs_total{${T}}`) ?? 0) >= 2,
          'ticks during a run are skipped and counted',
        );
      });
    } finally {
      await ex.stop();
      server.closeAllConnections();
      server.close();
    }
  });

  test('data older than max_staleness is dropped, visibly, and comes back on success', async () => {
    let up = true;
    const ok =
      '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"cluster":"a","node":"n1","minor":"28"},"value":[1,"1"]}]}}';
    const server: Server = createServer((req, res) => {
      req.resume();
      if (up) res.writeHead(200, { 'content-type': 'application/json' }).end(ok);
      else
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"status":"error","errorType":"bad_data","error":"broken query"}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const ex = await startExporter(`victoriametrics_url: "http://127.0.0.1:${(server.address() as AddressInfo).port}"
scrape_interval: 1
metric_transformations:
  - {name: kubelet_minor_version, source_metric: kube_node_info, value_from_label: minor, max_staleness: 3s}
`);
    const stale = `label_value_exporter_transformation_stale{${T}}`;
    try {
      await withLogs([ex.proc], async () => {
        const good = await ex.waitForSamples((s) => family(s, 'kubelet_minor_version').size === 1, 'good data');
        assert.equal(good.get(stale), 0);
        assert.equal(good.get(`label_value_exporter_transformation_max_staleness_seconds{${T}}`), 3);
        up = false;
        const failing = await ex.waitForSamples(
          (s) => s.get(`label_value_exporter_transformation_last_run_success{${T}}`) === 0,
          'a failed run',
        );
        assert.equal(family(failing, 'kubelet_minor_version').size, 1, 'last good data served while younger than max_staleness');
        const dropped = await ex.waitForSamples((s) => s.get(stale) === 1, 'data dropped as stale');
        assert.equal(family(dropped, 'kubelet_minor_version').size, 0);
        assert.equal(dropped.get(`label_value_exporter_transformation_series{${T}}`), 0);
        up = true;
        const back = await ex.waitForSamples((s) => s.get(stale) === 0, 'recovery');
        assert.equal(back.get('kubelet_minor_version{cluster="a",node="n1"}'), 28);
      });
      assert.equal(ex.proc.logs().match(/older than max_staleness/g)?.length, 1);
    } finally {
      await ex.stop();
      server.closeAllConnections();
      server.close();
    }
  });
});
