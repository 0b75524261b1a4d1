import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { findBinary, requireBinary } from './binaries.js';
import { withLogs } from './logs.js';
import { freePort } from './ports.js';
import { ManagedProcess, pidAlive, runningPids } from './process.js';
import { startPrometheus } from './prometheus.js';
import { labelsOf, sortSamples } from './promql.js';
import { promtoolCheckMetrics, promtoolCheckRules, promtoolTestRules } from './promtool.js';
import { startStaticServer } from './static-server.js';
import { makeTempDir } from './temp.js';
import { startVictoriaMetrics } from './victoria-metrics.js';

test('requireBinary finds installed binaries and fails loudly for missing ones', () => {
  for (const [bin, pkg] of [
    ['victoria-metrics', 'victoria-metrics'],
    ['prometheus', 'prometheus'],
    ['promtool', 'prometheus'],
  ] as const) {
    assert.ok(path.isAbsolute(requireBinary(bin, pkg)), bin);
  }
  assert.equal(findBinary('definitely-not-installed-xyz'), undefined);
  assert.throws(() => requireBinary('definitely-not-installed-xyz', 'xyz-pkg'), {
    message: 'definitely-not-installed-xyz not found: install it with `sudo apt-get update && sudo apt-get install -y xyz-pkg`',
  });
});

test('freePort returns a usable port', async () => {
  const port = await freePort();
  assert.ok(port > 0 && port < 65536);
});

test('ManagedProcess captures output, stops by PID, escalates to SIGKILL', async (t) => {
  const sh = requireBinary('sh', 'dash');
  const polite = await ManagedProcess.start({
    name: 'polite',
    command: sh,
    args: ['-c', 'echo hello-out; echo hello-err >&2; exec sleep 60'],
  });
  const stubborn = await ManagedProcess.start({
    name: 'stubborn',
    command: sh,
    args: ['-c', "trap '' TERM; echo ready; while :; do sleep 0.1; done"],
  });
  t.after(async () => {
    await polite.stop(1000);
    await stubborn.stop(1000);
  });
  await new Promise((r) => setTimeout(r, 300));
  assert.match(polite.logs(), /hello-out/);
  assert.match(polite.logs(), /hello-err/);
  assert.ok(polite.isRunning() && pidAlive(polite.pid));
  assert.equal(await polite.stop(), null); // ended by SIGTERM
  assert.deepEqual(await polite.exited, { code: null, signal: 'SIGTERM' });
  assert.equal(pidAlive(polite.pid), false);

  const started = Date.now();
  await stubborn.stop(500);
  assert.equal((await stubborn.exited).signal, 'SIGKILL');
  assert.ok(Date.now() - started >= 450);
  assert.equal(stubborn.isRunning(), false);
});

test('ManagedProcess.start rejects for a missing executable', async () => {
  await assert.rejects(ManagedProcess.start({ name: 'ghost', command: '/nonexistent/ghost', args: [] }), /ghost.*ENOENT/);
});

test('withLogs appends process logs to failures', async (t) => {
  const sh = requireBinary('sh', 'dash');
  const proc = await ManagedProcess.start({ name: 'chatty', command: sh, args: ['-c', 'echo marker-42; exec sleep 60'] });
  t.after(() => proc.stop());
  await new Promise((r) => setTimeout(r, 200));
  await assert.rejects(
    withLogs([proc, undefined], async () => {
      assert.equal(1, 2);
    }),
    (err: Error) => /marker-42/.test(err.message) && /chatty \(pid \d+, running\)/.test(err.message),
  );
  assert.equal(await withLogs([proc], async () => 'ok'), 'ok');
});

test('VictoriaMetrics: import, query, stop, restart keeps data, delete', async (t) => {
  const vm = await startVictoriaMetrics();
  t.after(() => vm.stop());
  await withLogs([vm.process], async () => {
    const importedAt = Date.now();
    await vm.importPrometheus(
      [
        'kube_node_info{cluster="a",node="n1",minor="28"} 1',
        'kube_node_info{cluster="a",node="n2",minor="28"} 1',
        'kube_node_info{cluster="b",node="n3",minor="29"} 1',
        '',
      ].join('\n'),
    );
    await vm.waitForSeries('kube_node_info', 3, 30_000);
    t.diagnostic(`VictoriaMetrics: series visible ${Date.now() - importedAt} ms after import`);
    const result = sortSamples(await vm.query('kube_node_info'));
    assert.deepEqual(result.map(labelsOf), [
      { cluster: 'a', minor: '28', node: 'n1' },
      { cluster: 'a', minor: '28', node: 'n2' },
      { cluster: 'b', minor: '29', node: 'n3' },
    ]);
    assert.equal(result[0]?.metric['__name__'], 'kube_node_info');
    assert.equal(result[0]?.value[1], '1');
    await assert.rejects(vm.query('sum(('), /failed: HTTP 4\d\d/);

    const firstPid = vm.process.pid;
    assert.equal(await vm.stop(), 0);
    assert.equal(pidAlive(firstPid), false);

    await vm.restart();
    assert.notEqual(vm.process.pid, firstPid);
    await vm.waitForSeries('kube_node_info', 3, 30_000);
    assert.deepEqual(sortSamples(await vm.query('kube_node_info{cluster="b"}')).map(labelsOf), [{ cluster: 'b', minor: '29', node: 'n3' }]);

    await vm.deleteSeries('kube_node_info{node="n1"}');
    await vm.waitForSeries('kube_node_info', 2, 10_000);
  });
});

test('Prometheus scrapes a static server, remote-writes to VictoriaMetrics, reloads config', async (t) => {
  const server = await startStaticServer();
  t.after(() => server.close());
  server.set('/metrics', '# HELP demo_info Demo.\n# TYPE demo_info gauge\ndemo_info{version="1.2.3"} 1\n');
  server.set('/other', 'other_metric{instance="from-target"} 7\n');
  const vm = await startVictoriaMetrics();
  t.after(() => vm.stop());
  const prom = await startPrometheus({
    scrapeConfigs: [{ jobName: 'demo', targets: [`127.0.0.1:${server.port}`], labels: { env: 'test' } }],
    remoteWriteUrls: [`${vm.url}/api/v1/write`],
  });
  t.after(() => prom.stop());

  await withLogs([prom.process, vm.process], async () => {
    const startedAt = Date.now();
    await prom.waitForTargetsUp('demo', 30_000);
    const result = await prom.waitForQuery('demo_info', (r) => r.length === 1, 30_000);
    t.diagnostic(`Prometheus: demo_info queryable ${Date.now() - startedAt} ms after ready`);
    assert.deepEqual(labelsOf(result[0] ?? { metric: {}, value: [0, ''] }), {
      env: 'test',
      instance: `127.0.0.1:${server.port}`,
      job: 'demo',
      version: '1.2.3',
    });
    assert.ok(server.hits('/metrics') >= 1);

    // Prometheus 2.42 remote_write tails the WAL; it takes ~15-20 s to ship the first samples.
    await vm.waitForSeries('demo_info{job="demo",version="1.2.3"}', 1, 60_000);
    t.diagnostic(`remote_write: demo_info in VictoriaMetrics ${Date.now() - startedAt} ms after ready`);

    await prom.reload({
      scrapeConfigs: [
        { jobName: 'demo', targets: [`127.0.0.1:${server.port}`] },
        { jobName: 'other', targets: [`127.0.0.1:${server.port}`], metricsPath: '/other', honorLabels: true },
        { jobName: 'broken', targets: [`127.0.0.1:${server.port}`], metricsPath: '/missing' },
      ],
    });
    await prom.waitForTargetsUp('other', 30_000);
    await prom.waitForQuery('other_metric{instance="from-target"}', (r) => r[0]?.value[1] === '7', 30_000);
    await assert.rejects(prom.waitForTargetsUp('broken', 3_000), /lastError=.*404/);
  });
});

test('servers refuse a port that is already taken instead of talking to the wrong server', async (t) => {
  const vm = await startVictoriaMetrics();
  t.after(() => vm.stop());
  await assert.rejects(startVictoriaMetrics({ port: vm.port }), /127\.0\.0\.1:\d+ is already in use/);
  assert.deepEqual(runningPids(), [vm.process.pid]);
});

test('promtool check metrics / check rules / test rules', async () => {
  const clean = await promtoolCheckMetrics('# HELP demo_info Demo.\n# TYPE demo_info gauge\ndemo_info{version="1.2.3"} 1\n');
  assert.deepEqual(clean, { code: 0, output: '' });

  const lint = await promtoolCheckMetrics('# HELP foo_requests Requests.\n# TYPE foo_requests counter\nfoo_requests 1\n');
  assert.equal(lint.code, 3);
  assert.match(lint.output, /foo_requests counter metrics should have "_total" suffix/);

  const broken = await promtoolCheckMetrics('garbage{{{\n');
  assert.equal(broken.code, 1);
  assert.match(broken.output, /parsing error/);

  const dir = await makeTempDir('promtool');
  const rules = path.join(dir, 'rules.yml');
  await writeFile(rules, 'groups:\n- name: demo\n  rules:\n  - record: job:demo_info:count\n    expr: count by (job) (demo_info)\n');
  const checked = await promtoolCheckRules(rules);
  assert.equal(checked.code, 0, checked.output);
  assert.match(checked.output, /SUCCESS: 1 rules found/);

  const unitTest = path.join(dir, 'rules_test.yml');
  await writeFile(
    unitTest,
    [
      'rule_files: [rules.yml]',
      'evaluation_interval: 1m',
      'tests:',
      '- interval: 1m',
      '  input_series:',
      '  - series: \'demo_info{job="j",version="1"}\'',
      "    values: '1 1 1'",
      '  promql_expr_test:',
      '  - expr: job:demo_info:count',
      '    eval_time: 1m',
      '    exp_samples:',
      '    - labels: \'job:demo_info:count{job="j"}\'',
      '      value: 1',
      '',
    ].join('\n'),
  );
  const tested = await promtoolTestRules(unitTest);
  assert.equal(tested.code, 0, tested.output);
  assert.match(tested.output, /SUCCESS/);

  await writeFile(rules, 'groups:\n- name: demo\n  rules:\n  - record: bad\n    expr: sum((\n');
  const invalid = await promtoolCheckRules(rules);
  assert.notEqual(invalid.code, 0);
  assert.match(invalid.output, /FAILED/);
});
