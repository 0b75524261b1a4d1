/**
 * Hot reload of the real built CLI: every trigger (in-place write, editor
 * rename, Kubernetes ConfigMap symlink swap, delete + recreate, the periodic
 * hash check, SIGHUP, POST /-/reload and /reload), debounce, a bad reload
 * keeping the running config, and a changed listen port. The source is a
 * local fake query API that counts requests per query text, so "unchanged
 * transformations are not queried again" is asserted on real requests.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { mkdir, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { withLogs } from '../support/logs.js';
import { freePort } from '../support/ports.js';
import { ManagedProcess } from '../support/process.js';
import { startOnPort } from '../support/server-start.js';
import { makeTempDir } from '../support/temp.js';
import { waitFor, waitForHttp } from '../support/wait.js';
import { family } from '../support/dataset.js';
import { CLI, Exporter, startExporter } from '../support/exporter.js';

const OK = 'label_value_exporter_config_last_reload_successful';
const OK_TS = 'label_value_exporter_config_last_reload_success_timestamp_seconds';
/** Watch events only after an hour, no periodic check: only SIGHUP or HTTP can reload. */
const NO_WATCH = ['--config.reload-debounce=1h', '--config.reload-interval=0'];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A fake Prometheus query API: one series per query, requests counted per query text. */
class FakeSource {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly counts: Map<string, number>,
  ) {}

  static async start(): Promise<FakeSource> {
    const counts = new Map<string, number>();
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const query = form.get('query') ?? new URL(req.url ?? '/', 'http://x').searchParams.get('query') ?? '';
        counts.set(query, (counts.get(query) ?? 0) + 1);
        const name = query.split('{', 1)[0] ?? query;
        const body = {
          status: 'success',
          data: {
            resultType: 'vector',
            result: [{ metric: { __name__: name, cluster: 'a', node: 'n1', minor: '28' }, value: [Date.now() / 1000, '1'] }],
          },
        };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new FakeSource(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, counts);
  }

  count(query: string): number {
    return this.counts.get(query) ?? 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

interface T {
  readonly name: string;
  readonly metric: string;
  readonly preserve?: readonly string[];
}

function config(url: string, ts: readonly T[], top = ''): string {
  const body = ts
    // pushdown: false — the fake source counts requests by the plain selector text.
    .map(
      (t) =>
        `  - name: ${t.name}\n    source_metric: ${t.metric}\n    value_from_label: minor\n    preserve_labels: [${(t.preserve ?? ['cluster', 'node']).join(', ')}]\n    pushdown: false\n`,
    )
    .join('');
  return `victoriametrics_url: "${url}"\nscrape_interval: 3600\nmax_staleness: 1h\n${top}metric_transformations:\n${body}`;
}

const KEEP: T = { name: 'keep_minor', metric: 'm_keep' };
const ADDED: T = { name: 'added_minor', metric: 'm_added' };
const KEEP_SERIES = new Map([['keep_minor{cluster="a",node="n1"}', 28]]);

function has(s: Map<string, number>, ...names: string[]): boolean {
  return names.every((n) => family(s, n).size > 0);
}

/** Every series that mentions the transformation (its family and our own metrics about it). */
function mentions(s: Map<string, number>, name: string): string[] {
  return [...s.keys()].filter((k) => k === name || k.startsWith(`${name}{`) || k.includes(`transformation="${name}"`));
}

function reloadsLogged(ex: Exporter): number {
  return ex.proc.logs().match(/configuration reloaded/g)?.length ?? 0;
}

/** Starts the fake source and the exporter, runs fn, and cleans both up. */
async function withExporter(ts: readonly T[], extraArgs: string[], fn: (ex: Exporter, src: FakeSource) => Promise<void>): Promise<void> {
  const src = await FakeSource.start();
  let ex: Exporter | undefined;
  try {
    ex = await startExporter(config(src.url, ts), extraArgs);
    const started = ex;
    await withLogs([started.proc], async () => {
      await started.waitForSamples((s) => has(s, ...ts.map((t) => t.name)), 'the first run of every transformation');
      await fn(started, src);
    });
  } finally {
    await ex?.stop();
    await src.close();
  }
}

async function post(url: string, method = 'POST'): Promise<{ status: number; body: string; allow: string | null }> {
  const res = await fetch(url, { method });
  return { status: res.status, body: await res.text(), allow: res.headers.get('allow') };
}

describe('config reload', () => {
  test('in-place write: added appears, removed disappears, unchanged is not queried again, changed runs at once in its new shape', async () => {
    const removed: T = { name: 'removed_minor', metric: 'm_removed' };
    const changed: T = { name: 'changed_minor', metric: 'm_changed' };
    // The removed one comes first, so the others' positions in the list change too.
    await withExporter([removed, KEEP, changed], ['--config.reload-debounce=300ms'], async (ex, src) => {
      const before = await ex.samples();
      assert.equal(before.get(OK), 1);
      assert.ok(mentions(before, 'removed_minor').length > 2, 'our own metrics describe the removed transformation before the reload');
      const ts0 = before.get(OK_TS) ?? 0;
      await sleep(50);
      await writeFile(ex.configFile, config(src.url, [KEEP, { ...changed, preserve: ['cluster'] }, ADDED]));
      const after = await ex.waitForSamples(
        (s) => has(s, 'added_minor') && family(s, 'removed_minor').size === 0 && s.has('changed_minor{cluster="a"}'),
        'the new config applied',
      );
      assert.deepEqual(family(after, 'keep_minor'), KEEP_SERIES);
      assert.deepEqual(family(after, 'changed_minor'), new Map([['changed_minor{cluster="a"}', 28]]));
      assert.deepEqual(family(after, 'added_minor'), new Map([['added_minor{cluster="a",node="n1"}', 28]]));
      assert.deepEqual(mentions(after, 'removed_minor'), [], 'no series of or about the removed transformation');
      assert.equal(after.get('label_value_exporter_transformation_series{transformation="added_minor"}'), 1);
      assert.equal(after.get('label_value_exporter_transformation_last_run_success{transformation="changed_minor"}'), 1);
      assert.equal(after.get(OK), 1);
      assert.ok((after.get(OK_TS) ?? 0) > ts0, `reload success timestamp moved: ${after.get(OK_TS)} > ${ts0}`);
      await sleep(500); // any extra query would have happened by now
      assert.equal(src.count('m_keep'), 1, 'the unchanged transformation is not queried again');
      assert.equal(src.count('m_removed'), 1);
      assert.equal(src.count('m_changed'), 2, 'the changed transformation runs at once');
      assert.equal(src.count('m_added'), 1);
      assert.equal(reloadsLogged(ex), 1);
    });
  });

  test('a changed transformation with clear_stale_metrics: false does not keep series of its old shape', async () => {
    const src = await FakeSource.start();
    const yaml = (preserve: string) => `victoriametrics_url: "${src.url}"
scrape_interval: 3600
max_staleness: 1h
metric_transformations:
  - name: sticky_minor
    source_metric: m_sticky
    value_from_label: minor
    preserve_labels: [${preserve}]
    clear_stale_metrics: false
`;
    const ex = await startExporter(yaml('cluster, node'), ['--config.reload-debounce=300ms']);
    try {
      await withLogs([ex.proc], async () => {
        await ex.waitForSamples((s) => s.has('sticky_minor{cluster="a",node="n1"}'), 'the first run');
        await writeFile(ex.configFile, yaml('cluster'));
        const after = await ex.waitForSamples((s) => s.has('sticky_minor{cluster="a"}'), 'the new shape');
        assert.deepEqual(family(after, 'sticky_minor'), new Map([['sticky_minor{cluster="a"}', 28]]), 'only the new shape is served');
      });
    } finally {
      await ex.stop();
      await src.close();
    }
  });

  test('editor style: write config.yml.tmp, then rename it over config.yml', async () => {
    await withExporter([KEEP], ['--config.reload-debounce=300ms'], async (ex, src) => {
      const tmp = `${ex.configFile}.tmp`;
      await writeFile(tmp, config(src.url, [KEEP, ADDED]));
      await rename(tmp, ex.configFile);
      const after = await ex.waitForSamples((s) => has(s, 'added_minor'), 'the renamed config applied');
      assert.deepEqual(family(after, 'keep_minor'), KEEP_SERIES);
      assert.equal(after.get(OK), 1);
      assert.equal(src.count('m_keep'), 1);
      assert.equal(src.count('m_added'), 1);
      // The watch survives the rename: the next save is seen too.
      await writeFile(tmp, config(src.url, [KEEP]));
      await rename(tmp, ex.configFile);
      const second = await ex.waitForSamples((s) => family(s, 'added_minor').size === 0, 'the second save applied');
      assert.deepEqual(family(second, 'keep_minor'), KEEP_SERIES);
      assert.equal(src.count('m_keep'), 1);
    });
  });

  test('Kubernetes ConfigMap volume: ..data symlink swapped atomically', async () => {
    const src = await FakeSource.start();
    const root = await makeTempDir('configmap');
    const cm = path.join(root, 'cm');
    const v1 = '..2026_11_22_01.111';
    const v2 = '..2026_11_22_02.222';
    await mkdir(path.join(cm, v1), { recursive: true });
    await writeFile(path.join(cm, v1, 'config.yml'), config(src.url, [KEEP]));
    await symlink(v1, path.join(cm, '..data'));
    await symlink('..data/config.yml', path.join(cm, 'config.yml'));
    let ex: Exporter | undefined;
    try {
      // Relative, as a Deployment would pass it: resolved against the working directory.
      const { port, proc } = await startOnPort({
        launch: (p) =>
          ManagedProcess.start({
            name: 'label-value-exporter',
            command: process.execPath,
            cwd: root,
            args: [
              CLI,
              '--config.file',
              'cm/config.yml',
              '--web.listen-address',
              `127.0.0.1:${p}`,
              '--log.level',
              'debug',
              '--config.reload-debounce=300ms',
            ],
          }),
        ready: (p, pr) => waitForHttp(`http://127.0.0.1:${p}/-/healthy`, 15_000, 200, { process: pr }),
      });
      const started = new Exporter(proc, port, path.join(cm, 'config.yml'));
      ex = started;
      await withLogs([proc], async () => {
        await started.waitForSamples((s) => has(s, 'keep_minor'), 'the first run');
        // What the kubelet does: new timestamped dir, ..data_tmp link, atomic rename over ..data, old dir removed.
        await mkdir(path.join(cm, v2));
        await writeFile(path.join(cm, v2, 'config.yml'), config(src.url, [KEEP, ADDED]));
        await symlink(v2, path.join(cm, '..data_tmp'));
        await rename(path.join(cm, '..data_tmp'), path.join(cm, '..data'));
        await rm(path.join(cm, v1), { recursive: true });
        const after = await started.waitForSamples((s) => has(s, 'added_minor'), 'the ConfigMap update applied');
        assert.deepEqual(family(after, 'keep_minor'), KEEP_SERIES);
        assert.equal(after.get(OK), 1);
        assert.equal(src.count('m_keep'), 1);
        assert.equal(src.count('m_added'), 1);
        // And the next update too: the watch survives the swap.
        const v3 = '..2026_11_22_03.333';
        await mkdir(path.join(cm, v3));
        await writeFile(path.join(cm, v3, 'config.yml'), config(src.url, [KEEP]));
        await symlink(v3, path.join(cm, '..data_tmp'));
        await rename(path.join(cm, '..data_tmp'), path.join(cm, '..data'));
        await rm(path.join(cm, v2), { recursive: true });
        const second = await started.waitForSamples((s) => family(s, 'added_minor').size === 0, 'the second ConfigMap update applied');
        assert.deepEqual(family(second, 'keep_minor'), KEEP_SERIES);
        assert.equal(src.count('m_keep'), 1);
      });
    } finally {
      await ex?.stop();
      await src.close();
    }
  });

  test('the file deleted, then recreated', async () => {
    await withExporter([KEEP], ['--config.reload-debounce=100ms'], async (ex, src) => {
      await unlink(ex.configFile);
      await sleep(300); // longer than the debounce: a reload attempt sees no file
      const missing = await ex.samples();
      assert.equal(missing.get(OK), 1, 'a briefly missing file is not a failed reload');
      assert.deepEqual(family(missing, 'keep_minor'), KEEP_SERIES, 'and the running config keeps serving');
      await writeFile(ex.configFile, config(src.url, [KEEP, ADDED]));
      const after = await ex.waitForSamples((s) => has(s, 'added_minor'), 'the recreated config applied');
      assert.deepEqual(family(after, 'keep_minor'), KEEP_SERIES);
      assert.equal(after.get(OK), 1);
      assert.equal(src.count('m_keep'), 1);
    });
  });

  test('debounce: five writes within 200 ms are applied once, with the last content', async () => {
    await withExporter([KEEP], ['--config.reload-debounce=500ms', '--config.reload-interval=0'], async (ex, src) => {
      for (let i = 1; i <= 5; i++) {
        await writeFile(ex.configFile, config(src.url, [KEEP, { name: `burst_${i}`, metric: `m_burst_${i}` }]));
        if (i < 5) await sleep(40);
      }
      const after = await ex.waitForSamples((s) => has(s, 'burst_5'), 'the last write applied');
      await sleep(1000); // a second reload would have happened by now
      const settled = await ex.samples();
      assert.deepEqual(family(settled, 'keep_minor'), KEEP_SERIES);
      for (let i = 1; i <= 4; i++) {
        assert.equal(family(settled, `burst_${i}`).size, 0, `burst_${i} never served`);
        assert.equal(src.count(`m_burst_${i}`), 0, `burst_${i} never queried`);
      }
      assert.equal(src.count('m_burst_5'), 1);
      assert.equal(after.get(OK), 1);
      assert.equal(reloadsLogged(ex), 1, `one reload:\n${ex.proc.logs()}`);
    });
  });

  test('lost watch events: the periodic hash check applies a change', async () => {
    await withExporter([KEEP], ['--config.reload-debounce=1h', '--config.reload-interval=1s'], async (ex, src) => {
      await writeFile(ex.configFile, config(src.url, [KEEP, ADDED]));
      const after = await ex.waitForSamples((s) => has(s, 'added_minor'), 'the change applied by the periodic check', 5000);
      assert.equal(after.get(OK), 1);
      assert.equal(src.count('m_keep'), 1);
      await sleep(2500); // two more periodic checks of unchanged content
      assert.equal(reloadsLogged(ex), 1, 'an unchanged hash is not reloaded again');
      assert.equal(src.count('m_keep'), 1);
      assert.equal(src.count('m_added'), 1);
    });
  });

  test('a bad reload keeps the running config, answers 500 with file:line and field, and a fix recovers', async () => {
    await withExporter([KEEP], ['--config.reload-debounce=300ms'], async (ex, src) => {
      const good = await ex.samples();
      const ts0 = good.get(OK_TS);
      // Line 3 has a misspelt key.
      const bad = `metric_transformations:
  - name: keep_minor
    value_from_lable: minor
    source_metric: m_keep
    value_from_label: minor
victoriametrics_url: "${src.url}"
`;
      await writeFile(ex.configFile, bad);
      const failed = await ex.waitForSamples((s) => s.get(OK) === 0, 'config_last_reload_successful 0');
      assert.deepEqual(family(failed, 'keep_minor'), family(good, 'keep_minor'), 'old transformations keep serving');
      assert.equal(failed.get(OK_TS), ts0, 'no new success timestamp');
      const where = `${ex.configFile}:3:5: metric_transformations[0].value_from_lable: unknown field`;
      const r = await post(`${ex.url}/-/reload`);
      assert.equal(r.status, 500);
      assert.ok(r.body.includes(`${ex.configFile}:3:`), r.body);
      assert.ok(r.body.includes('metric_transformations[0].value_from_lable'), r.body);
      assert.ok(r.body.includes(where), r.body);
      assert.ok(ex.proc.logs().includes(where), 'the error is logged with file:line');
      assert.match(ex.proc.logs(), /level=error.*configuration reload failed/);
      assert.equal((await ex.samples()).get(OK), 0);
      assert.equal(src.count('m_keep'), 1, 'nothing was restarted');

      await writeFile(ex.configFile, config(src.url, [KEEP, ADDED]));
      const fixed = await ex.waitForSamples((s) => s.get(OK) === 1 && has(s, 'added_minor'), 'the fixed config applied');
      assert.ok((fixed.get(OK_TS) ?? 0) > (ts0 ?? 0));
      assert.deepEqual(family(fixed, 'keep_minor'), KEEP_SERIES);
      assert.equal(src.count('m_keep'), 1);
    });
  });

  test('SIGHUP reloads', async () => {
    await withExporter([KEEP], NO_WATCH, async (ex, src) => {
      await writeFile(ex.configFile, config(src.url, [KEEP, ADDED]));
      await sleep(1000);
      assert.equal(family(await ex.samples(), 'added_minor').size, 0, 'not applied before SIGHUP (the watcher is effectively off)');
      assert.ok(ex.proc.signal('SIGHUP'));
      const after = await ex.waitForSamples((s) => has(s, 'added_minor'), 'the change applied after SIGHUP');
      assert.equal(after.get(OK), 1);
      assert.deepEqual(family(after, 'keep_minor'), KEEP_SERIES);
      assert.equal(src.count('m_keep'), 1);
      assert.ok(ex.proc.isRunning());
      assert.match(ex.proc.logs(), /configuration reloaded.*trigger=SIGHUP|trigger=SIGHUP.*configuration reloaded/);
    });
  });

  test('POST /-/reload and /reload: 200 reloaded or unchanged, GET is 405, unchanged content restarts nothing', async () => {
    await withExporter([KEEP], NO_WATCH, async (ex, src) => {
      for (const p of ['/-/reload', '/reload']) {
        const g = await post(`${ex.url}${p}`, 'GET');
        assert.equal(g.status, 405, p);
        assert.equal(g.allow, 'POST', p);
      }
      const same = await post(`${ex.url}/-/reload`);
      assert.equal(same.status, 200);
      assert.match(same.body, /unchanged/);

      await writeFile(ex.configFile, config(src.url, [KEEP, ADDED]));
      const r = await post(`${ex.url}/-/reload`);
      assert.equal(r.status, 200);
      assert.match(r.body, /^reloaded: 1 added, 0 changed, 0 removed/);
      const after = await ex.waitForSamples((s) => has(s, 'added_minor'), 'the added transformation served');
      assert.equal(after.get(OK), 1);

      const again = await post(`${ex.url}/reload`);
      assert.equal(again.status, 200);
      assert.match(again.body, /unchanged/);
      const put = await post(`${ex.url}/reload`, 'PUT');
      assert.equal(put.status, 405, 'only POST reloads');
      await sleep(500);
      assert.equal(src.count('m_keep'), 1, 'no job restarted');
      assert.equal(src.count('m_added'), 1, 'no job restarted');
      assert.equal((await ex.samples()).get(OK), 1);
    });
  });

  test('a changed exporter_port is reported as needing a restart; the old address keeps serving', async () => {
    const src = await FakeSource.start();
    const dir = await makeTempDir('reload-port');
    const file = path.join(dir, 'config.yml');
    const port = await freePort();
    const other = await freePort();
    await writeFile(file, config(src.url, [KEEP], `exporter_address: 127.0.0.1\nexporter_port: ${port}\n`));
    const proc = await ManagedProcess.start({
      name: 'label-value-exporter',
      command: process.execPath,
      args: [CLI, '--config.file', file, ...NO_WATCH],
    });
    const ex = new Exporter(proc, port, file);
    try {
      await withLogs([proc], async () => {
        await waitForHttp(`${ex.url}/-/ready`, 15_000, 200, { process: proc });
        await writeFile(file, config(src.url, [KEEP, ADDED], `exporter_address: 127.0.0.1\nexporter_port: ${other}\n`));
        const r = await post(`${ex.url}/-/reload`);
        assert.equal(r.status, 200);
        assert.match(r.body, /reloaded: 1 added/);
        assert.match(r.body, /exporter_port changed: restart/);
        assert.match(proc.logs(), /restart is needed/);
        const after = await ex.waitForSamples((s) => has(s, 'added_minor'), 'the rest of the config applied on the old address');
        assert.equal(after.get(OK), 1);
        await assert.rejects(fetch(`http://127.0.0.1:${other}/metrics`), 'nothing listens on the new port');
        await waitFor(async () => (await fetch(`${ex.url}/-/healthy`)).status === 200, { timeoutMs: 2000, what: 'old address healthy' });
      });
    } finally {
      await ex.stop();
      await src.close();
    }
  });
});
