/**
 * End-to-end test of one unit (it starts real programs, so it lives in
 * test/e2e, not test/unit): the exposition parser fed the
 * COMPLETE /metrics outputs of a real prometheus-node-exporter, a real
 * Prometheus (asked for text and for OpenMetrics) and a real VictoriaMetrics,
 * captured at test time on 127.0.0.1.
 *
 * For every capture: every sample line parses with `parseSampleLine`; the
 * streaming `ExpositionConsumer`, fed the body in odd-sized byte chunks (UTF-8
 * sequences split), hands every sample of every metric to its sink; the
 * number of samples equals the number of non-comment, non-empty lines, and
 * equals what a parser nobody here wrote counts (VictoriaMetrics'
 * `vm_protoparser_rows_read_total` after importing the same bytes); promtool
 * accepts the text (lint findings aside). A few known series are checked
 * label by label, including escaped label values the programs themselves
 * encoded (a textfile-collector file, a Prometheus job name, a
 * VictoriaMetrics flag value).
 */
import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ExpositionConsumer, expositionFormat } from '../../src/sources/exposition-consumer.js';
import { parseSampleLine, type ParsedSample } from '../../src/sources/exposition-parser.js';
import { requireBinary } from '../support/binaries.js';
import { ManagedProcess } from '../support/process.js';
import { startPrometheus, type Prometheus } from '../support/prometheus.js';
import { promtoolCheckMetrics } from '../support/promtool.js';
import { startOnPort } from '../support/server-start.js';
import { makeTempDir } from '../support/temp.js';
import { startVictoriaMetrics, type VictoriaMetrics } from '../support/victoria-metrics.js';
import { waitFor, waitForHttp } from '../support/wait.js';

const TEST_TIMEOUT = 30_000;

/** Label values with every escape the text format has, plus non-ASCII. */
const ODD = 'back\\slash "quoted" nœud-節點\nsecond line';
const TEXTFILE_LABELS = { path: 'C:\\temp\\new', quote: 'say "hi"', multi: 'a\nb', unicode: 'nœud-ünïcödé-節點', empty: '' };

interface Capture {
  readonly name: string;
  readonly contentType: string;
  readonly body: Buffer;
}

interface Sample extends ParsedSample {
  readonly line: number;
}

let nodeExporter: ManagedProcess | undefined;
let prometheus: Prometheus | undefined;
let vm: VictoriaMetrics | undefined;
const captures = new Map<string, Capture>();

async function capture(name: string, url: string, accept?: string): Promise<void> {
  const res = await fetch(url, { headers: accept ? { accept } : {} });
  assert.equal(res.status, 200, `${name}: ${url}`);
  captures.set(name, { name, contentType: res.headers.get('content-type') ?? '', body: Buffer.from(await res.arrayBuffer()) });
}

function get(name: string): Capture {
  const c = captures.get(name);
  assert.ok(c, `capture ${name} was taken`);
  return c;
}

/** The sample lines of a capture, as (1-based line number, text). */
function sampleLines(c: Capture): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  c.body
    .toString('utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line !== '' && !line.startsWith('#')) out.push([i + 1, line]);
    });
  return out;
}

/** Every sample line parsed; a line that does not parse fails with its number and text. */
function parseAll(c: Capture): Sample[] {
  const bad: string[] = [];
  const out: Sample[] = [];
  for (const [n, line] of sampleLines(c)) {
    try {
      out.push({ ...parseSampleLine(line, expositionFormat(c.contentType)), line: n });
    } catch (e) {
      bad.push(`${c.name}:${n}: ${(e as Error).message}: ${line}`);
    }
  }
  assert.deepEqual(bad, [], `every sample line of ${c.name} parses`);
  return out;
}

function find(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

function one(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): Sample {
  const found = find(samples, name, labels);
  assert.equal(found.length, 1, `exactly one ${name}${JSON.stringify(labels)}; found ${found.length}`);
  return found[0] as Sample;
}

/** Deterministic odd chunk sizes (1..8191 bytes), so UTF-8 sequences and lines are split anywhere. */
function* chunks(body: Buffer): Generator<Buffer> {
  let seed = 12345;
  for (let at = 0; at < body.length;) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const size = 1 + (seed % 8191);
    yield body.subarray(at, at + size);
    at += size;
  }
}

/**
 * Streams the whole body through ExpositionConsumer once per metric name and
 * checks each name's sink got exactly that name's samples, in order.
 */
function checkStreaming(c: Capture, samples: readonly Sample[]): void {
  const byName = new Map<string, Sample[]>();
  for (const s of samples) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  let total = 0;
  for (const [name, expected] of byName) {
    const got: Array<{ labels: Record<string, string>; value: number }> = [];
    const consumer = new ExpositionConsumer(name, '', (labels, value) => got.push({ labels: { ...labels }, value }), c.name);
    consumer.start({ status: 200, contentType: c.contentType });
    for (const chunk of chunks(c.body)) consumer.write(chunk);
    consumer.finish({ status: 200, contentType: c.contentType });
    assert.deepEqual(
      got,
      expected.map((s) => ({ labels: { ...s.labels }, value: s.value })),
      `${c.name}: streamed samples of ${name}`,
    );
    total += got.length;
  }
  assert.equal(total, samples.length, `${c.name}: every sample streamed`);
}

/** VictoriaMetrics' own count of rows read from Prometheus text imports, read with a regex (not our parser). */
async function vmRowsRead(): Promise<number> {
  const text = await (await fetch(`${vm?.url}/metrics`)).text();
  const m = /^vm_protoparser_rows_read_total\{type="prometheus"\} (\d+)$/m.exec(text);
  assert.ok(m, 'VictoriaMetrics exposes vm_protoparser_rows_read_total{type="prometheus"}');
  return Number(m[1]);
}

/** Imports the capture into VictoriaMetrics and waits until its parser has counted `expected` rows more. */
async function assertVmCounts(c: Capture, expected: number): Promise<void> {
  const start = await vmRowsRead();
  const res = await fetch(`${vm?.url}/api/v1/import/prometheus`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: c.body,
  });
  assert.equal(res.status, 204, `VictoriaMetrics import of ${c.name}: ${await res.text()}`);
  let last = 0;
  await waitFor(
    async () => {
      last = (await vmRowsRead()) - start;
      return last >= expected;
    },
    { timeoutMs: 10_000, what: `VictoriaMetrics to count the rows of ${c.name}`, detail: () => `counted ${last}, we count ${expected}` },
  ).catch(() => undefined);
  assert.equal(last, expected, `${c.name}: VictoriaMetrics counts ${last} samples, we count ${expected}`);
}

async function assertPromtoolAccepts(c: Capture): Promise<void> {
  const r = await promtoolCheckMetrics(c.body.toString('utf8'));
  // 0: clean; 3: lint findings only (node_exporter has camelCase names); 1: the text does not parse.
  assert.ok(r.code === 0 || r.code === 3, `promtool check metrics on ${c.name}: exit ${r.code}\n${r.output}`);
  assert.doesNotMatch(r.output, /error while linting|parsing error/, c.name);
}

/** Every histogram's `_bucket{le="+Inf"}` equals its `_count` with the same other labels. */
function checkHistograms(c: Capture, samples: readonly Sample[]): number {
  const infs = samples.filter((s) => s.name.endsWith('_bucket') && s.labels['le'] === '+Inf');
  for (const inf of infs) {
    const { le: _le, ...rest } = inf.labels;
    const base = inf.name.slice(0, -'_bucket'.length);
    const count = one(samples, `${base}_count`, rest);
    assert.equal(inf.value, count.value, `${c.name}:${inf.line}: ${base} +Inf bucket equals _count`);
    assert.equal(Object.keys(count.labels).length, Object.keys(rest).length);
  }
  return infs.length;
}

describe('the exposition parser on complete real outputs (integration: starts node_exporter, Prometheus, VictoriaMetrics)', () => {
  before(
    async () => {
      // node_exporter with its default collectors, plus a textfile it re-encodes with odd label values.
      const textDir = await makeTempDir('textfile');
      await mkdir(textDir, { recursive: true });
      const labels = Object.entries(TEXTFILE_LABELS)
        .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
        .join(',');
      await writeFile(
        path.join(textDir, 'lve.prom'),
        `# HELP lve_textfile_info Escapes.\n# TYPE lve_textfile_info gauge\nlve_textfile_info{${labels}} 1\n`,
      );
      const neBinary = requireBinary('prometheus-node-exporter', 'prometheus-node-exporter');
      const ne = await startOnPort({
        launch: (p) =>
          ManagedProcess.start({
            name: `node-exporter:${p}`,
            command: neBinary,
            args: [`--web.listen-address=127.0.0.1:${p}`, `--collector.textfile.directory=${textDir}`],
          }),
        ready: (p, pr) => waitForHttp(`http://127.0.0.1:${p}/metrics`, 15_000, 200, { process: pr }),
      });
      nodeExporter = ne.proc;
      const neUrl = `http://127.0.0.1:${ne.port}/metrics`;
      // Prometheus scraping node_exporter under a job name with every escape: its own
      // metrics carry that name as a label value.
      prometheus = await startPrometheus({ scrapeConfigs: [{ jobName: ODD, targets: [`127.0.0.1:${ne.port}`] }] });
      await prometheus.waitForTargetsUp(ODD, 15_000);
      // VictoriaMetrics with a flag value with every escape (it exposes flags as `flag{name, value}`).
      vm = await startVictoriaMetrics({ extraArgs: [`-influxDBLabel=${ODD}`] });

      await capture('node_exporter', neUrl);
      await capture('prometheus text', `${prometheus.url}/metrics`, 'text/plain; version=0.0.4');
      await capture('prometheus openmetrics', `${prometheus.url}/metrics`, 'application/openmetrics-text; version=1.0.0');
      await capture('victoriametrics', `${vm.url}/metrics`);
    },
    { timeout: 60_000 },
  );

  after(async () => {
    await Promise.all([nodeExporter?.stop(), prometheus?.stop(), vm?.stop()]);
  });

  for (const name of ['node_exporter', 'prometheus text', 'prometheus openmetrics', 'victoriametrics']) {
    test(
      `${name}: every sample line parses, streams, and is counted the same by VictoriaMetrics and accepted by promtool`,
      { timeout: TEST_TIMEOUT },
      async (t) => {
        const c = get(name);
        const samples = parseAll(c);
        t.diagnostic(`${name}: ${c.body.length} bytes, ${samples.length} samples, Content-Type: ${c.contentType}`);
        assert.ok(samples.length > 100, `${name} has a real amount of samples (${samples.length})`);
        assert.equal(samples.length, sampleLines(c).length, 'every sample accounted for');
        checkStreaming(c, samples);
        await assertVmCounts(c, samples.length);
        if (c.contentType.startsWith('application/openmetrics-text')) {
          assert.match(c.body.toString('utf8'), /\n# EOF\n$/, 'an OpenMetrics answer ends with # EOF');
        } else {
          // node_exporter and Prometheus say `version=0.0.4`, VictoriaMetrics just `text/plain; charset=utf-8`.
          assert.match(c.contentType, /^text\/plain(;|$)/);
          await assertPromtoolAccepts(c);
        }
        assert.ok(
          samples.every((s) => s.timestampMs === undefined),
          'these programs send no timestamps',
        );
      },
    );
  }

  test("node_exporter: known series, summaries, and the textfile collector's escaped label values", { timeout: TEST_TIMEOUT }, () => {
    const samples = parseAll(get('node_exporter'));
    const uname = one(samples, 'node_uname_info');
    assert.equal(uname.labels['release'], os.release());
    assert.equal(uname.labels['nodename'], os.hostname());
    assert.equal(uname.labels['machine'], os.machine());
    assert.equal(uname.value, 1);
    // "up"-like: every collector reports success.
    assert.equal(one(samples, 'node_scrape_collector_success', { collector: 'uname' }).value, 1);
    assert.equal(one(samples, 'node_textfile_scrape_error').value, 0);
    const text = one(samples, 'lve_textfile_info');
    // node_exporter re-encodes the file: escapes decoded, the empty value kept as written.
    assert.deepEqual({ ...text.labels }, TEXTFILE_LABELS);
    // A summary: quantiles, _sum and _count.
    assert.equal(find(samples, 'go_gc_duration_seconds').length, 5);
    assert.deepEqual(
      find(samples, 'go_gc_duration_seconds').map((s) => s.labels['quantile']),
      ['0', '0.25', '0.5', '0.75', '1'],
    );
    assert.ok(one(samples, 'go_gc_duration_seconds_count').value >= 0);
    assert.equal(one(samples, 'node_cpu_seconds_total', { cpu: '0', mode: 'idle' }).name, 'node_cpu_seconds_total');
    assert.ok(find(samples, 'node_cpu_seconds_total', { mode: 'idle' }).length === os.cpus().length, 'one idle counter per CPU');
  });

  test(
    'Prometheus: build info, histograms (+Inf bucket = _count), the job name as an escaped label value',
    { timeout: TEST_TIMEOUT },
    async () => {
      for (const name of ['prometheus text', 'prometheus openmetrics']) {
        const c = get(name);
        const samples = parseAll(c);
        const info = JSON.parse(await (await fetch(`${prometheus?.url}/api/v1/status/buildinfo`)).text()) as {
          data: { version: string; revision: string };
        };
        const build = one(samples, 'prometheus_build_info');
        assert.equal(build.labels['version'], info.data.version);
        assert.equal(build.labels['revision'], info.data.revision);
        assert.ok(checkHistograms(c, samples) >= 5, `${name} has histograms`);
        // The readiness checks of the test harness were counted.
        const handler = one(samples, 'prometheus_http_request_duration_seconds_bucket', { handler: '/-/ready', le: '+Inf' });
        assert.ok(handler.value >= 1, 'GET /-/ready was counted');
        // The job name, with a backslash, quotes, non-ASCII and a newline, as Prometheus encoded it.
        const withJob = samples.filter((s) => Object.values(s.labels).includes(ODD));
        assert.ok(withJob.length >= 1, `${name}: series labelled with the job name ${JSON.stringify(ODD)}`);
        const raw = c.body.toString('utf8');
        assert.ok(raw.includes('"back\\\\slash \\"quoted\\" nœud-節點\\nsecond line"'), 'the job name is escaped in the text');
      }
    },
  );

  test('VictoriaMetrics: version info, flags with escaped values, label sets with spaces after commas', { timeout: TEST_TIMEOUT }, () => {
    const c = get('victoriametrics');
    const samples = parseAll(c);
    const version = one(samples, 'vm_app_version');
    // 1.79 exposes `vm_app_version{version="...", short_version="..."}` (Debian's build leaves both empty).
    assert.deepEqual(Object.keys(version.labels).sort(), ['short_version', 'version']);
    assert.equal(version.value, 1);
    assert.equal(one(samples, 'flag', { name: 'influxDBLabel' }).labels['value'], ODD);
    assert.equal(one(samples, 'flag', { name: 'retentionPeriod' }).labels['value'], '100y');
    assert.match(
      c.body.toString('utf8'),
      /^flag\{name="retentionPeriod", value="100y", is_set="true"\} 1$/m,
      'VictoriaMetrics writes ", " between labels',
    );
    assert.ok(one(samples, 'vm_app_uptime_seconds').value >= 0);
    assert.match(one(samples, 'go_info').labels['version'] ?? '', /^go\d+\.\d+/);
  });
});
