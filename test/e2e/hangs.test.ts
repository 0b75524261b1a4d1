/**
 * A run always ends. The real exporter process runs under constant forced
 * garbage collection (`--expose-gc`, a full collection every 50 ms), so a
 * deadline that only a weak reference keeps alive is collected and never
 * fires. Sources answer compressed (gzip, deflate, br) and then stall, reset
 * or trickle half-way through the body; every run must end at its deadline
 * with reason `timeout` (or `connection` for a reset) and a message naming the
 * deadline, stale data must be dropped, a reload must complete and SIGTERM
 * must end the process within seconds.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withLogs } from '../support/logs.js';
import { ManagedProcess } from '../support/process.js';
import { startOnPort } from '../support/server-start.js';
import { makeTempDir } from '../support/temp.js';
import { waitForHttp } from '../support/wait.js';
import { CLI, Exporter } from '../support/exporter.js';
import { FaultServer } from '../support/fault-server.js';

/** Loaded before the exporter: collects the heap over and over. */
const GC_PRESSURE = 'setInterval(() => globalThis.gc(), 50).unref();\n';

async function startUnderGc(yaml: string): Promise<Exporter> {
  const dir = await makeTempDir('hangs');
  const configFile = path.join(dir, 'config.yml');
  const gcFile = path.join(dir, 'gc-pressure.mjs');
  await writeFile(configFile, yaml);
  await writeFile(gcFile, GC_PRESSURE);
  const { port, proc } = await startOnPort({
    launch: (p) =>
      ManagedProcess.start({
        name: 'label-value-exporter (forced GC)',
        command: process.execPath,
        args: [
          '--expose-gc',
          '--import',
          gcFile,
          CLI,
          '--config.file',
          configFile,
          '--web.listen-address',
          `127.0.0.1:${p}`,
          '--log.level',
          'debug',
          '--config.reload-interval=0',
          '--config.reload-debounce=1h',
        ],
      }),
    ready: (p, proc) => waitForHttp(`http://127.0.0.1:${p}/-/healthy`, 15_000, 200, { process: proc }),
  });
  return new Exporter(proc, port, configFile);
}

/** Milliseconds until the process exits after SIGTERM; Infinity when it is still running after `limitMs` (then it is killed). */
async function sigtermExitMs(ex: Exporter, limitMs: number): Promise<{ ms: number; code: number | null }> {
  const started = performance.now();
  ex.proc.signal('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), limitMs)));
  const r = await Promise.race([ex.proc.exited, limit]);
  clearTimeout(timer);
  if (r === 'late') {
    ex.proc.signal('SIGKILL');
    return { ms: Infinity, code: null };
  }
  return { ms: performance.now() - started, code: r.code };
}

/** POST /-/reload, giving up (status 0) after `limitMs`. */
async function reloadWithin(ex: Exporter, limitMs: number): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const c = new AbortController();
  const timer = setTimeout(() => c.abort(), limitMs);
  try {
    const res = await fetch(`${ex.url}/-/reload`, { method: 'POST', signal: c.signal });
    await res.text();
    return { status: res.status, ms: performance.now() - started };
  } catch {
    return { status: 0, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

const failures = (t: string, reason: string) =>
  `label_value_exporter_transformation_failures_total{transformation="${t}",reason="${reason}"}`;
const stale = (t: string) => `label_value_exporter_transformation_stale{transformation="${t}"}`;
const series = (t: string) => `label_value_exporter_transformation_series{transformation="${t}"}`;

interface Case {
  readonly name: string;
  readonly type: 'prometheus' | 'json' | 'scrape';
  readonly path: string;
  readonly extra?: string;
}

function yaml(url: string, cases: readonly Case[], transformation: string): string {
  const sources = cases.map((c) => `  - {name: ${c.name}, type: ${c.type}, url: "${url}${c.path}"${c.extra ?? ''}}`);
  const ts = cases.map((c) => {
    const json = c.type === 'json' ? ', json: {records: "$.items[*]", labels: {node: node, minor: minor}}' : '';
    return `  - {name: ${c.name}, source: ${c.name}, source_metric: kube_node_info, value_from_label: minor, preserve_labels: [node], pushdown: false${json}${transformation}}`;
  });
  return `scrape_interval: 1\nsources:\n${sources.join('\n')}\nmetric_transformations:\n${ts.join('\n')}\n`;
}

describe('a run always ends', () => {
  let server: FaultServer;
  before(async () => {
    server = await FaultServer.start();
  });
  after(async () => {
    await server.close();
  });

  test('compressed answers stalled mid-body (gzip, deflate, br; prometheus, json, scrape) fail at the run deadline, go stale, reload and SIGTERM stay quick', async () => {
    server.broken = false;
    const cases: Case[] = [
      { name: 'p_gzip', type: 'prometheus', path: '/gzip/stall' },
      { name: 'p_deflate', type: 'prometheus', path: '/deflate/stall' },
      { name: 'p_br', type: 'prometheus', path: '/br/stall' },
      { name: 'j_gzip', type: 'json', path: '/gzip/stall/json' },
      { name: 's_gzip', type: 'scrape', path: '/gzip/stall/metrics' },
    ];
    const ex = await startUnderGc(yaml(server.url, cases, ', timeout: 2s, max_staleness: 4s'));
    try {
      await withLogs([ex.proc], async () => {
        await ex.waitForSamples((s) => cases.every((c) => s.get(series(c.name)) === 200), 'every transformation served');
        server.broken = true;
        const started = performance.now();
        const s = await ex.waitForSamples(
          (x) => cases.every((c) => (x.get(failures(c.name, 'timeout')) ?? 0) >= 1 && x.get(stale(c.name)) === 1),
          'timeouts and stale data dropped',
          15_000,
        );
        for (const c of cases) assert.equal(s.get(series(c.name)), 0, `${c.name}: stale series no longer served`);
        const logs = ex.proc.logs();
        for (const c of cases)
          assert.match(
            logs,
            new RegExp(
              `transformation run failed.*transformation=${c.name} .*reason=timeout err="run deadline \\(timeout\\) of 2s exceeded"`,
            ),
          );
        process.stdout.write(
          `# stalled compressed bodies: timeouts and staleness for all after ${Math.round(performance.now() - started)} ms\n`,
        );
        // Replace every transformation while their runs hang.
        await writeFile(ex.configFile, yaml(server.url, cases, ', timeout: 3s, max_staleness: 5s'));
        const reload = await reloadWithin(ex, 10_000);
        process.stdout.write(`# reload with hung runs: status ${reload.status} after ${Math.round(reload.ms)} ms\n`);
        assert.equal(reload.status, 200, 'the reload completes');
        assert.ok(reload.ms < 3000, `reload took ${Math.round(reload.ms)} ms`);
      });
      const stop = await sigtermExitMs(ex, 10_000);
      process.stdout.write(`# SIGTERM with hung runs: exit ${stop.code} after ${Math.round(stop.ms)} ms\n`);
      assert.ok(stop.ms < 3000, `SIGTERM with hung runs: still running after ${Math.round(stop.ms)} ms`);
      assert.equal(stop.code, 0);
      assert.match(ex.proc.logs(), /shutting down/);
    } finally {
      await ex.stop();
    }
  });

  test('a compressed answer reset mid-body fails at once with reason connection', async () => {
    server.broken = false;
    const cases: Case[] = [
      { name: 'p_gzip_reset', type: 'prometheus', path: '/gzip/reset' },
      { name: 'j_br_reset', type: 'json', path: '/br/reset/json' },
    ];
    const ex = await startUnderGc(yaml(server.url, cases, ', timeout: 5s, max_staleness: 1h'));
    try {
      await withLogs([ex.proc], async () => {
        await ex.waitForSamples((s) => cases.every((c) => s.get(series(c.name)) === 200), 'every transformation served');
        server.broken = true;
        const started = performance.now();
        const s = await ex.waitForSamples(
          (x) => cases.every((c) => (x.get(failures(c.name, 'connection')) ?? 0) >= 1),
          'connection failures',
          10_000,
        );
        const ms = performance.now() - started;
        process.stdout.write(`# reset mid-body: connection failures after ${Math.round(ms)} ms\n`);
        for (const c of cases) assert.equal(s.get(failures(c.name, 'timeout')) ?? 0, 0, `${c.name}: a reset is not a timeout`);
        for (const c of cases) assert.equal(s.get(series(c.name)), 200, `${c.name}: last good data kept`);
      });
      const stop = await sigtermExitMs(ex, 10_000);
      assert.ok(stop.ms < 3000, `SIGTERM: still running after ${Math.round(stop.ms)} ms`);
    } finally {
      await ex.stop();
    }
  });

  test('answers that trickle for ever fail at the deadline that fired, whatever the garbage collector does', async () => {
    server.broken = false;
    const cases: Case[] = [
      { name: 'p_plain_trickle', type: 'prometheus', path: '/identity/trickle' },
      { name: 'j_gzip_trickle', type: 'json', path: '/gzip/trickle/json' },
      // The source's request timeout (1 s) is shorter than the run's (2 s): it is the one named.
      { name: 'p_request_timeout', type: 'prometheus', path: '/identity/trickle', extra: ', timeout: 1s' },
    ];
    const ex = await startUnderGc(yaml(server.url, cases, ', timeout: 2s, max_staleness: 3s'));
    try {
      await withLogs([ex.proc], async () => {
        await ex.waitForSamples((s) => cases.every((c) => s.get(series(c.name)) === 200), 'every transformation served');
        server.broken = true;
        await ex.waitForSamples(
          (x) => cases.every((c) => (x.get(failures(c.name, 'timeout')) ?? 0) >= 2 && x.get(stale(c.name)) === 1),
          'repeated timeouts and stale data',
          15_000,
        );
        const logs = ex.proc.logs();
        assert.match(logs, /transformation=p_plain_trickle .*reason=timeout err="run deadline \(timeout\) of 2s exceeded"/);
        assert.match(logs, /transformation=j_gzip_trickle .*reason=timeout err="run deadline \(timeout\) of 2s exceeded"/);
        assert.match(
          logs,
          /transformation=p_request_timeout .*reason=timeout err="request timeout \(source p_request_timeout\) of 1s exceeded"/,
        );
      });
      const stop = await sigtermExitMs(ex, 10_000);
      assert.ok(stop.ms < 3000, `SIGTERM: still running after ${Math.round(stop.ms)} ms`);
    } finally {
      await ex.stop();
    }
  });
});

describe('shutdown with a hung remote-write request', () => {
  test('a receiver that answers 200 with a gzip body and stalls: requests time out, SIGTERM still ends the process', async () => {
    const server = await FaultServer.start();
    server.broken = true;
    const dir = await makeTempDir('hangs-rw');
    await writeFile(path.join(dir, 'nodes.prom'), 'kube_node_info{node="n1",minor="28"} 1\n');
    const ex = await startUnderGc(`scrape_interval: 1
sources:
  - {name: nodes, type: file, path: ${JSON.stringify(path.join(dir, 'nodes.prom'))}}
metric_transformations:
  - {name: kubelet_minor_version, source: nodes, source_metric: kube_node_info, value_from_label: minor}
remote_write:
  - name: stalled
    url: "${server.url}/gzip/stall/write"
    timeout: 1s
    queue_config: { min_backoff: 50ms, max_backoff: 200ms }
`);
    try {
      await withLogs([ex.proc], async () => {
        await ex.waitForSamples(
          (s) => (s.get('label_value_exporter_remote_write_samples_failed_total{remote="stalled",reason="timeout"}') ?? 0) >= 2,
          'remote-write requests that time out',
          15_000,
        );
      });
      const stop = await sigtermExitMs(ex, 20_000);
      process.stdout.write(`# SIGTERM with a stalled remote-write receiver: exit ${stop.code} after ${Math.round(stop.ms)} ms\n`);
      // Up to 5 s of flushing what is queued (remote write's shutdown flush), then out.
      assert.ok(stop.ms < 8000, `SIGTERM: still running after ${Math.round(stop.ms)} ms`);
    } finally {
      await ex.stop();
      await server.close();
    }
  });
});
