/**
 * monitoring/: the alert rules (promtool check + promtool unit tests), the
 * Grafana dashboard (structure), and that every metric they use is one the
 * exporter really serves, so renaming a metric breaks this test.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { promtoolCheckRules, promtoolTestRules } from '../support/promtool.js';
import { makeTempDir } from '../support/temp.js';
import { waitFor } from '../support/wait.js';
import { startExporter, type Exporter } from '../support/exporter.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const ALERTS = path.join(REPO, 'monitoring/alerts.yml');
const ALERTS_TEST = path.join(REPO, 'monitoring/alerts.test.yml');
const DASHBOARD = path.join(REPO, 'monitoring/dashboard.json');

/** The exporter's own metric names the monitoring files may use (sample names, as queried). */
const OWN_METRICS = [
  'label_value_exporter_build_info',
  'label_value_exporter_transformation_last_run_success',
  'label_value_exporter_transformation_last_success_timestamp_seconds',
  'label_value_exporter_transformation_interval_seconds',
  'label_value_exporter_transformation_max_staleness_seconds',
  'label_value_exporter_transformation_runs_total',
  'label_value_exporter_transformation_failures_total',
  'label_value_exporter_transformation_series',
  'label_value_exporter_transformation_source_series',
  'label_value_exporter_transformation_run_duration_seconds_bucket',
  'label_value_exporter_transformation_run_duration_seconds_sum',
  'label_value_exporter_transformation_run_duration_seconds_count',
  'label_value_exporter_config_last_reload_successful',
  'label_value_exporter_config_last_reload_success_timestamp_seconds',
  'label_value_exporter_transformation_owned',
  'label_value_exporter_transformation_degraded',
  'label_value_exporter_transformation_source_up',
];
/** The derived series of the seed use case. */
const DERIVED = 'kubelet_minor_version';
/** The info series of every node's kubelet version (deploy/kubernetes/config.yml). */
const DERIVED_INFO = 'kubelet_version_info';
/** Added by Prometheus to every target, not served by us. */
const SCRAPE_METRICS = ['up'];
const ALLOWED = new Set([...OWN_METRICS, DERIVED, DERIVED_INFO, ...SCRAPE_METRICS]);

const PROMQL_KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'and',
  'or',
  'unless',
  'atan2',
  'inf',
  'nan',
]);

/**
 * Metric names referenced by a PromQL expression (also with Grafana variables):
 * identifiers that are not functions, keywords, grouping labels, matcher
 * contents, strings or durations.
 */
export function metricNames(expr: string): Set<string> {
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ') // string literals
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ') // Grafana variables
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // grouping labels
  const names = new Set<string>();
  for (const m of s.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = m[0];
    const start = m.index;
    if (start > 0 && /[0-9.]/.test(s[start - 1] ?? '')) continue; // 1e3, 5m
    if (/^\s*\(/.test(s.slice(start + word.length))) continue; // function or aggregation
    if (PROMQL_KEYWORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return names;
}

/** Metric names in a Grafana variable query: `label_values(metric{...}, label)`, or a PromQL query. */
function variableQueryMetrics(query: string): Set<string> {
  const lv = /^\s*label_values\s*\((.*),\s*[a-zA-Z_]\w*\s*\)\s*$/.exec(query);
  if (lv) return metricNames(lv[1] ?? '');
  if (/^\s*label_values\s*\(\s*[a-zA-Z_]\w*\s*\)\s*$/.test(query)) return new Set();
  const qr = /^\s*query_result\s*\((.*)\)\s*$/.exec(query);
  return metricNames(qr ? (qr[1] ?? '') : query);
}

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: Array<{ name: string; rules: Rule[] }>;
}
interface AlertTest {
  alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }>;
}

interface Target {
  refId?: string;
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id?: unknown;
  type?: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  gridPos?: { h: number; w: number; x: number; y: number };
  targets?: Target[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  query?: string | { query?: string };
  definition?: string;
  datasource?: { type?: string; uid?: string };
}
interface Dashboard {
  schemaVersion: number;
  uid?: string;
  title?: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

function variableQuery(v: Variable): string {
  return typeof v.query === 'string' ? v.query : (v.query?.query ?? v.definition ?? '');
}

/** PromQL in alert annotations: the `printf` strings given to the `query` template function. */
function annotationQueries(text: string): string[] {
  return [...text.matchAll(/printf\s+`([^`]*)`/g)].map((m) => m[1] ?? '');
}

async function loadAlerts(): Promise<Rule[]> {
  const file = parse(await readFile(ALERTS, 'utf8')) as RuleFile;
  return file.groups.flatMap((g) => g.rules);
}

async function loadDashboard(): Promise<Dashboard> {
  return JSON.parse(await readFile(DASHBOARD, 'utf8')) as Dashboard;
}

/** Every metric name used by the alerts and the dashboard, with where it is used. */
async function usedMetrics(): Promise<Map<string, string[]>> {
  const used = new Map<string, string[]>();
  const add = (names: Iterable<string>, where: string): void => {
    for (const n of names) used.set(n, [...(used.get(n) ?? []), where]);
  };
  for (const r of await loadAlerts()) {
    const where = `alerts.yml ${r.alert ?? r.record ?? '?'}`;
    add(metricNames(r.expr), where);
    for (const [key, text] of Object.entries(r.annotations ?? {})) {
      for (const q of annotationQueries(text)) add(metricNames(q.replace(/%s/g, 'x')), `${where} annotation ${key}`);
    }
  }
  const dash = await loadDashboard();
  for (const p of allPanels(dash.panels)) {
    for (const t of p.targets ?? []) add(metricNames(t.expr ?? ''), `dashboard panel ${String(p.id)} "${p.title ?? ''}" ${t.refId ?? ''}`);
  }
  for (const v of dash.templating.list) {
    if (v.type === 'query') add(variableQueryMetrics(variableQuery(v)), `dashboard variable ${v.name}`);
  }
  return used;
}

describe('metric name extraction (used to check the monitoring files)', () => {
  test('finds metric names, not functions, labels, strings, durations or variables', () => {
    assert.deepEqual(
      [
        ...metricNames(
          'histogram_quantile(0.99, sum by (transformation, le) (rate(a_bucket{job=~"$job", x="up"}[1h]))) / on (job) group_left (version) b offset 5m > 1e3 and time() - c',
        ),
      ].sort(),
      ['a_bucket', 'b', 'c'],
    );
    assert.deepEqual(
      [...metricNames('max by (cluster) (kubelet_minor_version{cluster=~"$cluster"} > 0) < $minimum_minor')],
      ['kubelet_minor_version'],
    );
    assert.deepEqual([...metricNames('count_values by (cluster) ("minor", kubelet_minor_version)')], ['kubelet_minor_version']);
    assert.deepEqual([...variableQueryMetrics('label_values(kubelet_minor_version, cluster)')], ['kubelet_minor_version']);
  });
});

describe('alert rules (monitoring/alerts.yml)', () => {
  test('promtool check rules accepts them', async () => {
    const r = await promtoolCheckRules(ALERTS);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /SUCCESS: \d+ rules found/);
  });

  test('promtool test rules passes (monitoring/alerts.test.yml)', async () => {
    const r = await promtoolTestRules(ALERTS_TEST);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /SUCCESS/);
  });

  test('the seed use cases and the exporter are covered, every alert is unit-tested both ways', async () => {
    const alerts = (await loadAlerts()).filter((r) => r.alert !== undefined).map((r) => r.alert as string);
    for (const name of [
      'KubeletMinorVersionSpreadTooHigh',
      'KubeletBelowMinimumVersion',
      'KubeletVersionDriftPersisting',
      'KubeletVersionUnknown',
      'LabelValueExporterDown',
      'LabelValueExporterTransformationFailing',
      'LabelValueExporterDataStale',
      'LabelValueExporterConfigReloadFailed',
    ]) {
      assert.ok(alerts.includes(name), `missing alert ${name}`);
    }
    const tests = (parse(await readFile(ALERTS_TEST, 'utf8')) as { tests: AlertTest[] }).tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const name of alerts) {
      const cases = tests.filter((t) => t.alertname === name);
      assert.ok(
        cases.some((c) => c.exp_alerts.length > 0),
        `${name}: no test case where it fires`,
      );
      assert.ok(
        cases.some((c) => c.exp_alerts.length === 0),
        `${name}: no test case where it must not fire`,
      );
    }
  });

  test('every alert has a severity, a summary and a description using its labels', async () => {
    for (const r of await loadAlerts()) {
      if (r.alert === undefined) continue;
      assert.match(r.labels?.severity ?? '', /^(critical|warning|info)$/, `${r.alert}: severity`);
      const summary = r.annotations?.summary ?? '';
      const description = r.annotations?.description ?? '';
      assert.ok(summary.trim() !== '', `${r.alert}: summary`);
      assert.ok(description.trim() !== '', `${r.alert}: description`);
      assert.match(
        `${summary} ${description}`,
        /\{\{[^}]*\$labels\.\w+/,
        `${r.alert}: annotations should name the affected object with {{ $labels.… }}`,
      );
    }
  });

  // The shipped configs leave an unknown version out; `> 0` keeps the rules
  // right for a prototype-style config whose default_value 0 means unknown.
  test("the version alerts ignore 0, the prototype's default_value for an unknown version", async () => {
    for (const r of await loadAlerts()) {
      if (!r.expr.includes(DERIVED)) continue;
      const uses = r.expr.match(/kubelet_minor_version/g) ?? [];
      const guarded = r.expr.match(/\(kubelet_minor_version > 0\)/g) ?? [];
      assert.equal(guarded.length, uses.length, `${r.alert ?? '?'}: every kubelet_minor_version must be filtered with > 0`);
    }
  });
});

describe('Grafana dashboard (monitoring/dashboard.json)', () => {
  test('parses and has the expected structure', async () => {
    const dash = await loadDashboard();
    assert.ok(dash.schemaVersion >= 36, `schemaVersion ${dash.schemaVersion} < 36`);
    assert.ok(dash.uid && dash.title, 'uid and title');
    const vars = new Map(dash.templating.list.map((v) => [v.name, v]));

    const ds = vars.get('datasource');
    assert.equal(ds?.type, 'datasource');
    assert.equal(ds?.query, 'prometheus');
    const cluster = vars.get('cluster');
    assert.equal(cluster?.type, 'query');
    assert.match(variableQuery(cluster as Variable), /^label_values\(kubelet_minor_version,\s*cluster\)$/);
    for (const v of dash.templating.list) {
      if (v.datasource !== undefined) assert.equal(v.datasource.uid, '${datasource}', `variable ${v.name} datasource`);
    }

    const panels = allPanels(dash.panels);
    const ids = panels.map((p) => p.id);
    for (const id of ids) assert.ok(Number.isInteger(id) && (id as number) > 0, `panel id ${String(id)}`);
    assert.equal(new Set(ids).size, ids.length, `duplicate panel ids: ${ids.join(',')}`);

    const known = new Set([...vars.keys(), '__rate_interval', '__interval', '__range', '__range_s']);
    for (const p of panels) {
      const label = `panel ${String(p.id)} "${p.title ?? ''}"`;
      assert.ok(p.gridPos && p.gridPos.w > 0 && p.gridPos.x + p.gridPos.w <= 24 && p.gridPos.h > 0, `${label}: gridPos`);
      if (p.type === 'row') continue;
      assert.ok(p.title, `${label}: title`);
      assert.equal(p.datasource?.uid, '${datasource}', `${label}: datasource`);
      assert.ok((p.targets ?? []).length > 0, `${label}: no targets`);
      const refIds = (p.targets ?? []).map((t) => t.refId);
      assert.equal(new Set(refIds).size, refIds.length, `${label}: duplicate refIds`);
      for (const t of p.targets ?? []) {
        assert.ok((t.expr ?? '').trim() !== '', `${label} ${t.refId ?? ''}: empty expr`);
        if (t.datasource !== undefined) assert.equal(t.datasource.uid, '${datasource}', `${label}: target datasource`);
        for (const m of (t.expr ?? '').matchAll(/\$\{?(\w+)/g))
          assert.ok(known.has(m[1] ?? ''), `${label}: unknown variable $${m[1] ?? ''}`);
      }
    }

    const exprsOf = (type: string): string[] =>
      panels.filter((p) => p.type === type).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
    assert.ok(
      exprsOf('timeseries').some((e) => /max by \(cluster\)/.test(e) && /min by \(cluster\)/.test(e) && e.includes(DERIVED)),
      'a timeseries panel with the version spread (max - min by cluster)',
    );
    const table = panels.find((p) => p.type === 'table' && (p.targets ?? []).some((t) => (t.expr ?? '').trim().startsWith(DERIVED)));
    assert.ok(table, 'a table of kubelet_minor_version per node');
    assert.ok(
      (table.targets ?? []).every((t) => (t as { instant?: boolean }).instant === true),
      'the per-node table is an instant query',
    );
    const all = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? '')).join('\n');
    for (const m of [
      'transformation_last_run_success',
      'transformation_series',
      'transformation_run_duration_seconds',
      'transformation_failures_total',
    ]) {
      assert.ok(all.includes(`label_value_exporter_${m}`), `exporter health: no panel uses label_value_exporter_${m}`);
    }
    assert.match(all, /by \(transformation, reason\)[^\n]*failures_total/, 'failures by reason');
  });

  test('every panel query is valid PromQL (promtool check rules on them as recording rules)', async () => {
    const dash = await loadDashboard();
    const values: Record<string, string> = {
      cluster: '.*',
      job: '.*',
      minimum_minor: '27',
      __rate_interval: '5m',
      __interval: '1m',
      __range: '1h',
      __range_s: '3600',
    };
    const rules = allPanels(dash.panels).flatMap((p) =>
      (p.targets ?? []).map((t, i) => ({
        record: `dashboard:panel_${String(p.id)}_${i}`,
        expr: (t.expr ?? '').replace(
          /\$\{(\w+)\}|\$(\w+)/g,
          (_, a: string | undefined, b: string | undefined) => values[a ?? b ?? ''] ?? `$${a ?? b ?? ''}`,
        ),
      })),
    );
    const dir = await makeTempDir('dashboard');
    const file = path.join(dir, 'dashboard-queries.yml');
    await writeFile(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
    const r = await promtoolCheckRules(file);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, new RegExp(`SUCCESS: ${rules.length} rules found`));
  });
});

describe('metric names used by alerts and dashboard', () => {
  test('are our own metrics, the derived series or up', async () => {
    const used = await usedMetrics();
    const unknown = [...used].filter(([n]) => !ALLOWED.has(n)).map(([n, where]) => `${n} (${where.join('; ')})`);
    assert.deepEqual(unknown, [], "metric names outside the exporter's own metrics");
    assert.ok(used.has(DERIVED) && used.has('up'));
  });

  describe('are all served by the built exporter', () => {
    let exporter: Exporter | undefined;

    before(async () => {
      // One transformation that succeeds (the demo file) and one that fails (a
      // missing file), so that the failure series exist too.
      const demo = path.join(REPO, 'examples/demo/kube_node_info.prom');
      exporter = await startExporter(
        [
          'scrape_interval: 1',
          'sources:',
          `  - {name: default, type: file, path: ${JSON.stringify(demo)}}`,
          '  - {name: missing, type: file, path: /nonexistent/label-value-exporter/missing.prom}',
          'metric_transformations:',
          `  - {name: ${DERIVED}, source_metric: kube_node_info, value_from_label: kubelet_version, value: {parser: semver, part: minor}, preserve_labels: [cluster, node, instance]}`,
          `  - {name: ${DERIVED_INFO}, metric_type: info, source_metric: kube_node_info, value_from_label: kubelet_version, preserve_labels: [cluster, node]}`,
          '  - {name: broken_version, source: missing, source_metric: kube_node_info, value_from_label: minor}',
          // Fan-in with one failing source: the per-source series exist too.
          '  - {name: fan_in_version, source: [default, missing], source_metric: kube_node_info, value_from_label: kubelet_version, value: {parser: semver, part: minor}}',
          '',
        ].join('\n'),
      );
    });

    after(async () => {
      await exporter?.stop();
    });

    test('every own metric and the derived series appear on /metrics', async () => {
      const used = await usedMetrics();
      const wanted = [...new Set([...OWN_METRICS, ...used.keys()])].filter((n) => !SCRAPE_METRICS.includes(n)).sort();
      const served = new Set<string>();
      let missing: string[] = wanted;
      try {
        await waitFor(
          async () => {
            for (const k of (await (exporter as Exporter).samples()).keys()) served.add(k.replace(/\{.*$/, ''));
            missing = wanted.filter((n) => !served.has(n));
            return missing.length === 0;
          },
          { timeoutMs: 15_000, intervalMs: 200, what: 'all metrics used by monitoring/ to be served', process: exporter?.proc },
        );
      } catch (err) {
        assert.fail(`not served by the exporter (renamed or removed?): ${missing.join(', ')}\n${String(err)}`);
      }
    });
  });
});
