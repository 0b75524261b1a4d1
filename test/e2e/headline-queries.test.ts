/**
 * The README's headline PromQL, evaluated by a real Prometheus that scrapes
 * the exporter running the demo (examples/demo): the answers must be right on
 * data as real clusters expose it, including a node whose version is unknown.
 *
 * Side by side, for the "why": the same demo with a `default_value: 0` (the
 * seed's style), and the seed's own kubelet file unchanged, which reads a
 * `minor` label kube_node_info does not have.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startPrometheus, type Prometheus } from '../support/prometheus.js';
import { labelsOf, type InstantSample } from '../support/promql.js';
import { withLogs } from '../support/logs.js';
import { REPO, startExporter, type Exporter } from '../support/exporter.js';

const DEMO_DIR = path.join(REPO, 'examples/demo');
const DATA = path.join(DEMO_DIR, 'kube_node_info.prom');
const SEED = path.join(REPO, 'examples/seed/kubelet-minor-version.yml');
const DERIVED = 'kubelet_minor_version';
/** Every node in the demo data that has a kubelet version, and the one without. */
const KNOWN_NODES = 11;
const UNKNOWN_NODE = 'ip-10-0-1-203.eu-west-1.compute.internal';
/** The demo's nodes below 1.28: 1.27 (EKS, GKE ×2, OpenShift) and 1.26 (GKE). */
const BELOW_28 = [
  'gke-prod-us-central1-default-pool-3f9a1c2e-7xkq',
  'gke-prod-us-central1-default-pool-3f9a1c2e-m2vd',
  'gke-prod-us-central1-legacy-pool-91c04b7d-q8zn',
  'ip-10-0-3-88.eu-west-1.compute.internal',
  'worker-0.lab.example.com',
];

/** The lines of the README's first ```promql block, without their comments. */
async function headlineQueries(): Promise<string[]> {
  const readme = await readFile(path.join(REPO, 'README.md'), 'utf8');
  const block = /```promql\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'README.md has a ```promql block');
  return block
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l !== '');
}

/** Restricts every derived/info series in `expr` to one scrape job. */
function forJob(expr: string, job: string): string {
  return expr.replace(/\b(kubelet_minor_version|kubelet_version_info)\b(?!\{)/g, `$1{job="${job}"}`);
}

/** The demo config with the bundled file's absolute path. */
async function demoConfig(): Promise<string> {
  const yaml = await readFile(path.join(DEMO_DIR, 'config.yml'), 'utf8');
  assert.ok(yaml.includes('path: kube_node_info.prom'));
  return yaml.replace('path: kube_node_info.prom', `path: ${JSON.stringify(DATA)}`);
}

/** The demo config as the seed wrote its kubelet example: unknown = 0. */
function withDefaultZero(yaml: string): string {
  const marker = 'value: { parser: semver, part: minor }\n    preserve_labels: [cluster, node]\n';
  assert.ok(yaml.includes(marker), "the demo's kubelet_minor_version transformation");
  if (yaml.includes(`${marker}    default_value: 0\n`)) return yaml;
  return yaml.replace(marker, `${marker}    default_value: 0\n`);
}

/** The seed's file, unchanged but for its source: the demo data instead of vmselect. */
async function seedConfig(): Promise<string> {
  const yaml = await readFile(SEED, 'utf8');
  const url = /^victoriametrics_url:.*$/m;
  assert.match(yaml, url);
  return yaml.replace(url, `sources: [{name: default, type: file, path: ${JSON.stringify(DATA)}}]`);
}

const nodes = (r: InstantSample[]): string[] => r.map((s) => labelsOf(s).node ?? '?').sort();
const values = (r: InstantSample[]): number[] => r.map((s) => Number(s.value[1]));

describe("the README's headline queries on the demo, in a real Prometheus", () => {
  const exporters: Record<string, Exporter> = {};
  let prom: Prometheus;
  let queries: string[];

  before(async () => {
    queries = await headlineQueries();
    assert.equal(queries.length, 3, `spread, left behind, unknown: ${JSON.stringify(queries)}`);
    const demo = await demoConfig();
    exporters['demo'] = await startExporter(demo);
    exporters['default-zero'] = await startExporter(withDefaultZero(demo));
    exporters['seed'] = await startExporter(await seedConfig());
    prom = await startPrometheus({
      scrapeConfigs: Object.entries(exporters).map(([job, ex]) => ({ jobName: job, targets: [`127.0.0.1:${ex.port}`] })),
    });
    const all = Object.values(exporters).map((e) => e.proc);
    // One scrape of each job in which every transformation has succeeded
    // holds all of that job's series (a scrape is one snapshot).
    await withLogs([...all, prom.process], () =>
      prom.waitForQuery(
        'min by (job) (label_value_exporter_transformation_last_run_success)',
        (r) => r.length === 3 && values(r).every((v) => v === 1),
      ),
    );
  });

  after(async () => {
    await prom?.stop();
    for (const ex of Object.values(exporters)) await ex.stop();
  });

  const run = (expr: string, job: string): Promise<InstantSample[]> => withLogs([prom.process], () => prom.query(forJob(expr, job)));

  test('the spread is 3 (1.26 to 1.29), not 29: the unknown version is left out', async () => {
    assert.deepEqual(values(await run(queries[0] ?? '', 'demo')), [3]);
  });

  test('the nodes below 1.28 are the 1.26 and 1.27 ones, without the unknown node', async () => {
    assert.deepEqual(nodes(await run(queries[1] ?? '', 'demo')), BELOW_28);
  });

  test('the node whose version is unknown is listed by the third query and counted as skipped', async () => {
    assert.deepEqual(nodes(await run(queries[2] ?? '', 'demo')), [UNKNOWN_NODE]);
    const skipped = await prom.query(
      `label_value_exporter_transformation_skipped_series_total{job="demo",transformation="${DERIVED}"} > 0`,
    );
    assert.deepEqual(
      skipped.map((s) => labelsOf(s).reason),
      ['empty_label'],
    );
  });

  test('why: with default_value 0 the same queries answer 29 and count the unknown node as left behind', async () => {
    assert.deepEqual(values(await run(queries[0] ?? '', 'default-zero')), [29]);
    assert.deepEqual(nodes(await run(queries[1] ?? '', 'default-zero')), [...BELOW_28, UNKNOWN_NODE].sort());
    assert.deepEqual(nodes(await run(queries[2] ?? '', 'default-zero')), [], 'nobody looks unknown');
  });

  test("why: the seed's own file still loads and runs, but kube_node_info has no `minor`, so every node is 0", async () => {
    const all = await run(DERIVED, 'seed');
    assert.equal(all.length, KNOWN_NODES + 1);
    assert.deepEqual([...new Set(values(all))], [0]);
    assert.deepEqual(values(await run(queries[0] ?? '', 'seed')), [], 'a spread of 0: no alert, though versions differ');
  });
});
