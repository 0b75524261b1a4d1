import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkPromQL } from '../../../src/config/build-query.js';
import { fingerprint } from '../../../src/config/fingerprint.js';
import { parseConfig } from '../../../src/registry/load.js';
import type { ExporterConfig, TransformationConfig } from '../../../src/registry/load.js';
import { ConfigError } from '../../../src/model/errors.js';

const FILE = '/etc/lve/config.yml';

function parse(text: string): ExporterConfig {
  return parseConfig(text, FILE, {});
}

function problems(text: string): string[] {
  try {
    parse(text);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);
  }
  assert.fail('the config loaded');
}

function only(config: ExporterConfig): TransformationConfig {
  assert.equal(config.transformations.length, 1);
  return config.transformations[0] as TransformationConfig;
}

/** One transformation with `body` (YAML lines at 4 spaces), reading `source`, plus the given sources. */
function withSource(sourceYaml: string, body: string): string {
  return `sources:\n${sourceYaml}metric_transformations:\n  - name: out\n    source: s\n    value_from_label: minor\n${body}`;
}

const PROM = '  - name: s\n    type: prometheus\n    url: http://127.0.0.1:9090\n';
const VM = '  - name: s\n    type: prometheus\n    url: http://127.0.0.1:8428\n    flavor: victoriametrics\n';

describe('checkPromQL: the official grammar at load', () => {
  const valid = [
    'kube_node_info',
    'kube_node_info{cluster="prod", node=~"w.*"}',
    'max by (node, minor) (kube_node_info)',
    'sum(kube_node_info) by (cluster)',
    'kube_node_info offset 5m',
    'kube_node_info @ 1700000000',
    'last_over_time(kube_node_info[1h])',
    'kube_node_info * on (node) group_left (os_image) kube_node_labels',
    'label_replace(kube_node_info, "v", "$1", "minor", "(\\\\d+)")',
    'topk(3, kube_node_info)',
    '# a comment\nkube_node_info',
  ];
  for (const q of valid) test(`valid: ${q}`, () => assert.equal(checkPromQL(q), null));

  const invalid: ReadonlyArray<readonly [string, number, RegExp]> = [
    ['kube_node_info{', 15, /unexpected end of the expression at character 16/],
    ['max by (node (kube_node_info)', 13, /at character 14/],
    ['sum(kube_node_info', 18, /unexpected end/],
    ['rate(x[5m]) +', 13, /unexpected end/],
    ['kube_node_info{a="b"} foo', 22, /unexpected "foo" at character 23/],
    // MetricsQL only: label_value(), label_keep(), WITH templates, keep_metric_names.
    ['label_value(kube_node_info, "minor")', 11, /unknown function "label_value" at character 12/],
    ['label_keep(kube_node_info, "node")', 10, /unknown function "label_keep"/],
    ['WITH (f = kube_node_info) f', 5, /at character 6/],
    ['sum(rate(x[5m])) keep_metric_names', 17, /unexpected "keep_metric_names"/],
  ];
  for (const [q, offset, message] of invalid) {
    test(`invalid: ${q}`, () => {
      const err = checkPromQL(q);
      assert.ok(err, 'an error');
      assert.equal(err.kind, 'syntax');
      assert.equal(err.offset, offset);
      assert.match(err.message, message);
    });
  }

  test('expressions that are not an instant vector', () => {
    assert.deepEqual(checkPromQL('kube_node_info[5m]')?.kind, 'type');
    assert.match(checkPromQL('kube_node_info[5m]')?.message ?? '', /a range vector/);
    assert.match(checkPromQL('max(kube_node_info)[1h:5m]')?.message ?? '', /a range vector/);
    assert.match(checkPromQL('"text"')?.message ?? '', /a string/);
    assert.match(checkPromQL('42')?.message ?? '', /a scalar/);
  });
});

describe('query: in the config', () => {
  test('a PromQL aggregation on a Prometheus-flavored source loads and keeps the query (trimmed)', () => {
    const t = only(parse(withSource(PROM, '    query: " max by (node, minor) (kube_node_info) "\n')));
    assert.equal(t.query, 'max by (node, minor) (kube_node_info)');
    assert.equal(t.sourceMetric, '');
    assert.equal(t.queryFilter, '');
    assert.equal(t.help, 'Value of label "minor" of max by (node, minor) (kube_node_info).');
    assert.equal(t.pushdown, false, 'a query is never rewritten');
  });

  test('a multi-line query gets a one-line help text', () => {
    const t = only(parse(withSource(PROM, '    query: |\n      max by (node, minor) (\n        kube_node_info\n      )\n')));
    assert.equal(t.help, 'Value of label "minor" of max by (node, minor) ( kube_node_info ).');
  });

  test('MetricsQL-only syntax is accepted for a victoriametrics-flavored source', () => {
    for (const q of [
      'label_value(kube_node_info, "minor")',
      'label_keep(kube_node_info, "node", "minor")',
      'WITH (k = kube_node_info{cluster="prod"}) max by (node, minor) (k)',
      'sum(rate(x[5m])) by (node) keep_metric_names',
      'this is not even MetricsQL (',
    ]) {
      const t = only(parse(withSource(VM, `    query: ${JSON.stringify(q)}\n`)));
      assert.equal(t.query, q);
    }
  });

  test('the legacy victoriametrics_url source (and the default one) is victoriametrics-flavored', () => {
    const legacy = parse(
      'victoriametrics_url: http://127.0.0.1:8428\nmetric_transformations:\n  - name: out\n    value_from_label: minor\n    query: label_value(kube_node_info, "minor")\n',
    );
    const l = legacy.sources.get('default');
    assert.ok(l?.type === 'prometheus');
    assert.equal(l.flavor, 'victoriametrics');
    const implicit = parse('metric_transformations:\n  - name: out\n    value_from_label: minor\n    source_metric: kube_node_info\n');
    const s = implicit.sources.get('default');
    assert.ok(s?.type === 'prometheus');
    assert.equal(s.flavor, 'victoriametrics');
    assert.equal(s.pushdown, true);
  });

  test('sources: entries default to flavor prometheus and pushdown true', () => {
    const s = parse(withSource(PROM, '    source_metric: kube_node_info\n')).sources.get('s');
    assert.ok(s?.type === 'prometheus');
    assert.equal(s.flavor, 'prometheus');
    assert.equal(s.pushdown, true);
  });

  test('MetricsQL on a prometheus-flavored source is a config error at the query', () => {
    assert.deepEqual(problems(withSource(PROM, '    query: label_value(kube_node_info, "minor")\n')), [
      '9:12 metric_transformations[0].query: invalid PromQL: unknown function "label_value" at character 12 (the source is flavor: prometheus; for MetricsQL set flavor: victoriametrics on the source)',
    ]);
  });

  test('fan-in over a Prometheus and a VictoriaMetrics source: the query must be PromQL', () => {
    const text = `sources:\n${PROM}${VM.replace('name: s', 'name: v')}metric_transformations:\n  - name: out\n    source: [s, v]\n    value_from_label: minor\n    query: label_value(kube_node_info, "minor")\n`;
    assert.equal(problems(text).length, 1);
    assert.match(problems(text)[0] ?? '', /metric_transformations\[0\]\.query: invalid PromQL/);
  });

  test('query with source_metric or query_filter, or for a non-query source, is an error', () => {
    assert.deepEqual(problems(withSource(PROM, '    source_metric: kube_node_info\n    query: kube_node_info\n')), [
      '9:5 metric_transformations[0].source_metric: set either source_metric or query, not both: query replaces source_metric and query_filter',
    ]);
    assert.deepEqual(problems(withSource(PROM, '    query_filter: a="b"\n    query: kube_node_info\n')), [
      '9:5 metric_transformations[0].query_filter: query_filter cannot be combined with query: put the label matchers into the query',
    ]);
    const file = '  - name: s\n    type: file\n    path: /dev/null\n    format: prometheus\n';
    assert.deepEqual(problems(withSource(file, '    query: kube_node_info\n')), [
      '10:12 metric_transformations[0].query: query needs query-API sources (type: prometheus); source "s" is of type file: use source_metric and query_filter',
    ]);
    assert.match(problems(withSource(PROM, '    query: "  "\n'))[0] ?? '', /query: query is empty/);
  });
});

describe('pushdown: decided at load', () => {
  function pushdown(body: string, source = PROM): boolean {
    return only(parse(withSource(source, `    source_metric: kube_node_info\n${body}`))).pushdown;
  }
  const PRESERVE = '    preserve_labels: [cluster, node]\n';

  test('on for gauge and info with preserve_labels and on_collision max (the default) or min', () => {
    assert.equal(pushdown(PRESERVE), true);
    assert.equal(pushdown(`${PRESERVE}    metric_type: info\n`), true);
    assert.equal(pushdown(`${PRESERVE}    on_collision: min\n`), true);
    assert.equal(pushdown(`${PRESERVE}    relabel: [{source_label: node, target_label: host}]\n    keep_value_label: true\n`), true);
    assert.equal(pushdown(`${PRESERVE}    max_series: 10\n`), true);
  });

  test('off where grouping could change the result', () => {
    // Counting or order-sensitive collision policies.
    for (const p of ['sum', 'count', 'error', 'first', 'last']) assert.equal(pushdown(`${PRESERVE}    on_collision: ${p}\n`), false, p);
    // All labels read: nothing to leave out.
    assert.equal(pushdown(''), false);
  });

  test('off when opted out on the transformation; the source opt-out is kept on the source', () => {
    assert.equal(pushdown(`${PRESERVE}    pushdown: false\n`), false);
    const config = parse(withSource(`${PROM}    pushdown: false\n`, `    source_metric: kube_node_info\n${PRESERVE}`));
    const s = config.sources.get('s');
    assert.ok(s?.type === 'prometheus');
    assert.equal(s.pushdown, false);
  });
});

describe('fingerprints see query changes', () => {
  test('a changed query, flavor or pushdown changes the fingerprint', () => {
    const a = parse(withSource(VM, '    query: max by (node, minor) (kube_node_info)\n'));
    const b = parse(withSource(VM, '    query: min by (node, minor) (kube_node_info)\n'));
    assert.notEqual(fingerprint(only(a)), fingerprint(only(b)));
    assert.equal(fingerprint(only(a)), fingerprint(only(parse(withSource(VM, '    query: max by (node, minor) (kube_node_info)\n')))));
    assert.notEqual(
      fingerprint(a.sources.get('s')),
      fingerprint(parse(withSource(PROM.replace('9090', '8428'), '    query: max by (node, minor) (kube_node_info)\n')).sources.get('s')),
    );
    const p = (extra: string) => only(parse(withSource(PROM, `    source_metric: kube_node_info\n    preserve_labels: [node]\n${extra}`)));
    assert.notEqual(fingerprint(p('')), fingerprint(p('    pushdown: false\n')));
  });
});
