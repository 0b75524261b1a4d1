/**
 * Remote-write output against the real receivers: VictoriaMetrics
 * (/api/v1/write) and Prometheus (--web.enable-remote-write-receiver). Values
 * are read back value by value; both receivers are stopped and restarted
 * mid-way and every run's sample must still arrive; a vanished series and a
 * transformation removed on reload must disappear from instant queries at
 * once (staleness markers), not after Prometheus' 5-minute lookback.
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { requireBinary } from '../support/binaries.js';
import { withLogs } from '../support/logs.js';
import { ManagedProcess } from '../support/process.js';
import { startPrometheus, type Prometheus } from '../support/prometheus.js';
import { expectOk, instantQuery, type InstantSample } from '../support/promql.js';
import { promtoolCheckMetrics } from '../support/promtool.js';
import { makeTempDir } from '../support/temp.js';
import { startVictoriaMetrics, type VictoriaMetrics } from '../support/victoria-metrics.js';
import { waitForHttp } from '../support/wait.js';
import { startExporterWithFile, type Exporter } from '../support/exporter.js';

const NODES = `kube_node_info{node="worker-1",minor="28"} 1
kube_node_info{node="worker-2",minor="27"} 1
kube_node_info{node="worker-3",minor="29"} 1
`;
const EXPECTED: Record<string, number> = { 'worker-1': 28, 'worker-2': 27, 'worker-3': 29 };

function config(vm: string, prom: string, transformations = true): string {
  return `scrape_interval: 1
max_staleness: 1h
sources:
  - name: nodes
    type: file
    path: nodes.prom
metric_transformations:${
    transformations
      ? `
  - name: kubelet_minor_version
    source: nodes
    source_metric: kube_node_info
    value_from_label: minor
    preserve_labels: [node]`
      : ' []'
  }
remote_write:
  - name: vm
    url: "${vm}/api/v1/write"
    queue_config: { min_backoff: 50ms, max_backoff: 500ms }
  - name: prom
    url: "${prom}/api/v1/write"
    headers: { X-Scope-OrgID: "tenant-secret-header" }
    queue_config: { min_backoff: 50ms, max_backoff: 500ms }
`;
}

interface RawSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

/** VictoriaMetrics' raw samples (staleness markers come back as null). */
async function vmExport(vm: VictoriaMetrics, selector: string): Promise<RawSeries[]> {
  await vm.flush();
  const res = await fetch(`${vm.url}/api/v1/export?${new URLSearchParams({ 'match[]': selector })}`);
  const text = await expectOk(res, 'VictoriaMetrics export');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as RawSeries);
}

/** Prometheus' raw samples of the last hour (a range selector in an instant query; markers are not returned). */
async function promRaw(url: string, selector: string): Promise<RawSeries[]> {
  const body = new URLSearchParams({ query: `${selector}[1h]`, time: (Date.now() / 1000).toFixed(3) });
  const text = await expectOk(await fetch(`${url}/api/v1/query`, { method: 'POST', body }), 'Prometheus range selector');
  const parsed = JSON.parse(text) as { data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> } };
  return parsed.data.result.map((r) => ({
    metric: r.metric,
    values: r.values.map(([, v]) => Number(v)),
    timestamps: r.values.map(([t]) => Math.round(t * 1000)),
  }));
}

function byNode(samples: InstantSample[]): Record<string, number> {
  return Object.fromEntries(samples.map((s) => [s.metric['node'] ?? '', Number(s.value[1])]));
}

async function metricValue(ex: Exporter, key: string): Promise<number> {
  const v = (await ex.samples()).get(key);
  if (v === undefined) throw new Error(`exporter serves no ${key}`);
  return v;
}

/** The same Prometheus (port, TSDB, config) started again, as after a crash or an upgrade. */
async function restartPrometheus(prom: Prometheus, old: ManagedProcess): Promise<ManagedProcess> {
  await old.stop(10_000);
  const proc = await ManagedProcess.start({
    name: `prometheus:${prom.port}`,
    command: requireBinary('prometheus', 'prometheus'),
    cwd: prom.dir,
    args: [
      `--config.file=${prom.configFile}`,
      `--storage.tsdb.path=${path.join(prom.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${prom.port}`,
      '--web.enable-remote-write-receiver',
    ],
  });
  await waitForHttp(`${prom.url}/-/ready`, 30_000, 200, { process: proc });
  return proc;
}

describe('remote write to real VictoriaMetrics and Prometheus', () => {
  let vm: VictoriaMetrics;
  let prom: Prometheus;
  let promProc: ManagedProcess;
  let exporter: Exporter;
  let dir: string;
  const logs = () => [exporter?.proc, vm?.process, promProc];

  before(async () => {
    vm = await startVictoriaMetrics();
    prom = await startPrometheus({ extraArgs: ['--web.enable-remote-write-receiver'] });
    promProc = prom.process;
    dir = await makeTempDir('remote-write');
    await writeFile(path.join(dir, 'nodes.prom'), NODES);
    await writeFile(path.join(dir, 'config.yml'), config(vm.url, prom.url));
    exporter = await startExporterWithFile(path.join(dir, 'config.yml'));
  });
  after(async () => {
    await exporter?.stop();
    await vm?.stop();
    await promProc?.stop();
  });

  test('every value arrives in both receivers, value by value', async () => {
    await withLogs(logs(), async () => {
      await vm.waitForSeries('kubelet_minor_version', 3);
      assert.deepEqual(byNode(await vm.query('kubelet_minor_version')), EXPECTED);
      const fromProm = await prom.waitForQuery('kubelet_minor_version', (r) => r.length === 3);
      assert.deepEqual(byNode(fromProm), EXPECTED);
      // Exactly the labels served on /metrics, plus nothing (no job/instance: we are the origin).
      assert.deepEqual(Object.keys(fromProm[0]?.metric ?? {}).sort(), ['__name__', 'node']);
      assert.equal((await exporter.samples()).get('kubelet_minor_version{node="worker-1"}'), 28);
      const metricsText = await exporter.metricsText();
      assert.match(metricsText, /^label_value_exporter_remote_write_samples_sent_total\{remote="prom"\} [1-9]/m);
      // The operator's view: shards, requests in flight, and how far behind (newest sample accepted).
      const s = await exporter.samples();
      for (const remote of ['vm', 'prom']) {
        assert.equal(s.get(`label_value_exporter_remote_write_shards_max{remote="${remote}"}`), 4);
        const inFlight = s.get(`label_value_exporter_remote_write_requests_in_flight{remote="${remote}"}`) ?? -1;
        assert.ok(inFlight >= 0 && inFlight <= 4, `${remote}: ${inFlight} in flight`);
        const highest = s.get(`label_value_exporter_remote_write_highest_sent_timestamp_seconds{remote="${remote}"}`) ?? 0;
        assert.ok(Math.abs(Date.now() / 1000 - highest) < 60, `${remote}: newest sample sent at ${highest}`);
      }
      const lint = await promtoolCheckMetrics(metricsText);
      assert.equal(lint.code, 0, lint.output);
      assert.equal(lint.output.trim(), '');
      // The status page shows the endpoints, with the header value blanked.
      const page = await (await fetch(`${exporter.url}/`)).text();
      assert.match(page, /remote_write/);
      // The configuration is shown as the user wrote it (YAML keys), the value blanked.
      assert.match(page, /X-Scope-OrgID: (?:&#34;)?&#60;secret&#62;/, 'the header value shown as <secret>');
      assert.ok(!page.includes('tenant-secret-header'), 'the header value itself is never shown');
      assert.ok(!page.includes('tenant-secret-header'));
    });
  });

  test('a series that vanishes from the source gets a staleness marker and leaves instant queries at once', async () => {
    await withLogs(logs(), async () => {
      await writeFile(
        path.join(dir, 'nodes.prom'),
        NODES.split('\n')
          .filter((l) => !l.includes('worker-3'))
          .join('\n'),
      );
      await exporter.waitForSamples((s) => s.size > 0 && !s.has('kubelet_minor_version{node="worker-3"}'), 'worker-3 gone from /metrics');
      // Prometheus would keep returning it for 5 minutes without the marker.
      await prom.waitForQuery('kubelet_minor_version', (r) => r.length === 2, 10_000);
      assert.deepEqual(byNode(await prom.query('kubelet_minor_version')), { 'worker-1': 28, 'worker-2': 27 });
      const history = await promRaw(prom.url, 'kubelet_minor_version{node="worker-3"}');
      assert.ok((history[0]?.values.length ?? 0) > 0, 'its earlier samples are still stored');
      await vm.waitForSeries('kubelet_minor_version', 2, 10_000);
      const raw = await vmExport(vm, 'kubelet_minor_version{node="worker-3"}');
      const values = raw[0]?.values ?? [];
      assert.equal(values.filter((v) => v === null).length, 1, `one marker in ${JSON.stringify(values)}`);
      assert.equal(values.at(-1), null, 'the marker is the last sample');
      assert.ok((await metricValue(exporter, 'label_value_exporter_remote_write_stale_markers_total{remote="vm"}')) >= 1);
    });
  });

  test('both receivers stopped and restarted mid-way: every run during the outage arrives, in order, none dropped', async () => {
    await withLogs(logs(), async () => {
      await vm.stop();
      await promProc.stop(10_000);
      const downAt = Date.now();
      await writeFile(
        path.join(dir, 'nodes.prom'),
        NODES.replace('minor="28"', 'minor="30"')
          .split('\n')
          .filter((l) => !l.includes('worker-3'))
          .join('\n'),
      );
      const success = 'label_value_exporter_transformation_runs_total{transformation="kubelet_minor_version",result="success"}';
      const runsAtDown = await metricValue(exporter, success);
      await exporter.waitForSamples(
        (s) =>
          (s.get(success) ?? 0) >= runsAtDown + 4 &&
          (s.get('label_value_exporter_remote_write_queue_samples{remote="vm"}') ?? 0) >= 8 &&
          (s.get('label_value_exporter_remote_write_queue_samples{remote="prom"}') ?? 0) >= 8 &&
          (s.get('label_value_exporter_remote_write_samples_failed_total{remote="vm",reason="connection"}') ?? 0) > 0,
        'four runs queued during the outage',
      );
      const upAt = Date.now();
      await vm.restart();
      promProc = await restartPrometheus(prom, promProc);
      await exporter.waitForSamples(
        (s) =>
          s.get('label_value_exporter_remote_write_queue_samples{remote="vm"}') === 0 &&
          s.get('label_value_exporter_remote_write_queue_samples{remote="prom"}') === 0,
        'both queues drained',
        30_000,
      );
      // Freeze: without its file every run fails, so nothing new is pushed (max_staleness keeps the family).
      await rm(path.join(dir, 'nodes.prom'));
      await exporter.waitForSamples(
        (s) => (s.get('label_value_exporter_transformation_failures_total{transformation="kubelet_minor_version",reason="io"}') ?? 0) > 0,
        'a failed run',
      );
      const runs = await metricValue(exporter, success);
      await new Promise((r) => setTimeout(r, 1500));
      const s = await exporter.samples();
      assert.equal(s.get(success), runs, 'no run succeeded after the freeze');
      for (const remote of ['vm', 'prom']) {
        assert.equal(s.get(`label_value_exporter_remote_write_queue_samples{remote="${remote}"}`), 0);
        for (const reason of ['rejected', 'queue_full', 'shutdown', 'removed']) {
          assert.equal(
            s.get(`label_value_exporter_remote_write_samples_dropped_total{remote="${remote}",reason="${reason}"}`),
            0,
            `${remote} dropped (${reason})`,
          );
        }
        assert.ok((s.get(`label_value_exporter_remote_write_samples_retried_total{remote="${remote}"}`) ?? 0) > 0, `${remote} retried`);
      }
      const fromVm = (await vmExport(vm, 'kubelet_minor_version{node="worker-1"}'))[0];
      const fromProm = (await promRaw(prom.url, 'kubelet_minor_version{node="worker-1"}'))[0];
      for (const [who, raw] of [
        ['VictoriaMetrics', fromVm],
        ['Prometheus', fromProm],
      ] as const) {
        assert.ok(raw, `${who} has worker-1`);
        // One sample per successful run since the exporter started: none lost.
        assert.equal(raw.values.length, runs, `${who}: ${raw.values.length} samples for ${runs} successful runs`);
        assert.deepEqual(
          [...raw.timestamps].sort((a, b) => a - b),
          raw.timestamps,
          `${who}: in time order`,
        );
        const during = raw.timestamps.map((t, i) => [t, raw.values[i]] as const).filter(([t]) => t > downAt && t < upAt);
        assert.ok(during.length >= 4, `${who}: ${during.length} samples from the outage`);
        assert.ok(
          during.every(([, v]) => v === 30),
          `${who}: outage values ${JSON.stringify(during)}`,
        );
        assert.equal(raw.values[0], 28);
        assert.equal(raw.values.at(-1), 30);
      }
    });
  });

  test('a transformation removed on reload: its series get staleness markers in both receivers', async () => {
    await withLogs(logs(), async () => {
      assert.equal((await instantQuery(prom.url, 'kubelet_minor_version')).length, 2);
      await writeFile(path.join(dir, 'config.yml'), config(vm.url, prom.url, false));
      await exporter.waitForSamples(
        (s) => s.size > 0 && ![...s.keys()].some((k) => k.startsWith('kubelet_minor_version')),
        'the family gone after the reload',
      );
      await prom.waitForQuery('kubelet_minor_version', (r) => r.length === 0, 10_000);
      await vm.waitForSeries('kubelet_minor_version', 0, 10_000);
      const raw = await vmExport(vm, 'kubelet_minor_version{node="worker-2"}');
      assert.equal(raw[0]?.values.at(-1), null, 'worker-2 ends with a marker');
      assert.ok(!exporter.proc.logs().includes('tenant-secret-header'), 'a header value reached the log');
    });
  });
});
