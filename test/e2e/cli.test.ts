/** The built CLI as users run it: flags, exit codes, HTTP endpoints, shutdown. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { freePort } from '../support/ports.js';
import { ManagedProcess } from '../support/process.js';
import { makeTempDir } from '../support/temp.js';
import { waitForHttp } from '../support/wait.js';
import { CLI, REPO, startExporter } from '../support/exporter.js';

function run(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
}

const DEMO = path.join(REPO, 'examples/demo/config.yml');

describe('command line', () => {
  test('--version prints Prometheus-style build information', () => {
    const r = run(['--version']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^label-value-exporter, version \d+\.\d+\.\d+\S* \(branch: \S+, revision: \S+\)\n/);
    assert.match(r.stdout, /^ {2}build date: +\S+/m);
    assert.match(r.stdout, new RegExp(`^ {2}node version: +${process.version.replace(/\./g, '\\.')}$`, 'm'));
  });

  test('a bad config exits non-zero naming file, line, column and field', async () => {
    const dir = await makeTempDir('cli');
    const file = path.join(dir, 'bad.yml');
    await writeFile(file, 'metric_transformations:\n  - name: x\n    source_metric: kube_node_info\n    value_from_lable: minor\n');
    const r = run(['--config.file', file]);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      new RegExp(
        `${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:4:5: metric_transformations\\[0\\]\\.value_from_lable: unknown field \\(did you mean "value_from_label"\\?\\)`,
      ),
    );
    assert.match(r.stderr, /metric_transformations\[0\]\.value_from_label: missing required field/);
  });

  test('a missing config file exits non-zero', () => {
    const r = run(['--config.file', '/nonexistent/config.yml']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /\/nonexistent\/config\.yml: cannot read config file \(ENOENT\)/);
  });

  test('bad flag values are rejected', () => {
    assert.notEqual(run(['--log.level', 'loud']).status, 0);
    assert.notEqual(run(['--web.listen-address', 'nonsense']).status, 0);
    assert.notEqual(run(['--no-such-flag']).status, 0);
  });

  test('--config alias, exporter_port from the config, JSON logs, SIGTERM exits 0', async () => {
    const port = await freePort();
    const dir = await makeTempDir('cli');
    const file = path.join(dir, 'config.yml');
    await writeFile(
      file,
      `exporter_port: ${port}\nexporter_address: 127.0.0.1\nsources: [{name: default, type: file, path: ${path.join(REPO, 'examples/demo/kube_node_info.prom')}}]\nmetric_transformations:\n  - {name: m, source_metric: kube_node_info, value_from_label: kubelet_version, value: {parser: semver, part: minor}}\n`,
    );
    const proc = await ManagedProcess.start({
      name: 'exporter',
      command: process.execPath,
      args: [CLI, '--config', file, '--log.format', 'json'],
    });
    await waitForHttp(`http://127.0.0.1:${port}/-/ready`, 15_000, 200, { process: proc });
    const started = Date.now();
    process.kill(proc.pid, 'SIGTERM');
    const exit = await proc.exited;
    assert.equal(exit.code, 0);
    assert.ok(Date.now() - started < 5000);
    const first = proc.logs().split('\n')[0] ?? '';
    const record = JSON.parse(first) as Record<string, unknown>;
    assert.equal(record.msg, 'listening');
    assert.equal(record.level, 'info');
  });
});

describe('HTTP endpoints', () => {
  test('health, readiness before and after the first run, landing page, 404, 405, HEAD', async () => {
    // A source that answers only when released, so readiness can be seen switching.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const source = createServer((req, res) => {
      req.resume();
      void gate.then(() =>
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(
            '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"kube_node_info","node":"n1","minor":"28"},"value":[0,"1"]}]}}',
          ),
      );
    });
    source.listen(0, '127.0.0.1');
    await once(source, 'listening');
    const ex = await startExporter(
      `victoriametrics_url: http://127.0.0.1:${(source.address() as AddressInfo).port}\nmetric_transformations:\n  - {name: slow_one, source_metric: kube_node_info, value_from_label: minor}\n`,
    );
    try {
      for (const p of ['/health', '/-/healthy']) assert.equal((await fetch(`${ex.url}${p}`)).status, 200);
      assert.equal((await fetch(`${ex.url}/-/ready`)).status, 503);
      release();
      await waitForHttp(`${ex.url}/-/ready`, 10_000, 200, { process: ex.proc });
      const landing = await fetch(`${ex.url}/`);
      assert.match(landing.headers.get('content-type') ?? '', /text\/html/);
      const html = await landing.text();
      assert.match(html, /slow_one/);
      assert.match(html, /href="\/metrics"/);
      assert.equal((await fetch(`${ex.url}/nope`)).status, 404);
      const post = await fetch(`${ex.url}/metrics`, { method: 'POST' });
      assert.equal(post.status, 405);
      assert.equal(post.headers.get('allow'), 'GET, HEAD');
      const head = await fetch(`${ex.url}/metrics`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal((await head.text()).length, 0);
    } finally {
      await ex.stop();
      source.closeAllConnections();
      source.close();
    }
  });

  test('the bundled demo starts with no external server', async () => {
    const ex = await startExporter(
      (await import('node:fs'))
        .readFileSync(DEMO, 'utf8')
        .replace('path: kube_node_info.prom', `path: ${path.join(REPO, 'examples/demo/kube_node_info.prom')}`),
    );
    try {
      // First runs are spread by up to a second: wait for every family.
      const families = [
        'kubelet_minor_version',
        'kubelet_version_info',
        'apiserver_minor_version',
        'node_kernel_version',
        'container_runtime_version_number',
        'node_os_image_info',
      ];
      const has = (x: Map<string, number>, f: string) => [...x.keys()].some((k) => k.startsWith(`${f}{`));
      const s = await ex.waitForSamples((x) => families.every((f) => has(x, f)), 'every demo family');
      // Read from the labels real clusters expose: kubelet_version, git_version.
      assert.equal(s.get('kubelet_minor_version{cluster="prod-eu-west-1",node="ip-10-0-1-17.eu-west-1.compute.internal"}'), 28);
      assert.equal(s.get('kubelet_minor_version{cluster="edge-store-0042",node="edge-0042-a"}'), 29);
      assert.equal(s.get('apiserver_minor_version{cluster="prod-eu-west-1"}'), 28);
      // The node without a version yet is not served as 0 (nor at all).
      assert.ok(
        ![...s.keys()].some((k) => k.startsWith('kubelet_minor_version{') && k.includes('ip-10-0-1-203')),
        'unknown version left out',
      );
      assert.equal(s.get('kubelet_version_info{cluster="prod-eu-west-1",node="ip-10-0-1-203.eu-west-1.compute.internal"}'), 1);
      assert.equal((await fetch(`${ex.url}/-/ready`)).status, 200);
    } finally {
      await ex.stop();
    }
  });
});
