/**
 * mode: on_scrape against a real VictoriaMetrics as the source and a real
 * Prometheus scraping us. The global schedule is one hour, so every query seen
 * after start-up was triggered by a scrape. VictoriaMetrics' own request
 * counter proves how many queries reached it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startPrometheus, type Prometheus } from '../support/prometheus.js';
import { startVictoriaMetrics, type VictoriaMetrics } from '../support/victoria-metrics.js';
import { withLogs } from '../support/logs.js';
import { expectOk } from '../support/promql.js';
import { parseExposition, startExporter, type Exporter } from '../support/exporter.js';

const CACHE_SECONDS = 2;
const VM_METRICS_LAG_MS = 1500;
const RUNS_OK = 'label_value_exporter_transformation_runs_total{transformation="kubelet_minor_version",result="success"}';
const refreshes = (outcome: string) =>
  `label_value_exporter_transformation_scrape_refreshes_total{transformation="kubelet_minor_version",outcome="${outcome}"}`;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Queries VictoriaMetrics has answered on /api/v1/query, from its own
 * /metrics, which lags by up to a second (measured: a query shows up there
 * ~1 s later), hence the wait first.
 */
async function vmQueries(vm: VictoriaMetrics): Promise<number> {
  await sleep(VM_METRICS_LAG_MS);
  const text = await expectOk(await fetch(`${vm.url}/metrics`), 'VictoriaMetrics /metrics');
  const m = /^vm_http_requests_total\{path="\/api\/v1\/query"\} (\d+)$/m.exec(text);
  return m?.[1] === undefined ? 0 : Number(m[1]);
}

function head(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { method: 'HEAD' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

describe('mode: on_scrape', () => {
  let vm: VictoriaMetrics;
  let exporter: Exporter;
  let prom: Prometheus | undefined;

  before(async () => {
    vm = await startVictoriaMetrics();
    await vm.importPrometheus('kube_node_info{cluster="a",node="n1",minor="28"} 1\n');
    await vm.waitForSeries('kube_node_info', 1);
    exporter = await startExporter(`victoriametrics_url: "${vm.url}"
scrape_interval: 1h
metric_transformations:
  - name: kubelet_minor_version
    source_metric: kube_node_info
    value_from_label: minor
    preserve_labels: [cluster, node]
    mode: on_scrape
    cache: ${CACHE_SECONDS}s
    timeout: 5s
`);
    await exporter.waitForSamples((s) => s.get('kubelet_minor_version{cluster="a",node="n1"}') === 28, 'the run at start');
  });

  after(async () => {
    await prom?.stop();
    await exporter?.stop();
    await vm?.stop();
  });

  test('10 concurrent scrapes after the cache expired cause exactly one query', async () => {
    await withLogs([exporter.proc, vm.process], async () => {
      // Reading our metrics is a scrape too: read them, then let the cache expire.
      const self0 = await exporter.samples();
      await sleep(CACHE_SECONDS * 1000 + 200);
      const before = await vmQueries(vm);
      const bodies = await Promise.all(Array.from({ length: 10 }, () => exporter.metricsText()));
      // Within the cache of the run just made, so no query of its own.
      const self1 = await exporter.samples();
      assert.equal((await vmQueries(vm)) - before, 1, 'VictoriaMetrics answered one query for ten scrapes');
      for (const body of bodies) assert.equal(parseExposition(body).get('kubelet_minor_version{cluster="a",node="n1"}'), 28);
      const delta = (k: string) => (self1.get(k) ?? 0) - (self0.get(k) ?? 0);
      assert.equal(delta(refreshes('ran')), 1);
      // The rest joined the run in flight or, if it had already ended, read its fresh result.
      assert.equal(delta(refreshes('joined')) + delta(refreshes('cached')), 10 - 1 + 1, 'nine of the ten plus our own second read');
      assert.equal(delta(RUNS_OK), 1);
      assert.equal(delta('label_value_exporter_source_requests_total{source="default",code="200"}'), 1);
    });
  });

  test('the status page, probes and HEAD /metrics never query the source', async () => {
    await withLogs([exporter.proc, vm.process], async () => {
      await sleep(CACHE_SECONDS * 1000 + 200);
      const before = await vmQueries(vm);
      for (const p of ['/', '/-/healthy', '/health', '/-/ready']) {
        const res = await fetch(`${exporter.url}${p}`);
        assert.equal(res.status, 200, p);
        await res.arrayBuffer();
      }
      assert.equal(await head(`${exporter.url}/metrics`), 200);
      assert.equal((await vmQueries(vm)) - before, 0);
      const page = await (await fetch(exporter.url)).text();
      assert.match(page, /on scrape, cache 2s/);
    });
  });

  test('a real Prometheus scraping us sees a changed value after the cache, with no interval', async () => {
    prom = await startPrometheus({
      scrapeConfigs: [
        {
          jobName: 'label-value-exporter',
          targets: [`127.0.0.1:${exporter.port}`],
          honorLabels: true,
          scrapeInterval: '1s',
          scrapeTimeout: '1s',
        },
      ],
    });
    const p = prom;
    await withLogs([exporter.proc, vm.process, p.process], async () => {
      await p.waitForTargetsUp('label-value-exporter');
      await p.waitForQuery('kubelet_minor_version{node="n1"}', (r) => r[0]?.value[1] === '28');
      const runs0 = (await exporter.samples()).get(RUNS_OK) ?? 0;
      await vm.deleteSeries('kube_node_info');
      await vm.importPrometheus('kube_node_info{cluster="a",node="n1",minor="29"} 1\n');
      const changed = performance.now();
      // Cache TTL + one scrape interval + VictoriaMetrics' one-second query rounding, with room for a loaded machine.
      await p.waitForQuery('kubelet_minor_version{node="n1"}', (r) => r.length === 1 && r[0]?.value[1] === '29', 15_000);
      const seconds = (performance.now() - changed) / 1000;
      const s = await exporter.samples();
      assert.ok((s.get(RUNS_OK) ?? 0) > runs0, 'runs were triggered by scrapes (the interval is 1h)');
      assert.equal(s.get('label_value_exporter_transformation_interval_seconds{transformation="kubelet_minor_version"}'), undefined);
      assert.equal(
        s.get('label_value_exporter_transformation_on_scrape_cache_seconds{transformation="kubelet_minor_version"}'),
        CACHE_SECONDS,
      );
      // Prometheus scrapes every second but the cache holds results for 2 s: at most about one query per 2 s.
      const q0 = await vmQueries(vm);
      const t0 = performance.now();
      await sleep(6_000);
      const perSecond = ((await vmQueries(vm)) - q0) / ((performance.now() - t0) / 1000);
      assert.ok(perSecond <= 1 / CACHE_SECONDS + 0.2, `${perSecond} queries/s with a 1 s scrape interval and a ${CACHE_SECONDS} s cache`);
      assert.ok(perSecond > 0, 'scrapes keep querying');
      process.stderr.write(
        `on_scrape: new value visible in Prometheus after ${seconds.toFixed(1)} s; ${perSecond.toFixed(2)} VictoriaMetrics queries/s\n`,
      );
    });
  });
});
