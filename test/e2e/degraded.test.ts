/**
 * Silent emptiness made loud (issue #13 items 1 and 7), against a real
 * VictoriaMetrics: a typo in value_from_label with default_value 0 turns every
 * node into "version 0". The run is degraded: a warning with a "did you mean",
 * a self-metric, the status page, `preview`'s exit code; and /-/ready waits for
 * a transformation that never produced usable output for a bounded number of
 * runs only.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { freePort } from '../support/ports.js';
import { withLogs } from '../support/logs.js';
import { startVictoriaMetrics, type VictoriaMetrics } from '../support/victoria-metrics.js';
import { waitFor } from '../support/wait.js';
import { CLI, startExporter, type Exporter } from '../support/exporter.js';

const NODES = 8;
const SERIES = Array.from(
  { length: NODES },
  (_, i) =>
    `kube_node_info{node="worker-${i}",kubelet_version="v1.28.${i}",kernel_version="6.1.0-${i}",os_image="Ubuntu 22.04",container_runtime_version="containerd://1.7.11"} 1`,
).join('\n');

const DID_YOU_MEAN = `value_from_label "kubelet_verison" is on none of ${NODES} series; they carry container_runtime_version, kernel_version, kubelet_version, node, os_image (did you mean "kubelet_version"?): every output series is default_value 0`;

const m = (name: string, t: string) => `label_value_exporter_transformation_${name}{transformation="${t}"}`;

function transformations(vmUrl: string, closedPort: number): string {
  return `scrape_interval: 3
max_staleness: 1h
sources:
  - name: vm
    type: prometheus
    url: ${vmUrl}
  - name: closed
    type: prometheus
    url: http://127.0.0.1:${closedPort}
metric_transformations:
  - name: kubelet_patch_typo
    source: vm
    source_metric: kube_node_info
    value_from_label: kubelet_verison
    value: {parser: semver, part: patch}
    preserve_labels: [node]
    default_value: 0
  - name: kubelet_patch
    source: vm
    source_metric: kube_node_info
    value_from_label: kubelet_version
    value: {parser: semver, part: patch}
    preserve_labels: [node]
`;
}

describe('degraded runs and readiness (real VictoriaMetrics)', () => {
  let vm: VictoriaMetrics;
  let closed: number;
  let exporter: Exporter;

  before(async () => {
    vm = await startVictoriaMetrics();
    await vm.importPrometheus(SERIES);
    await vm.waitForSeries('kube_node_info', NODES);
    closed = await freePort();
    exporter = await startExporter(
      `${transformations(vm.url, closed)}  - name: never_ok
    source: closed
    source_metric: kube_node_info
    value_from_label: kubelet_version
`,
      ['--config.reload-debounce=1h', '--config.reload-interval=0'],
    );
  });

  after(async () => {
    await exporter?.stop();
    await vm?.stop();
  });

  test('a typo is degraded: warning with did-you-mean, self-metrics, status page; /-/ready waits 3 runs; a bad reload is shown', async () => {
    await withLogs([exporter.proc], async () => {
      const s = await exporter.waitForSamples(
        (x) =>
          x.get(m('degraded', 'kubelet_patch_typo')) === 1 &&
          x.get(m('ever_succeeded', 'kubelet_patch')) === 1 &&
          x.get(m('last_run_success', 'never_ok')) === 0,
        'first runs of all three',
      );
      // First runs are done but two transformations never produced usable output: not ready yet (3 runs take ~6 s).
      assert.equal((await fetch(`${exporter.url}/-/ready`)).status, 503);
      assert.equal(s.get(m('ever_succeeded', 'kubelet_patch_typo')), 0);
      assert.equal(s.get(m('ever_succeeded', 'never_ok')), 0);
      assert.equal(s.get(m('degraded', 'kubelet_patch')), 0);
      assert.equal(s.get('kubelet_patch_typo{node="worker-3"}'), 0, 'the defaulted series are still served');

      const logs = exporter.proc.logs();
      assert.match(
        logs,
        /level=warn msg="transformation degraded: the source answered but nothing usable came out" transformation=kubelet_patch_typo .*reason=missing_label/,
      );
      assert.ok(logs.includes(`detail="${DID_YOU_MEAN.replace(/"/g, '\\"')}"`), logs);
      assert.doesNotMatch(logs, /first run succeeded" transformation=kubelet_patch_typo/);
      assert.match(logs, /transformation run failed; nothing is served for it yet[^\n]*transformation=never_ok/);
      assert.doesNotMatch(logs, /serving the last good data[^\n]*transformation=never_ok/);

      const html = await (await fetch(`${exporter.url}/`)).text();
      assert.match(html, /data-transformation="kubelet_patch_typo" data-state="degraded"/);
      assert.match(html, /data-transformation="never_ok" data-state="never-succeeded"/);
      assert.match(html, /data-transformation="kubelet_patch" data-state="ok"/);
      assert.ok(html.includes('did you mean &#34;kubelet_version&#34;?'), 'the reason is on the page');
      assert.match(html, /<span class="skipped">0<\/span> \/ <span class="defaulted">8<\/span>/);
      assert.match(html, /<span id="degraded-count">1<\/span> degraded/);

      // Bounded: after three runs without usable output, ready anyway (a source outage must not hold every replica out).
      await waitFor(async () => ((await fetch(`${exporter.url}/-/ready`)).status === 200 ? true : undefined), {
        timeoutMs: 20_000,
        intervalMs: 200,
        what: '/-/ready 200 after 3 runs',
        process: exporter.proc,
      });
      assert.equal(
        exporter.proc.logs().match(/transformation degraded: [^\n]*transformation=kubelet_patch_typo/g)?.length,
        1,
        'warned once per change of state',
      );

      await writeFile(exporter.configFile, 'metric_transformations: [\n');
      const reload = await fetch(`${exporter.url}/-/reload`, { method: 'POST' });
      assert.notEqual(reload.status, 200);
      assert.match(await (await fetch(`${exporter.url}/`)).text(), /<p id="config-problem">The config file on disk failed to load at /);
    });
  });

  test('preview: a degraded transformation exits 1 with the summary; --allow-degraded exits 0', async () => {
    const file = `${exporter.configFile}.preview.yml`;
    await writeFile(file, transformations(vm.url, closed));
    const run = (args: string[]) =>
      spawnSync(process.execPath, [CLI, 'preview', '--config.file', file, ...args], { encoding: 'utf8', timeout: 20_000 });
    const bad = run(['--transformation', 'kubelet_patch_typo']);
    assert.equal(bad.status, 1, bad.stderr);
    assert.match(
      bad.stderr,
      new RegExp(
        `^kubelet_patch_typo: DEGRADED in \\d+ ms; ${NODES} source series → ${NODES} output series; defaulted ${NODES}; collisions 0$`,
        'm',
      ),
    );
    assert.ok(bad.stderr.includes(`  degraded: ${DID_YOU_MEAN}\n`), bad.stderr);
    assert.doesNotMatch(bad.stderr, /e\.g\. ""/);
    assert.equal(run(['--transformation', 'kubelet_patch_typo', '--allow-degraded']).status, 0);
    const good = run(['--transformation', 'kubelet_patch']);
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stderr, /^kubelet_patch: ok in/m);
  });

  test("check --probe runs each transformation's query and reports a degraded one (exit 1)", async () => {
    const file = `${exporter.configFile}.probe.yml`;
    await writeFile(file, transformations(vm.url, closed));
    const r = spawnSync(process.execPath, [CLI, 'check', '--probe', '--config.file', file], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.ok(r.stdout.includes(`transformation kubelet_patch_typo: DEGRADED missing_label: ${DID_YOU_MEAN}\n`), r.stdout);
    assert.ok(r.stdout.includes(`transformation kubelet_patch: ok (${NODES} source series → ${NODES} output series)\n`), r.stdout);
  });
});
