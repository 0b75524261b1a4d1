/**
 * `check` and `preview` of the built CLI, against a real VictoriaMetrics
 * loaded with the end-to-end dataset: the messages users debug a config
 * with before they deploy it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadedVictoriaMetrics, runCli } from '../support/cli-fixture.js';
import path from 'node:path';
import { freePort } from '../support/ports.js';
import { promtoolCheckMetrics } from '../support/promtool.js';
import { EXPECTED_MINOR, family, NODE_COUNT } from '../support/dataset.js';
import { parseExposition } from '../support/exporter.js';

const run = (args: string[], cwd?: string) => runCli(args, cwd);

/** The seed's example transformation, and one without default_value that skips what it cannot parse. */
const TRANSFORMATIONS = `metric_transformations:
  - name: kubelet_minor_version
    source_metric: kube_node_info
    value_from_label: minor
    preserve_labels: [cluster, node, instance]
    default_value: 0
  - name: kubelet_minor_version_strict
    source_metric: kube_node_info
    value_from_label: minor
    preserve_labels: [cluster, node]
`;

/** kubelet_minor_version_strict: no default, so "", missing and "twenty-nine" are skipped. */
const EXPECTED_STRICT = new Map<string, number>([
  ['kubelet_minor_version_strict{cluster="prod",node="worker-1"}', 28],
  ['kubelet_minor_version_strict{cluster="prod",node="worker-2"}', 28],
  ['kubelet_minor_version_strict{cluster="prod",node="worker-3"}', 26],
  ['kubelet_minor_version_strict{cluster="staging",node="back\\\\slash \\"quoted\\""}', 29],
  ['kubelet_minor_version_strict{cluster="staging",node="nœud-ünïcödé-節點"}', 30],
]);

/** Metric names of the samples in an exposition. */
function names(samples: Map<string, number>): string[] {
  return [...new Set([...samples.keys()].map((k) => k.split('{', 1)[0] ?? k))].sort();
}

describe('check and preview commands', () => {
  const fixture = loadedVictoriaMetrics('commands');
  const { file, vmUrl } = fixture;

  async function closedUrl(): Promise<string> {
    return `http://127.0.0.1:${await freePort()}`;
  }

  test('check: a valid file exits 0 and says valid', async () => {
    const f = await file('valid.yml', `victoriametrics_url: "${vmUrl()}"\n${TRANSFORMATIONS}`);
    const r = run(['check', '--config.file', f]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /valid/);
    assert.ok(r.stdout.startsWith(`${f}: valid; 2 transformation(s)`), r.stdout);
    assert.ok(r.stdout.includes(vmUrl()), `names the source: ${r.stdout}`);
    assert.equal(r.stderr, '');
  });

  test('check: an invalid file exits 1 with the same file:line:column: path: message text as start-up', async () => {
    const f = await file(
      'invalid.yml',
      `victoriametrics_url: "${vmUrl()}"
scrape_interval: soon
metric_transformations:
  - name: kubelet_minor_version
    source_metric: kube_node_info
    value_from_lable: minor
`,
    );
    const r = run(['check', '--config.file', f]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.ok(lines.length >= 3, r.stderr);
    for (const line of lines) assert.match(line, new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: \\S+: .+`), line);
    assert.ok(r.stderr.includes(`${f}:2:18: scrape_interval: `), r.stderr);
    assert.ok(
      r.stderr.includes(`${f}:6:5: metric_transformations[0].value_from_lable: unknown field (did you mean "value_from_label"?)`),
      r.stderr,
    );
    assert.ok(r.stderr.includes('metric_transformations[0].value_from_label: missing required field'), r.stderr);

    const serve = run(['--config.file', f, '--web.listen-address', `127.0.0.1:${await freePort()}`]);
    assert.equal(serve.status, 1);
    assert.ok(serve.stderr.includes(r.stderr), `serve prints the same problems:\n--- check ---\n${r.stderr}--- serve ---\n${serve.stderr}`);
  });

  test('check: the config file may be named before or after the command, as --config.file or --config', async () => {
    const f = await file('placement.yml', `victoriametrics_url: "${vmUrl()}"\n${TRANSFORMATIONS}`);
    // Run where there is no ./config.yml, so falling back to the default cannot pass.
    for (const args of [
      ['check', '--config.file', f],
      ['check', '--config', f],
      ['--config.file', f, 'check'],
      ['--config', f, 'check'],
    ]) {
      const r = run(args, fixture.dir());
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stdout.startsWith(`${f}: valid`), `${args.join(' ')}: ${r.stdout}`);
    }
    const p = run(['--config.file', f, 'preview', '--transformation', 'kubelet_minor_version'], fixture.dir());
    assert.equal(p.status, 0, p.stderr);
    assert.deepEqual(family(parseExposition(p.stdout), 'kubelet_minor_version'), EXPECTED_MINOR);
  });

  test('check: a missing file exits 1', () => {
    const r = run(['check', '--config.file', path.join(fixture.dir(), 'nope.yml')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /nope\.yml: cannot read config file \(ENOENT\)/);
  });

  test('check --probe: ok against the real VictoriaMetrics, FAILED with a reason for a closed port', async () => {
    const good = await file('probe-good.yml', `victoriametrics_url: "${vmUrl()}"\n${TRANSFORMATIONS}`);
    const ok = run(['check', '--probe', '--config.file', good]);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /valid/);
    assert.match(ok.stdout, /^source default: ok/m);

    const closed = await file('probe-closed.yml', `victoriametrics_url: "${await closedUrl()}"\n${TRANSFORMATIONS}`);
    const bad = run(['check', '--probe', '--config.file', closed]);
    assert.equal(bad.status, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /valid/, 'the file itself is valid');
    assert.match(bad.stdout, /^source default: FAILED connection: \S.*/m);
  });

  test('preview: stdout is exactly the exposition of the transformations, stderr a summary of each', async () => {
    const f = await file('preview.yml', `victoriametrics_url: "${vmUrl()}"\n${TRANSFORMATIONS}`);
    const r = run(['preview', '--config.file', f]);
    assert.equal(r.status, 0, r.stderr);
    const lint = await promtoolCheckMetrics(r.stdout);
    assert.equal(lint.code, 0, lint.output);
    assert.equal(lint.output, '');
    const samples = parseExposition(r.stdout);
    assert.deepEqual(
      names(samples),
      ['kubelet_minor_version', 'kubelet_minor_version_strict'],
      'nothing but the transformations (no self-metrics)',
    );
    assert.deepEqual(family(samples, 'kubelet_minor_version'), EXPECTED_MINOR);
    assert.deepEqual(family(samples, 'kubelet_minor_version_strict'), EXPECTED_STRICT);
    assert.match(r.stdout, /^# TYPE kubelet_minor_version gauge$/m);
    assert.match(r.stdout, /^# TYPE kubelet_minor_version_strict gauge$/m);

    const err = r.stderr.trimEnd().split('\n');
    assert.match(
      r.stderr,
      new RegExp(
        `^kubelet_minor_version: ok in \\d+ ms; ${NODE_COUNT} source series → ${NODE_COUNT} output series; defaulted 3; collisions 0$`,
        'm',
      ),
    );
    assert.match(
      r.stderr,
      new RegExp(
        `^kubelet_minor_version_strict: ok in \\d+ ms; ${NODE_COUNT} source series → 5 output series; defaulted 0; collisions 0$`,
        'm',
      ),
    );
    assert.ok(err.includes('  skipped unparseable: 1 (e.g. "twenty-nine")'), r.stderr);
    assert.match(r.stderr, /^ {2}skipped missing_label: 2\b/m);
    assert.equal(err.filter((l) => /^\S+: (ok|FAILED)/.test(l)).length, 2, 'one summary per transformation');
  });

  test('preview --transformation NAME: only that one', async () => {
    const f = await file('preview-one.yml', `victoriametrics_url: "${vmUrl()}"\n${TRANSFORMATIONS}`);
    const r = run(['preview', '--config.file', f, '--transformation', 'kubelet_minor_version']);
    assert.equal(r.status, 0, r.stderr);
    const samples = parseExposition(r.stdout);
    assert.deepEqual(names(samples), ['kubelet_minor_version']);
    assert.deepEqual(family(samples, 'kubelet_minor_version'), EXPECTED_MINOR);
    assert.match(r.stderr, /^kubelet_minor_version: ok/m);
    assert.doesNotMatch(r.stderr, /kubelet_minor_version_strict/);
    const lint = await promtoolCheckMetrics(r.stdout);
    assert.equal(lint.code, 0, lint.output);
    assert.equal(lint.output, '');
  });

  test('preview --transformation with an unknown name exits 1', async () => {
    const f = await file('preview-unknown.yml', `victoriametrics_url: "${vmUrl()}"\n${TRANSFORMATIONS}`);
    const r = run(['preview', '--config.file', f, '--transformation', 'no_such_thing']);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /no transformation named "no_such_thing"; defined: kubelet_minor_version, kubelet_minor_version_strict/);
  });

  test('preview: a failing source exits 1 and says FAILED with the reason', async () => {
    const f = await file('preview-closed.yml', `victoriametrics_url: "${await closedUrl()}"\n${TRANSFORMATIONS}`);
    const r = run(['preview', '--config.file', f]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '', 'nothing would be served');
    assert.match(r.stderr, /^kubelet_minor_version: FAILED after \d+ ms \(connection\): \S/m);
    assert.match(r.stderr, /^kubelet_minor_version_strict: FAILED after \d+ ms \(connection\): \S/m);
  });

  test('preview: one failing transformation exits 1, the others are still shown', async () => {
    const f = await file(
      'preview-mixed.yml',
      `victoriametrics_url: "${vmUrl()}"
${TRANSFORMATIONS}  - name: absent_minor
    source_metric: no_such_metric
    value_from_label: minor
`,
    );
    const r = run(['preview', '--config.file', f]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^absent_minor: FAILED after \d+ ms \(empty_result\): the source returned no series for no_such_metric$/m);
    const samples = parseExposition(r.stdout);
    assert.deepEqual(names(samples), ['kubelet_minor_version', 'kubelet_minor_version_strict']);
    assert.deepEqual(family(samples, 'kubelet_minor_version'), EXPECTED_MINOR);
  });

  test('preview: an invalid config exits 1 with the start-up message', async () => {
    const f = await file(
      'preview-invalid.yml',
      `victoriametrics_url: "${vmUrl()}"\nmetric_transformations:\n  - name: x\n    source_metric: kube_node_info\n    value_from_lable: minor\n`,
    );
    const r = run(['preview', '--config.file', f]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.includes(`${f}:5:5: metric_transformations[0].value_from_lable: unknown field`), r.stderr);
  });
});
