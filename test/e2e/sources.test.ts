/**
 * The source types beyond the query API (issue 5), end to end against the
 * built CLI and real programs nobody here wrote, all on 127.0.0.1:
 *
 * - `scrape` of a real prometheus-node-exporter (node_uname_info's `release`
 *   → kernel version), a real Prometheus' own /metrics
 *   (prometheus_build_info → major/minor/patch) and a real VictoriaMetrics'
 *   own /metrics (its version info, its Go version, a flag value);
 * - fan-in: one transformation over two real VictoriaMetrics (and over a
 *   VictoriaMetrics plus a file); a source that fails keeps its own last good
 *   series until its own max_staleness, the others go on;
 * - `json` (GET and POST) and `type: file` JSON sources, from a local HTTP
 *   server serving the fixture documents of test/fixtures/json/ (seed 002's
 *   energy-per-pod API, a Jenkins API);
 * - bad inputs (truncated exposition, invalid UTF-8, a 10 MB line, an array
 *   where an object was expected, HTML, HTTP 500): failed runs with a clear
 *   reason, the last good data still served.
 *
 * Configs are written as JSON, which is YAML, so regexes and odd values need
 * no quoting care.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startNodeExporter } from '../support/node-exporter.js';
import { once } from 'node:events';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { withLogs } from '../support/logs.js';
import { startPrometheus, type Prometheus } from '../support/prometheus.js';
import { makeTempDir } from '../support/temp.js';
import { startVictoriaMetrics, type VictoriaMetrics } from '../support/victoria-metrics.js';
import { EXPECTED_MINOR, family, KUBE_NODE_INFO } from '../support/dataset.js';
import { REPO, startExporter, type Exporter } from '../support/exporter.js';

const TEST_TIMEOUT = 30_000;
const FIXTURES = path.join(REPO, 'test/fixtures/json');
const P = 'label_value_exporter_';

type Samples = Map<string, number>;

/** A served series key as `parseExposition` builds it: labels sorted by name, as the exporter serves them. */
function key(name: string, labels: Record<string, string> = {}): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return parts.length === 0 ? name : `${name}{${parts.join(',')}}`;
}

/** One of our self-metrics for transformation `t` (labels in the order prom-client serves them). */
function self(metric: string, t: string, extra = ''): string {
  return `${P}${metric}{transformation="${t}"${extra}}`;
}

function config(obj: Record<string, unknown>): string {
  return `${JSON.stringify(obj, null, 2)}\n`;
}

function succeeded(t: string): (s: Samples) => boolean {
  return (s) => s.get(self('transformation_last_run_success', t)) === 1;
}

// ------------------------------------------------------------ real programs

/** `/etc/os-release` as a map, read here independently of node_exporter. */
async function osRelease(): Promise<Map<string, string>> {
  const text = await readFile('/etc/os-release', 'utf8').catch(() => readFile('/usr/lib/os-release', 'utf8'));
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out.set(m[1], m[2].replace(/^"(.*)"$/, '$1'));
  }
  return out;
}

// ------------------------------------------------------------ a local HTTP server

interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

interface LocalServer {
  readonly url: string;
  readonly requests: Recorded[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that records each request (with its body), then lets `handle` answer. */
async function startLocalServer(handle: (req: Recorded, res: ServerResponse) => void): Promise<LocalServer> {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    // The exporter stops reading an over-long answer: writing the rest then fails, harmlessly.
    res.on('error', () => undefined);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(r);
      handle(r, res);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Stops everything started, in reverse order, even when starting one of them failed. */
class Stack {
  private readonly stops: Array<() => Promise<unknown>> = [];
  push<T extends { stop(): Promise<unknown> } | { close(): Promise<unknown> }>(thing: T): T {
    this.stops.push(() => ('stop' in thing ? thing.stop() : thing.close()));
    return thing;
  }
  async close(): Promise<void> {
    for (const stop of this.stops.reverse()) await stop().catch(() => undefined);
  }
}

// ================================================================== scrape

describe('scrape sources: real programs', () => {
  test(
    'prometheus-node-exporter: node_uname_info release → kernel major.minor (parser version) and major; node_os_info version_id',
    { timeout: TEST_TIMEOUT },
    async () => {
      const stack = new Stack();
      try {
        const ne = stack.push(await startNodeExporter(['uname', 'os']));
        const ex = stack.push(
          await startExporter(
            config({
              scrape_interval: 1,
              max_staleness: '1h',
              sources: [{ name: 'node', type: 'scrape', url: ne.url }],
              metric_transformations: [
                {
                  name: 'node_kernel_version',
                  source: 'node',
                  source_metric: 'node_uname_info',
                  query_filter: 'sysname="Linux",release=~".+"',
                  value_from_label: 'release',
                  // Not a decimal (5.9 would rank above 5.10): major*1000 + minor.
                  value: { parser: 'version', parts: 2 },
                  preserve_labels: ['nodename', 'machine'],
                },
                {
                  name: 'node_kernel_major_version',
                  source: 'node',
                  source_metric: 'node_uname_info',
                  value_from_label: 'release',
                  value: { parser: 'semver', part: 'major' },
                  preserve_labels: ['nodename'],
                },
                {
                  name: 'node_os_version_id',
                  source: 'node',
                  source_metric: 'node_os_info',
                  value_from_label: 'version_id',
                  value: { parser: 'version', parts: 2 },
                  default_value: -1,
                  preserve_labels: ['id'],
                },
              ],
            }),
          ),
        );
        await withLogs([ex.proc, ne.proc], async () => {
          const s = await ex.waitForSamples(
            (x) => ['node_kernel_version', 'node_kernel_major_version', 'node_os_version_id'].every((t) => succeeded(t)(x)),
            'all three transformations to succeed',
          );
          // Expected values come from this process' own view of the machine, not from node_exporter.
          const release = os.release();
          const mm = /^(\d+)\.(\d+)/.exec(release);
          assert.ok(mm, `os.release() ${release} starts with major.minor`);
          const host = { nodename: os.hostname() };
          assert.deepEqual(
            family(s, 'node_kernel_version'),
            new Map([[key('node_kernel_version', { ...host, machine: os.machine() }), Number(mm[1]) * 1000 + Number(mm[2])]]),
          );
          assert.deepEqual(family(s, 'node_kernel_major_version'), new Map([[key('node_kernel_major_version', host), Number(mm[1])]]));
          const osr = await osRelease();
          const versionId = osr.get('VERSION_ID');
          // VERSION_ID 12 → 12000, 22.04 → 22004, 8.10 → 8010 (above 8.9).
          const id = versionId === undefined ? null : /^(\d+)(?:\.(\d{1,3}))?(?!\d)/.exec(versionId);
          const expectedId = id ? Number(id[1]) * 1000 + Number(id[2] ?? 0) : -1;
          assert.deepEqual(
            family(s, 'node_os_version_id'),
            new Map([[key('node_os_version_id', { id: osr.get('ID') ?? '' }), expectedId]]),
          );
          assert.equal(s.get(self('transformation_source_series', 'node_kernel_version')), 1);
          assert.ok((s.get(`${P}source_requests_total{source="node",code="200"}`) ?? 0) >= 3, 'each transformation scraped node_exporter');
        });
      } finally {
        await stack.close();
      }
    },
  );

  test(
    "a real Prometheus' own /metrics: prometheus_build_info version → major, minor, patch, sortable",
    { timeout: TEST_TIMEOUT },
    async () => {
      const stack = new Stack();
      try {
        const prom: Prometheus = stack.push(await startPrometheus());
        // The version as Prometheus' API reports it: independent of its /metrics and of our parser.
        const info = JSON.parse(await (await fetch(`${prom.url}/api/v1/status/buildinfo`)).text()) as { data: { version: string } };
        const version = info.data.version;
        const v = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
        assert.ok(v, `Prometheus reports version ${version}`);
        const [major, minor, patch] = [Number(v[1]), Number(v[2]), Number(v[3])];
        const parts = { major, minor, patch, sortable: major * 1e6 + minor * 1e3 + patch };
        const ex = stack.push(
          await startExporter(
            config({
              scrape_interval: 1,
              max_staleness: '1h',
              sources: [{ name: 'prom', type: 'scrape', url: `${prom.url}/metrics` }],
              metric_transformations: Object.keys(parts).map((part) => ({
                name: `prometheus_version_${part}`,
                source: 'prom',
                source_metric: 'prometheus_build_info',
                value_from_label: 'version',
                value: { parser: 'semver', part },
                preserve_labels: ['goos', 'version'],
              })),
            }),
          ),
        );
        await withLogs([ex.proc, prom.process], async () => {
          const s = await ex.waitForSamples(
            (x) => Object.keys(parts).every((p) => succeeded(`prometheus_version_${p}`)(x)),
            'the four version transformations',
          );
          for (const [part, expected] of Object.entries(parts)) {
            const name = `prometheus_version_${part}`;
            assert.deepEqual(family(s, name), new Map([[key(name, { goos: 'linux', version }), expected]]), part);
          }
        });
      } finally {
        await stack.close();
      }
    },
  );

  test(
    "a real VictoriaMetrics' own /metrics: vm_app_version, go_info and a flag turned into numbers",
    { timeout: TEST_TIMEOUT },
    async () => {
      const stack = new Stack();
      try {
        const vm: VictoriaMetrics = stack.push(await startVictoriaMetrics());
        // What the labels say, read straight from VictoriaMetrics. VictoriaMetrics 1.79
        // exposes `vm_app_version{version="victoria-metrics-YYYYMMDD-...-v1.79.5-...", short_version="v1.79.5"}`;
        // Debian's build is made without the version ldflags, so there both are "".
        const own = await (await fetch(`${vm.url}/metrics`)).text();
        const appVersion = /^vm_app_version\{[^}]*\bversion="([^"]*)"/m.exec(own);
        const goVersion = /^go_info\{version="go(\d+)\.(\d+)(?:\.(\d+))?/m.exec(own);
        assert.ok(appVersion, `vm_app_version is exposed:\n${own.slice(0, 2000)}`);
        assert.ok(goVersion, 'go_info is exposed');
        const vmMinor = /-v\d+\.(\d+)\.\d+/.exec(appVersion[1] ?? '');
        const ex = stack.push(
          await startExporter(
            config({
              scrape_interval: 1,
              max_staleness: '1h',
              sources: [{ name: 'vm', type: 'scrape', url: `${vm.url}/metrics` }],
              metric_transformations: [
                // An empty version (Debian's build) is defaulted to -1, a real one gives the minor version.
                {
                  name: 'vm_app_minor_version',
                  source: 'vm',
                  source_metric: 'vm_app_version',
                  value_from_label: 'version',
                  value: { parser: 'regex', pattern: '-v\\d+\\.(\\d+)\\.\\d+' },
                  default_value: -1,
                  preserve_labels: [],
                },
                {
                  name: 'vm_go_version',
                  source: 'vm',
                  source_metric: 'go_info',
                  value_from_label: 'version',
                  value: { parser: 'semver' },
                  preserve_labels: [],
                },
                // startVictoriaMetrics() passes -retentionPeriod=100y.
                {
                  name: 'vm_flag_seconds',
                  source: 'vm',
                  source_metric: 'flag',
                  query_filter: 'name="retentionPeriod"',
                  value_from_label: 'value',
                  value: { parser: 'duration' },
                  preserve_labels: ['name', 'is_set'],
                },
              ],
            }),
          ),
        );
        await withLogs([ex.proc, vm.process], async () => {
          const s = await ex.waitForSamples(
            (x) => ['vm_app_minor_version', 'vm_go_version', 'vm_flag_seconds'].every((t) => succeeded(t)(x)),
            'the three transformations',
          );
          assert.deepEqual(
            family(s, 'vm_app_minor_version'),
            new Map([['vm_app_minor_version', vmMinor ? Number(vmMinor[1]) : -1]]),
            `version label ${JSON.stringify(appVersion[1])}`,
          );
          if (!vmMinor)
            assert.ok(
              (s.get(self('transformation_defaulted_series_total', 'vm_app_minor_version')) ?? 0) >= 1,
              'the empty version was defaulted',
            );
          const go = Number(goVersion[1]) * 1e6 + Number(goVersion[2]) * 1e3 + Number(goVersion[3] ?? 0);
          assert.deepEqual(family(s, 'vm_go_version'), new Map([['vm_go_version', go]]));
          assert.deepEqual(
            family(s, 'vm_flag_seconds'),
            new Map([[key('vm_flag_seconds', { is_set: 'true', name: 'retentionPeriod' }), 100 * 365 * 86400]]),
          );
          assert.equal(s.get(self('transformation_source_series', 'vm_flag_seconds')), 1, 'query_filter selected one flag series');
        });
      } finally {
        await stack.close();
      }
    },
  );
});

// ================================================================== fan-in

describe('fan-in', () => {
  test(
    'one transformation over two real VictoriaMetrics (and over VictoriaMetrics + a file): tagged, a failing source keeps its last good series',
    { timeout: TEST_TIMEOUT },
    async () => {
      const stack = new Stack();
      try {
        const lines = KUBE_NODE_INFO.trimEnd().split('\n');
        const prod = `${lines.filter((l) => l.includes('cluster="prod"')).join('\n')}\n`;
        const staging = `${lines.filter((l) => l.includes('cluster="staging"')).join('\n')}\n`;
        const a = stack.push(await startVictoriaMetrics());
        const b = stack.push(await startVictoriaMetrics());
        await Promise.all([a.importPrometheus(prod), b.importPrometheus(staging)]);
        await Promise.all([a.waitForSeries('kube_node_info', 6), b.waitForSeries('kube_node_info', 2)]);
        const common = {
          source_metric: 'kube_node_info',
          value_from_label: 'minor',
          preserve_labels: ['cluster', 'instance', 'node'],
          default_value: 0,
        };
        const ex = stack.push(
          await startExporter(
            config({
              scrape_interval: 1,
              max_staleness: '1h',
              sources: [
                { name: 'a', type: 'prometheus', url: a.url },
                { name: 'b', type: 'prometheus', url: b.url },
                { name: 'f', type: 'file', path: 'staging.prom' },
              ],
              metric_transformations: [
                { name: 'kubelet_minor_version', source: ['a', 'b'], source_label: 'origin', ...common },
                // Mixed types, default source_label ("source").
                { name: 'kubelet_minor_version_mixed', source: ['a', 'f'], ...common },
              ],
            }),
            [],
            { 'staging.prom': `# TYPE kube_node_info gauge\n${staging}` },
          ),
        );
        const fileSource = path.join(path.dirname(ex.configFile), 'staging.prom');
        /** EXPECTED_MINOR (cluster, instance, node), renamed and tagged with the source each cluster lives in. */
        const expected = (name: string, label: string, prodSource: string, stagingSource: string) =>
          new Map(
            [...EXPECTED_MINOR].map(([k, v]) => [
              `${name}${k.slice('kubelet_minor_version'.length, -1)},${label}="${k.includes('cluster="prod"') ? prodSource : stagingSource}"}`,
              v,
            ]),
          );
        const both = expected('kubelet_minor_version', 'origin', 'a', 'b');
        const mixed = expected('kubelet_minor_version_mixed', 'source', 'a', 'f');
        await withLogs([ex.proc, a.process, b.process], async () => {
          const good = await ex.waitForSamples(
            (s) => family(s, 'kubelet_minor_version').size === 8 && family(s, 'kubelet_minor_version_mixed').size === 8,
            'series of both sources, both transformations',
          );
          assert.deepEqual(family(good, 'kubelet_minor_version'), both);
          assert.deepEqual(family(good, 'kubelet_minor_version_mixed'), mixed);
          assert.equal(good.get(self('transformation_source_series', 'kubelet_minor_version')), 8);

          // One source down (max_staleness 1h): a is still read, b's last good series stay.
          // (Until issue #13 item 6 the run failed as a whole here; now only b's part does.)
          await b.stop();
          const down = await ex.waitForSamples(
            (s) => s.get(self('transformation_source_up', 'kubelet_minor_version', ',source="b"')) === 0,
            'source b reported down',
          );
          assert.equal(down.get(self('transformation_source_up', 'kubelet_minor_version', ',source="a"')), 1);
          assert.equal(
            down.get(self('transformation_last_run_success', 'kubelet_minor_version')),
            1,
            'a answered: the run served fresh data',
          );
          assert.equal(down.get(self('transformation_source_series', 'kubelet_minor_version')), 6, 'only a was read');
          assert.deepEqual(family(down, 'kubelet_minor_version'), both, "b's last good series are still served, with a's");
          // The other transformation does not read b and goes on.
          const mixedRuns = down.get(self('transformation_runs_total', 'kubelet_minor_version_mixed', ',result="success"')) ?? 0;
          const still = await ex.waitForSamples(
            (s) => (s.get(self('transformation_runs_total', 'kubelet_minor_version_mixed', ',result="success"')) ?? 0) > mixedRuns,
            'another successful mixed run',
          );
          assert.deepEqual(family(still, 'kubelet_minor_version_mixed'), mixed);
          assert.deepEqual(family(still, 'kubelet_minor_version'), both);

          // A broken file fails the file's part of the mixed transformation; its last good series stay too.
          await writeFile(fileSource, 'kube_node_info{cluster="staging",node="x",minor="3\n');
          const broken = await ex.waitForSamples(
            (s) => s.get(self('transformation_source_up', 'kubelet_minor_version_mixed', ',source="f"')) === 0,
            'a parse failure of the file',
          );
          assert.deepEqual(family(broken, 'kubelet_minor_version_mixed'), mixed);

          // Back: b restarted with its data, the file repaired.
          await b.restart();
          await writeFile(fileSource, staging);
          const back = await ex.waitForSamples(
            (s) => succeeded('kubelet_minor_version')(s) && succeeded('kubelet_minor_version_mixed')(s),
            'recovery of both',
          );
          assert.deepEqual(family(back, 'kubelet_minor_version'), both);
          assert.deepEqual(family(back, 'kubelet_minor_version_mixed'), mixed);
        });
        assert.match(ex.proc.logs(), /staging\.prom:1:\d+: unterminated label value/);
      } finally {
        await stack.close();
      }
    },
  );
});

describe('fan-in: one region down', () => {
  test(
    "two real VictoriaMetrics, one stopped: its series stay until its max_staleness, then go; the other's stay and update; source_up says which; logged once",
    { timeout: 60_000 },
    async () => {
      const stack = new Stack();
      try {
        const lines = KUBE_NODE_INFO.trimEnd().split('\n');
        const prod = `${lines.filter((l) => l.includes('cluster="prod"')).join('\n')}\n`;
        const staging = `${lines.filter((l) => l.includes('cluster="staging"')).join('\n')}\n`;
        const eu = stack.push(await startVictoriaMetrics());
        const us = stack.push(await startVictoriaMetrics());
        await Promise.all([eu.importPrometheus(prod), us.importPrometheus(staging)]);
        await Promise.all([eu.waitForSeries('kube_node_info', 6), us.waitForSeries('kube_node_info', 2)]);
        const maxStaleness = 8;
        const t = 'kubelet_minor_version';
        const ex = stack.push(
          await startExporter(
            config({
              scrape_interval: 1,
              max_staleness: maxStaleness,
              sources: [
                { name: 'eu', type: 'prometheus', url: eu.url },
                { name: 'us', type: 'prometheus', url: us.url },
              ],
              metric_transformations: [
                {
                  name: t,
                  source: ['eu', 'us'],
                  source_label: 'region',
                  source_metric: 'kube_node_info',
                  value_from_label: 'minor',
                  preserve_labels: ['cluster', 'node'],
                  default_value: 0,
                },
              ],
            }),
          ),
        );
        const up = (source: string) => (s: Samples) => s.get(self('transformation_source_up', t, `,source="${source}"`));
        const ofRegion = (s: Samples, region: string) => new Map([...family(s, t)].filter(([k]) => k.includes(`region="${region}"`)));
        await withLogs([ex.proc, eu.process, us.process], async () => {
          const good = await ex.waitForSamples(
            (s) => family(s, t).size === 8 && up('us')(s) === 1 && up('eu')(s) === 1,
            'series of both regions',
          );
          const usSeries = ofRegion(good, 'us');
          assert.equal(usSeries.size, 2);
          const worker1 = key(t, { cluster: 'prod', node: 'worker-1', region: 'eu' });
          assert.equal(good.get(worker1), 28);

          await us.stop();
          const stoppedAt = Date.now();
          // The other region goes on: a new value in eu shows while us's last good series are still served.
          await eu.importPrometheus(
            'kube_node_info{cluster="prod",node="worker-1",minor="31",instance="10.0.0.10:8080",job="kube-state-metrics"} 1\n',
          );
          const updated = await ex.waitForSamples((s) => s.get(worker1) === 31, 'eu updated while us is down');
          assert.ok(
            Date.now() - stoppedAt < maxStaleness * 1000,
            "checked within us's max_staleness (a slow machine would make this test meaningless, not wrong)",
          );
          assert.equal(up('us')(updated), 0, 'source_up names the failing source');
          assert.equal(up('eu')(updated), 1);
          assert.deepEqual(ofRegion(updated, 'us'), usSeries, "us's last good series stay");
          assert.equal(updated.get(self('transformation_last_run_success', t)), 1);

          // Past us's max_staleness: its series go, eu's stay.
          const gone = await ex.waitForSamples((s) => ofRegion(s, 'us').size === 0, 'us series dropped after its max_staleness', 30_000);
          const goneAfter = Date.now() - stoppedAt;
          assert.ok(
            goneAfter >= (maxStaleness - 1.5) * 1000,
            `us's series went ${goneAfter} ms after it stopped, not before its max_staleness (${maxStaleness} s, its last answer up to one interval earlier)`,
          );
          assert.equal(ofRegion(gone, 'eu').size, 6);
          assert.equal(gone.get(worker1), 31);
          assert.equal(gone.get(self('transformation_stale', t)), 0, 'the transformation is not stale: eu is fresh');
          assert.equal(gone.get(self('transformation_series', t)), 6);
          assert.equal(up('us')(gone), 0);
          const usLast = gone.get(self('transformation_source_last_success_timestamp_seconds', t, ',source="us"')) ?? 0;
          assert.ok(usLast * 1000 <= stoppedAt && usLast * 1000 > stoppedAt - 5000, "us's last success is from before it stopped");
          // A few more runs: the failure and the drop are logged once each.
          const runs = gone.get(self('transformation_runs_total', t, ',result="success"')) ?? 0;
          await ex.waitForSamples(
            (s) => (s.get(self('transformation_runs_total', t, ',result="success"')) ?? 0) >= runs + 3,
            'three more runs',
          );
          const logLines = ex.proc
            .logs()
            .split('\n')
            .filter((l) => l.includes('source=us'));
          assert.equal(logLines.filter((l) => l.includes('source failed')).length, 1, logLines.join('\n'));
          assert.equal(logLines.filter((l) => l.includes('older than max_staleness')).length, 1, logLines.join('\n'));

          // Back: us restarted with its data, its series return.
          await us.restart();
          const back = await ex.waitForSamples((s) => family(s, t).size === 8 && up('us')(s) === 1, 'us back');
          assert.deepEqual(ofRegion(back, 'us'), usSeries);
          assert.match(ex.proc.logs(), /source answered again/);
        });
      } finally {
        await stack.close();
      }
    },
  );
});

// ================================================================== JSON

/** The energy fixture as the seed's exporter would serve it: last value of each pod's list. */
const ENERGY = new Map<string, number>([
  [key('pod_energy_consumed_joules', { app: 'checkout', namespace: 'shop', pod_name: 'cart-7f9c4' }), 3.5],
  [key('pod_energy_consumed_joules', { app: 'checkout', namespace: 'shop', pod_name: 'payment-55d1b' }), 12],
  [key('pod_energy_consumed_joules', { app: 'checkout', namespace: 'shop-canary', pod_name: 'cart-canary-0' }), 7],
  [key('pod_energy_consumed_joules', { app: 'search', namespace: 'search-prod', pod_name: 'indexer-0' }), 200.75],
]);
/** The same with default_value 0: the pods without a usable value are served as 0 (the seed's `pod.get("energy_consumed", 0)`). */
const ENERGY_DEFAULTED = new Map<string, number>([
  ...ENERGY,
  [key('pod_energy_consumed_joules', { app: 'search', namespace: 'search-prod', pod_name: 'indexer-1' }), 0],
  [key('pod_energy_consumed_joules', { app: 'search', namespace: 'search-prod', pod_name: 'indexer-2' }), 0],
  [key('pod_energy_consumed_joules', { app: 'search', namespace: 'search-prod', pod_name: 'indexer-3' }), 0],
]);

function renamed(m: ReadonlyMap<string, number>, name: string): Map<string, number> {
  return new Map([...m].map(([k, v]) => [name + k.slice(k.indexOf('{')), v]));
}

const ENERGY_JSON = {
  records: '$.*.*.*[*]',
  labels: { pod_name: 'name', namespace: '^1', app: '^3', energy: '$.energy_consumed[-1:]' },
};

const JOB_STATUS = new Map([
  [key('jenkins_job_status', { job: 'build-api' }), 1],
  [key('jenkins_job_status', { job: 'deploy-prod' }), 0],
  [key('jenkins_job_status', { job: 'legacy-cron' }), -1],
]);

describe('json sources', () => {
  test(
    'seed-002 energy API (GET, POST, file) and a Jenkins API: nested walk, ancestors, missing and non-numeric fields',
    { timeout: TEST_TIMEOUT },
    async () => {
      const stack = new Stack();
      try {
        const energy = await readFile(path.join(FIXTURES, 'energy.json'), 'utf8');
        const jenkins = await readFile(path.join(FIXTURES, 'jenkins.json'), 'utf8');
        const postBody = JSON.stringify({ window: '30m', apps: ['*'] });
        const api = stack.push(
          await startLocalServer((req, res) => {
            const json = (body: string) => res.writeHead(200, { 'content-type': 'application/json' }).end(body);
            const p = new URL(req.path, 'http://x').pathname;
            if (req.method === 'GET' && p === '/v1/pods/energy') return json(energy);
            if (req.method === 'POST' && p === '/v1/pods/energy/query') {
              if (req.body !== postBody || req.headers['content-type'] !== 'application/json') return res.writeHead(400).end('bad query');
              return json(energy);
            }
            if (req.method === 'GET' && p === '/api/json') return json(jenkins);
            res.writeHead(404).end();
          }),
        );
        const dir = await makeTempDir('json-files');
        // No .json extension: `format: json` says it.
        const jenkinsFile = path.join(dir, 'jenkins-api.out');
        await copyFile(path.join(FIXTURES, 'jenkins.json'), jenkinsFile);
        const energyT = (name: string, source: string, extra: Record<string, unknown> = {}) => ({
          name,
          source,
          source_metric: 'energy_api',
          json: ENERGY_JSON,
          value_from_label: 'energy',
          preserve_labels: ['pod_name', 'namespace', 'app'],
          ...extra,
        });
        const jobs = (labels: Record<string, string>) => ({ records: '$.jobs[*]', labels: { job: 'name', ...labels } });
        const status = {
          value_from_label: 'color',
          value: { parser: 'map', values: { blue: 1, red: 0, disabled: -1 } },
          preserve_labels: ['job'],
        };
        const ex = stack.push(
          await startExporter(
            config({
              scrape_interval: 1,
              max_staleness: '1h',
              sources: [
                { name: 'energy', type: 'json', url: `${api.url}/v1/pods/energy` },
                { name: 'energy_post', type: 'json', url: `${api.url}/v1/pods/energy/query`, method: 'POST', body: postBody },
                { name: 'jenkins', type: 'json', url: `${api.url}/api/json?tree=jobs[name,color,lastBuild[number,timestamp]]` },
                { name: 'energy_file', type: 'file', path: path.join(FIXTURES, 'energy.json') },
                { name: 'jenkins_file', type: 'file', path: jenkinsFile, format: 'json' },
              ],
              metric_transformations: [
                energyT('pod_energy_consumed_joules', 'energy'),
                energyT('pod_energy_post_joules', 'energy_post', { default_value: 0 }),
                energyT('pod_energy_file_joules', 'energy_file'),
                { name: 'jenkins_job_status', source: 'jenkins', source_metric: 'jenkins_jobs', json: jobs({ color: 'color' }), ...status },
                {
                  name: 'jenkins_file_job_status',
                  source: 'jenkins_file',
                  source_metric: 'jenkins_jobs',
                  json: jobs({ color: 'color' }),
                  ...status,
                },
                {
                  name: 'jenkins_job_last_build_timestamp_seconds',
                  source: 'jenkins',
                  source_metric: 'jenkins_jobs',
                  json: jobs({ started: 'lastBuild.timestamp' }),
                  value_from_label: 'started',
                  value: { parser: 'timestamp' },
                  preserve_labels: ['job'],
                },
              ],
            }),
          ),
        );
        const all = [
          'pod_energy_consumed_joules',
          'pod_energy_post_joules',
          'pod_energy_file_joules',
          'jenkins_job_status',
          'jenkins_file_job_status',
          'jenkins_job_last_build_timestamp_seconds',
        ];
        await withLogs([ex.proc], async () => {
          const s = await ex.waitForSamples((x) => all.every((t) => succeeded(t)(x)), 'every JSON transformation to succeed');
          assert.deepEqual(family(s, 'pod_energy_consumed_joules'), ENERGY);
          assert.deepEqual(
            family(s, 'pod_energy_file_joules'),
            renamed(ENERGY, 'pod_energy_file_joules'),
            'the file gives what the API gives',
          );
          assert.deepEqual(family(s, 'pod_energy_post_joules'), renamed(ENERGY_DEFAULTED, 'pod_energy_post_joules'));

          // Every record is a source series; the skipped ones are counted by reason, per run.
          const t = 'pod_energy_consumed_joules';
          assert.equal(s.get(self('transformation_source_series', t)), 7);
          assert.equal(s.get(self('transformation_series', t)), 4);
          const runs = s.get(self('transformation_runs_total', t, ',result="success"')) ?? 0;
          assert.ok(runs >= 1);
          // indexer-1 has no energy_consumed, indexer-3 an empty list: no `energy` label.
          assert.equal(s.get(self('transformation_skipped_series_total', t, ',reason="missing_label"')), 2 * runs);
          // indexer-2's last value is "n/a".
          assert.equal(s.get(self('transformation_skipped_series_total', t, ',reason="unparseable"')), 1 * runs);
          const postRuns = s.get(self('transformation_runs_total', 'pod_energy_post_joules', ',result="success"')) ?? 0;
          assert.equal(s.get(self('transformation_defaulted_series_total', 'pod_energy_post_joules')), 3 * postRuns);

          assert.deepEqual(family(s, 'jenkins_job_status'), JOB_STATUS);
          assert.deepEqual(family(s, 'jenkins_file_job_status'), renamed(JOB_STATUS, 'jenkins_file_job_status'));
          const jr = s.get(self('transformation_runs_total', 'jenkins_job_status', ',result="success"')) ?? 0;
          assert.equal(
            s.get(self('transformation_skipped_series_total', 'jenkins_job_status', ',reason="unknown_value"')),
            jr,
            'blue_anime is not in the map',
          );
          assert.deepEqual(
            family(s, 'jenkins_job_last_build_timestamp_seconds'),
            new Map([
              [key('jenkins_job_last_build_timestamp_seconds', { job: 'build-api' }), 1700000000],
              [key('jenkins_job_last_build_timestamp_seconds', { job: 'deploy-prod' }), 1700003600.5],
            ]),
          );
          const tr = s.get(self('transformation_runs_total', 'jenkins_job_last_build_timestamp_seconds', ',result="success"')) ?? 0;
          // legacy-cron: lastBuild is null; nightly-e2e: the timestamp is "unknown".
          assert.equal(
            s.get(self('transformation_skipped_series_total', 'jenkins_job_last_build_timestamp_seconds', ',reason="missing_label"')),
            tr,
          );
          assert.equal(
            s.get(self('transformation_skipped_series_total', 'jenkins_job_last_build_timestamp_seconds', ',reason="not_a_timestamp"')),
            tr,
          );
        });
        // The POST carried the configured body as JSON; GETs carried none.
        const posts = api.requests.filter((r) => r.method === 'POST');
        assert.ok(posts.length >= 1);
        for (const r of posts) {
          assert.equal(r.body, postBody);
          assert.equal(r.headers['content-type'], 'application/json');
          assert.equal(r.headers.accept, 'application/json');
        }
        assert.ok(api.requests.filter((r) => r.method === 'GET').every((r) => r.body === ''));
        assert.ok(
          api.requests.some((r) => r.path === '/api/json?tree=jobs[name,color,lastBuild[number,timestamp]]'),
          'the query string is sent as configured',
        );
      } finally {
        await stack.close();
      }
    },
  );

  test(
    'a label given as a JSONPath in dot notation ($.lastBuild.number) is evaluated on the record',
    { timeout: TEST_TIMEOUT },
    async () => {
      const ex = await startExporter(
        config({
          scrape_interval: 1,
          max_staleness: '1h',
          sources: [{ name: 'jenkins', type: 'file', path: path.join(FIXTURES, 'jenkins.json') }],
          metric_transformations: [
            {
              name: 'jenkins_job_last_build_number',
              source: 'jenkins',
              source_metric: 'jenkins_jobs',
              json: { records: '$.jobs[*]', labels: { job: 'name', build: '$.lastBuild.number' } },
              value_from_label: 'build',
              preserve_labels: ['job'],
            },
          ],
        }),
      );
      try {
        await withLogs([ex.proc], async () => {
          const s = await ex.waitForSamples(succeeded('jenkins_job_last_build_number'), 'a successful run');
          assert.deepEqual(
            family(s, 'jenkins_job_last_build_number'),
            new Map([
              [key('jenkins_job_last_build_number', { job: 'build-api' }), 42],
              [key('jenkins_job_last_build_number', { job: 'deploy-prod' }), 7],
              [key('jenkins_job_last_build_number', { job: 'nightly-e2e' }), 1234],
            ]),
          );
        });
      } finally {
        await ex.stop();
      }
    },
  );

  test('ancestor labels (^N) give keys verbatim, also keys with ".", "[", "]" and "\'"', { timeout: TEST_TIMEOUT }, async () => {
    const ex = await startExporter(
      config({
        scrape_interval: 1,
        max_staleness: '1h',
        sources: [{ name: 'energy', type: 'file', path: path.join(FIXTURES, 'energy-odd-keys.json') }],
        metric_transformations: [
          {
            name: 'pod_energy_consumed_joules',
            source: 'energy',
            source_metric: 'energy_api',
            json: {
              records: '$.*.*.*[*]',
              labels: { pod_name: 'name', namespace: '^1', group: '^2', app: '^3', energy: '$.energy_consumed[-1:]' },
            },
            value_from_label: 'energy',
            preserve_labels: ['pod_name', 'namespace', 'group', 'app'],
          },
        ],
      }),
    );
    try {
      await withLogs([ex.proc], async () => {
        const s = await ex.waitForSamples(succeeded('pod_energy_consumed_joules'), 'a successful run');
        assert.deepEqual(
          family(s, 'pod_energy_consumed_joules'),
          new Map([
            [
              key('pod_energy_consumed_joules', {
                app: 'shop.example.com [eu]',
                group: 'ns_pods',
                namespace: 'checkout',
                pod_name: 'cart-0',
              }),
              5,
            ],
            [key('pod_energy_consumed_joules', { app: 'search', group: 'ns_pods[v2]', namespace: "team's-ns", pod_name: 'indexer-0' }), 9],
          ]),
        );
      });
    } finally {
      await ex.stop();
    }
  });
});

// ================================================================== bad inputs

const GOOD_TEXT = `# HELP kube_node_info Information about a cluster node.
# TYPE kube_node_info gauge
kube_node_info{cluster="a",node="n1",minor="28"} 1
kube_node_info{cluster="a",node="n2",minor="29"} 1
# HELP other_metric Something else.
# TYPE other_metric gauge
other_metric{x="y"} 3
`;
const GOOD_OM = `# TYPE kube_node_info gauge
# HELP kube_node_info Information about a cluster node.
kube_node_info{cluster="a",node="n1",minor="28"} 1.0
kube_node_info{cluster="a",node="n2",minor="29"} 1.0
# TYPE other_metric counter
other_metric_total{x="y"} 3.0 # {trace_id="abc"} 1.0 1700000000.123
# EOF
`;
const TEXT = 'text/plain; version=0.0.4; charset=utf-8';
const OM = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

type ScrapeMode =
  | 'good'
  | 'good-om'
  | 'om-no-eof'
  | 'cut-mid-label'
  | 'bad-utf8'
  | 'long-line'
  | 'http-500'
  | 'http-503-html'
  | 'cut-other-metric'
  | 'html';
type JsonMode = 'good' | 'array' | 'html' | 'http-500' | 'no-jobs';

function answerScrape(mode: ScrapeMode, res: ServerResponse): void {
  switch (mode) {
    case 'good':
      return void res.writeHead(200, { 'content-type': TEXT }).end(GOOD_TEXT);
    case 'good-om':
      return void res.writeHead(200, { 'content-type': OM }).end(GOOD_OM);
    case 'om-no-eof':
      return void res.writeHead(200, { 'content-type': OM }).end(GOOD_OM.replace('# EOF\n', ''));
    case 'cut-mid-label':
      // Cut inside the wanted metric's line: the label value never ends.
      return void res.writeHead(200, { 'content-type': TEXT }).end(GOOD_TEXT.slice(0, GOOD_TEXT.indexOf('node="n2"') + 'node="n'.length));
    case 'cut-other-metric':
      // Cut inside the last line, another metric's: the answer is incomplete all the same.
      return void res.writeHead(200, { 'content-type': TEXT }).end(GOOD_TEXT.slice(0, GOOD_TEXT.indexOf('x="y"') + 'x="'.length));
    case 'bad-utf8': {
      // 0xff 0xfe inside node="n2" of line 4.
      const at = GOOD_TEXT.indexOf('node="n2"') + 'node="n'.length;
      return void res
        .writeHead(200, { 'content-type': TEXT })
        .end(Buffer.concat([Buffer.from(GOOD_TEXT.slice(0, at)), Buffer.from([0xff, 0xfe]), Buffer.from(GOOD_TEXT.slice(at))]));
    }
    case 'long-line': {
      res.writeHead(200, { 'content-type': TEXT });
      res.write(GOOD_TEXT.split('\n').slice(0, 3).join('\n') + '\n');
      // One 10 MB line: a label value of the wanted metric.
      res.write('kube_node_info{cluster="a",node="');
      res.write(Buffer.alloc(10 * 1024 * 1024, 'x'));
      return void res.end('",minor="30"} 1\n');
    }
    case 'http-500':
      return void res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
    case 'http-503-html':
      // A proxy's error page: the status is the reason, not the HTML in the body.
      return void res
        .writeHead(503, { 'content-type': 'text/html' })
        .end(
          '<html>\n<head><title>503 Service Temporarily Unavailable</title></head>\n<body><center><h1>503 Service Temporarily Unavailable</h1></center></body>\n</html>\n',
        );
    case 'html':
      return void res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n<body>Please sign in.</body></html>\n');
  }
}

function answerJson(mode: JsonMode, jenkins: string, res: ServerResponse): void {
  const json = (status: number, body: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  switch (mode) {
    case 'good':
      return void json(200, jenkins);
    case 'array':
      // The jobs list itself, where `{"jobs": [...]}` was expected.
      return void json(200, JSON.stringify((JSON.parse(jenkins) as { jobs: unknown[] }).jobs));
    case 'no-jobs':
      return void json(200, '{"_class":"hudson.model.Hudson","jobs":[]}');
    case 'html':
      return void res
        .writeHead(200, { 'content-type': 'text/html;charset=utf-8' })
        .end('<!DOCTYPE html><html><head><title>Jenkins is starting</title></head><body>Please wait</body></html>');
    case 'http-500':
      return void json(500, '{"error":"Internal Server Error"}');
  }
}

interface BadCase<M> {
  readonly mode: M;
  readonly reason: string;
  /** What the failed run's log line must say. */
  readonly message: RegExp;
}

/**
 * For each bad mode: from a good state, switch to it, wait for a failure with
 * the expected reason, check the good series are still served and the log
 * says why, switch back and wait for recovery.
 */
async function cycle<M extends string>(
  ex: Exporter,
  t: string,
  good: Samples,
  set: (m: M) => void,
  goodMode: M,
  cases: ReadonlyArray<BadCase<M>>,
): Promise<void> {
  for (const c of cases) {
    const failures = self('transformation_failures_total', t, `,reason="${c.reason}"`);
    const before = (await ex.samples()).get(failures) ?? 0;
    const logStart = ex.proc.logs().length;
    set(c.mode);
    const s = await ex.waitForSamples((x) => (x.get(failures) ?? 0) > before, `${t}: a ${c.reason} failure in mode ${c.mode}`);
    assert.equal(s.get(self('transformation_last_run_success', t)), 0, c.mode);
    assert.deepEqual(family(s, t), good, `${t}: the last good data is served in mode ${c.mode}`);
    const logged = ex.proc.logs().slice(logStart);
    assert.match(
      logged,
      new RegExp(`transformation=${t} .*reason=${c.reason} err=.*${c.message.source}`),
      `${t}: the log says why in mode ${c.mode}:\n${logged}`,
    );
    set(goodMode);
    const runs = (await ex.samples()).get(self('transformation_runs_total', t, ',result="success"')) ?? 0;
    const back = await ex.waitForSamples(
      (x) => (x.get(self('transformation_runs_total', t, ',result="success"')) ?? 0) > runs && succeeded(t)(x),
      `${t}: recovery after ${c.mode}`,
    );
    assert.deepEqual(family(back, t), good);
  }
}

describe('bad inputs', () => {
  test(
    'scrape and json sources: each kind of bad answer is a failed run with its reason; the last good data stays',
    { timeout: TEST_TIMEOUT },
    async () => {
      const jenkins = await readFile(path.join(FIXTURES, 'jenkins.json'), 'utf8');
      let scrapeMode: ScrapeMode = 'good';
      let jsonMode: JsonMode = 'good';
      const stack = new Stack();
      try {
        const server = stack.push(
          await startLocalServer((req, res) => {
            if (req.path === '/metrics') answerScrape(scrapeMode, res);
            else answerJson(jsonMode, jenkins, res);
          }),
        );
        const ex = stack.push(
          await startExporter(
            config({
              scrape_interval: 0.5,
              max_staleness: '1h',
              sources: [
                { name: 'exp', type: 'scrape', url: `${server.url}/metrics`, timeout: 2 },
                { name: 'jenkins', type: 'json', url: `${server.url}/api/json`, timeout: 2 },
              ],
              metric_transformations: [
                {
                  name: 'kubelet_minor_version',
                  source: 'exp',
                  source_metric: 'kube_node_info',
                  value_from_label: 'minor',
                  preserve_labels: ['cluster', 'node'],
                },
                {
                  name: 'jenkins_job_status',
                  source: 'jenkins',
                  source_metric: 'jenkins_jobs',
                  json: { records: '$.jobs[*]', labels: { job: 'name', color: 'color' } },
                  value_from_label: 'color',
                  value: { parser: 'map', values: { blue: 1, red: 0, disabled: -1 } },
                  preserve_labels: ['job'],
                },
              ],
            }),
          ),
        );
        const goodKube = new Map([
          [key('kubelet_minor_version', { cluster: 'a', node: 'n1' }), 28],
          [key('kubelet_minor_version', { cluster: 'a', node: 'n2' }), 29],
        ]);
        await withLogs([ex.proc], async () => {
          const s = await ex.waitForSamples(
            (x) => succeeded('kubelet_minor_version')(x) && succeeded('jenkins_job_status')(x),
            'good data',
          );
          assert.deepEqual(family(s, 'kubelet_minor_version'), goodKube);
          assert.deepEqual(family(s, 'jenkins_job_status'), JOB_STATUS);
          // An OpenMetrics answer (with an exemplar) reads the same.
          scrapeMode = 'good-om';
          const om = await ex.waitForSamples(
            (x) => (x.get(`${P}source_requests_total{source="exp",code="200"}`) ?? 0) >= 3 && succeeded('kubelet_minor_version')(x),
            'OpenMetrics answers',
          );
          assert.deepEqual(family(om, 'kubelet_minor_version'), goodKube);
          await Promise.all([
            cycle<ScrapeMode>(ex, 'kubelet_minor_version', goodKube, (m) => (scrapeMode = m), 'good-om', [
              { mode: 'om-no-eof', reason: 'parse', message: /OpenMetrics answer without \\"# EOF\\" \(truncated\)/ },
              { mode: 'cut-mid-label', reason: 'parse', message: /\/metrics:4:\d+: unterminated label value/ },
              { mode: 'bad-utf8', reason: 'parse', message: /invalid UTF-8/ },
              { mode: 'long-line', reason: 'parse', message: /\/metrics:4: line longer than 1048576 bytes/ },
              { mode: 'http-500', reason: 'http_status', message: /HTTP 500/ },
              { mode: 'http-503-html', reason: 'http_status', message: /HTTP 503/ },
            ]),
            cycle<JsonMode>(ex, 'jenkins_job_status', JOB_STATUS, (m) => (jsonMode = m), 'good', [
              { mode: 'array', reason: 'empty_result', message: /matched nothing; the answer is an array/ },
              { mode: 'no-jobs', reason: 'empty_result', message: /matched nothing; the answer is an object/ },
              { mode: 'html', reason: 'bad_response', message: /not JSON .*starts with \\"<!DOCTYPE html>/ },
              { mode: 'http-500', reason: 'http_status', message: /HTTP 500/ },
            ]),
          ]);
        });
      } finally {
        await stack.close();
      }
    },
  );

  /**
   * Serves good data, then `mode` for a few runs: the runs must fail with
   * reason `parse` (the README: "a malformed sample line (reported with its
   * line and column) ... fail[s] the run"), the good data staying.
   */
  async function expectParseFailure(mode: ScrapeMode, message: RegExp): Promise<void> {
    let current: ScrapeMode = 'good';
    const stack = new Stack();
    const t = 'kubelet_minor_version';
    try {
      const server = stack.push(await startLocalServer((_req, res) => answerScrape(current, res)));
      const ex = stack.push(
        await startExporter(
          config({
            scrape_interval: 0.5,
            max_staleness: '1h',
            sources: [{ name: 'exp', type: 'scrape', url: `${server.url}/metrics` }],
            metric_transformations: [
              {
                name: t,
                source: 'exp',
                source_metric: 'kube_node_info',
                value_from_label: 'minor',
                preserve_labels: ['cluster', 'node'],
                timeout: 2,
              },
            ],
          }),
        ),
      );
      const good = new Map([
        [key(t, { cluster: 'a', node: 'n1' }), 28],
        [key(t, { cluster: 'a', node: 'n2' }), 29],
      ]);
      await withLogs([ex.proc], async () => {
        await ex.waitForSamples(succeeded(t), 'good data');
        current = mode;
        const requests = server.requests.length;
        // Three runs on the bad answer, whatever their outcome.
        const s = await ex.waitForSamples(() => server.requests.length >= requests + 3, `three runs in mode ${mode}`);
        const failures = [...s]
          .filter(([k, v]) => k.startsWith(`${P}transformation_failures_total{transformation="${t}",`) && v > 0)
          .map(([k, v]) => `${k} ${v}`);
        assert.ok(
          (s.get(self('transformation_failures_total', t, ',reason="parse"')) ?? 0) >= 1,
          `mode ${mode}: expected parse failures; got failures [${failures.join(', ')}] and ${s.get(self('transformation_runs_total', t, ',result="success"'))} successful runs`,
        );
        assert.deepEqual(family(s, t), good);
        assert.match(ex.proc.logs(), message);
      });
    } finally {
      await stack.close();
    }
  }

  test(
    "a scraped text exposition cut inside the last line, another metric's, fails the run as a parse error",
    { timeout: TEST_TIMEOUT },
    async () => {
      await expectParseFailure('cut-other-metric', /\/metrics:7:\d+: unterminated label value/);
    },
  );

  test(
    'an HTML page answered with 200 to a scrape fails the run as a parse error, not as "no series"',
    { timeout: TEST_TIMEOUT },
    async () => {
      await expectParseFailure('html', /\/metrics:1:1: expected a metric name/);
    },
  );
});
