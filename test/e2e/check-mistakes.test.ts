/**
 * Common configuration mistakes, each caught by `check` (or `check --probe`)
 * before deploying, against a real VictoriaMetrics: the probe asks only the
 * sources in use, a query endpoint as URL and a selector as source_metric are
 * config errors with the fix, and an output name the config also reads is
 * warned about.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadedVictoriaMetrics, runCli } from '../support/cli-fixture.js';

const run = (args: string[]) => runCli(args);

describe('check catches common mistakes before deploying', () => {
  const { file, vmUrl } = loadedVictoriaMetrics('check-mistakes');

  test('check --probe asks only the sources transformations read: named sources only → no phantom default', async () => {
    const f = await file(
      'named-only.yml',
      `sources:
  - { name: vm, type: prometheus, url: "${vmUrl()}", flavor: victoriametrics }
metric_transformations:
  - { name: kubelet_minor_version, source: vm, source_metric: kube_node_info, value_from_label: minor }
`,
    );
    const r = run(['check', '--probe', '--config.file', f]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^source vm: ok/m);
    assert.doesNotMatch(r.stdout, /default|localhost:8428/, 'the loader-made default source is neither probed nor listed');
    assert.equal(r.stderr, '');
  });

  test('a source no transformation reads is listed as a warning and not probed', async () => {
    const f = await file(
      'unused.yml',
      `sources:
  - { name: vm, type: prometheus, url: "${vmUrl()}" }
  - { name: old, type: prometheus, url: "http://127.0.0.1:9" }
metric_transformations:
  - { name: kubelet_minor_version, source: vm, source_metric: kube_node_info, value_from_label: minor }
`,
    );
    const r = run(['check', '--probe', '--config.file', f]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /source old/);
    assert.equal(r.stderr, 'warning: source "old" is not read by any transformation\n');
  });

  test('a URL ending in /api/v1/query is a config error naming the base URL (the probe used to get a 4xx)', async () => {
    const f = await file(
      'endpoint.yml',
      `victoriametrics_url: "${vmUrl()}/api/v1/query"
metric_transformations:
  - { name: kubelet_minor_version, source_metric: kube_node_info, value_from_label: minor }
`,
    );
    const r = run(['check', '--config.file', f]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.ok(
      r.stderr.includes(
        `${f}:1:22: victoriametrics_url: a query-API URL is the base of the API, without /api/v1/query (the exporter appends /api/v1/query itself): use "${vmUrl()}".`,
      ),
      r.stderr,
    );
    const fixed = await file(
      'endpoint-fixed.yml',
      `victoriametrics_url: "${vmUrl()}"
metric_transformations:
  - { name: kubelet_minor_version, source_metric: kube_node_info, value_from_label: minor }
`,
    );
    const probe = run(['check', '--probe', '--config.file', fixed]);
    assert.equal(probe.status, 0, 'the suggested URL works against the real VictoriaMetrics');
  });

  test("a wrong base path: the probe says the status, then VictoriaMetrics' own reason, then the base-URL forms", async () => {
    const f = await file(
      'wrong-path.yml',
      `victoriametrics_url: "${vmUrl()}/prom"
metric_transformations:
  - { name: kubelet_minor_version, source_metric: kube_node_info, value_from_label: minor }
`,
    );
    const r = run(['check', '--probe', '--config.file', f]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const out = r.stdout + r.stderr;
    // Before: 'HTTP 400 (…): not a Prometheus API answer, body starts with "remoteAddr: …; requestURI: /prom/api/v1/query?query=…' (cut off).
    assert.match(out, /HTTP 400 \(text\/plain[^)]*\): \\?"unsupported path requested: \\?"\/prom\/api\/v1\/query/, out);
    assert.doesNotMatch(out, /remoteAddr|requestURI/);
    assert.match(out, /the source's url must be the API's base.*VictoriaMetrics single-node http:\/\/host:8428/, out);
  });

  test('a selector in source_metric is a config error giving source_metric and query_filter', async () => {
    const f = await file(
      'selector.yml',
      `victoriametrics_url: "${vmUrl()}"
metric_transformations:
  - name: kubelet_minor_version
    source_metric: kube_node_info{cluster="prod"}
    value_from_label: minor
`,
    );
    const r = run(['check', '--config.file', f]);
    assert.equal(r.status, 1);
    assert.equal(
      r.stderr,
      `${f}:4:20: metric_transformations[0].source_metric: source_metric is a metric name, not a selector: write source_metric: kube_node_info and query_filter: 'cluster="prod"'\n`,
    );
  });

  test('an output name the config also reads (source_metric or query) is warned about; check still passes', async () => {
    const f = await file(
      'collision.yml',
      `victoriametrics_url: "${vmUrl()}"
metric_transformations:
  - { name: node_os_info, source_metric: kube_node_info, metric_type: info, value_from_label: os_image, preserve_labels: [node] }
  - { name: node_os_version_id, source_metric: node_os_info, value_from_label: version_id, value: { parser: version } }
  - { name: kubelet_minor_version, source_metric: kube_node_info, value_from_label: minor }
  - name: kubelet_minor_spread
    query: max by (cluster) (kubelet_minor_version) - min by (cluster) (kubelet_minor_version)
    value_from_label: cluster
    value: { parser: map, values: {}, default: 0 }
`,
    );
    const r = run(['check', '--config.file', f]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /valid/);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[0] ?? '', /^warning: "node_os_info" serves node_os_info, a metric transformation\(s\) node_os_version_id read: /);
    assert.match(
      lines[1] ?? '',
      /^warning: "kubelet_minor_version" serves kubelet_minor_version, a metric transformation\(s\) kubelet_minor_spread read: /,
    );
  });

  test('a regex reading a version as a decimal (5.10 → 5.1) is warned about, naming parser: version', async () => {
    const f = await file(
      'decimal.yml',
      `victoriametrics_url: "${vmUrl()}"
metric_transformations:
  - name: node_kernel_major_minor
    source_metric: kube_node_info
    value_from_label: kernel_version
    value: { parser: regex, pattern: '^(\\d+\\.\\d+)' }
`,
    );
    const r = run(['check', '--config.file', f]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stderr,
      'warning: "node_kernel_major_minor" reads a dotted version as a decimal number (^(\\d+\\.\\d+)), which breaks the version order (5.10 becomes 5.1, below 5.4): use value: { parser: version } (parts: 2 for major.minor)\n',
    );
  });
});
