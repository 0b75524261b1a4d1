/**
 * `node dist/bench/pushdown.js`: does projection pushdown (docs/transformations.md "Asking for
 * less") pay off? For N kube_node_info-like series (shared/baselines/gen_data.py)
 * in a real VictoriaMetrics and a real Prometheus, medians over PUSHDOWN_RUNS:
 *   - raw fetches (no processing) of the plain selector and of the two
 *     pushed-down queries below;
 *   - our whole run (query → parse → transform → render → swap) of two
 *     transformations, with `pushdown: false` and with pushdown (the default):
 *       by_node:    preserve [cluster, node, instance]: one series per node,
 *                   grouping only drops the labels we do not read;
 *       by_cluster: preserve [cluster]: grouping also merges series (20 clusters × 8 minors).
 * Writes the table to stdout; bench/PUSHDOWN.md quotes it.
 * PUSHDOWN_SIZES=100000,1000000  PUSHDOWN_RUNS=5  PUSHDOWN_BACKENDS=vm,prometheus
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { parseConfig } from '../src/registry/load.js';
import type { TransformationConfig } from '../src/config/types.js';
import { runTransformation } from '../src/scheduler/run.js';
import { SnapshotStore } from '../src/snapshot/store.js';
import { createSource } from '../src/sources/registry.js';
import { startPrometheus } from '../test/support/prometheus.js';
import { startStaticServer } from '../test/support/static-server.js';
import { makeTempDir } from '../test/support/temp.js';
import { startVictoriaMetrics } from '../test/support/victoria-metrics.js';
import { waitFor } from '../test/support/wait.js';
import { fmtSeconds, median, ratio } from './stats.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const GEN = path.resolve(REPO, '../shared/baselines/gen_data.py');
const SIZES = (process.env.PUSHDOWN_SIZES ?? '100000').split(',').map(Number);
const RUNS = Number(process.env.PUSHDOWN_RUNS ?? 5);
const BACKENDS = (process.env.PUSHDOWN_BACKENDS ?? 'vm,prometheus').split(',');

const QUERIES = {
  raw: 'kube_node_info',
  by_node: 'group by (cluster, node, instance, minor) (kube_node_info)',
  by_cluster: 'group by (cluster, minor) (kube_node_info)',
} as const;

async function fetchOnce(url: string, query: string): Promise<{ seconds: number; bytes: number }> {
  const started = performance.now();
  const res = await request(`${url}/api/v1/query`, {
    method: 'POST',
    body: new URLSearchParams({ query }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  let bytes = 0;
  for await (const c of res.body) bytes += (c as Buffer).length;
  if (res.statusCode !== 200) throw new Error(`${query}: HTTP ${res.statusCode}`);
  return { seconds: (performance.now() - started) / 1000, bytes };
}

function transformations(url: string, flavor: string): TransformationConfig[] {
  const one = (name: string, preserve: string, pushdown: boolean) => `  - name: ${name}
    source_metric: kube_node_info
    value_from_label: minor
    preserve_labels: [${preserve}]
    default_value: 0
    pushdown: ${pushdown}
`;
  const config = parseConfig(
    `sources:
  - {name: default, type: prometheus, url: "${url}", flavor: ${flavor}, timeout: 600}
metric_transformations:
${one('by_node_raw', 'cluster, node, instance', false)}${one('by_node', 'cluster, node, instance', true)}${one('by_cluster_raw', 'cluster', false)}${one('by_cluster', 'cluster', true)}`,
    'bench-pushdown.yml',
  );
  return [...config.transformations];
}

interface Measured {
  fetch: Record<keyof typeof QUERIES, { seconds: number; bytes: number }>;
  run: Record<string, { seconds: number; series: number; sourceSeries: number }>;
}

async function measure(url: string, flavor: string): Promise<Measured> {
  const fetch = {} as Measured['fetch'];
  for (const [key, q] of Object.entries(QUERIES) as Array<[keyof typeof QUERIES, string]>) {
    await fetchOnce(url, q); // warm-up
    const xs: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const f = await fetchOnce(url, q);
      xs.push(f.seconds);
      bytes = f.bytes;
    }
    fetch[key] = { seconds: median(xs), bytes };
  }
  const ts = transformations(url, flavor);
  const sourceCfg = parseConfig(
    `sources:\n  - {name: default, type: prometheus, url: "${url}", timeout: 600}\nmetric_transformations: []\n`,
    'x.yml',
  ).sources.get('default');
  if (!sourceCfg) throw new Error('bench source');
  const source = createSource(sourceCfg, { request: () => undefined });
  const run: Measured['run'] = {};
  const times = new Map<string, number[]>(ts.map((t) => [t.name, []]));
  // Interleaved, after one warm-up run each, so drift affects every variant alike.
  for (let i = 0; i <= RUNS; i++) {
    for (const t of ts) {
      const store = new SnapshotStore();
      const started = performance.now();
      const outcome = await runTransformation(t, [source], store, AbortSignal.timeout(600_000));
      const seconds = (performance.now() - started) / 1000;
      if (!outcome.ok) throw outcome.error;
      if (i > 0) times.get(t.name)?.push(seconds);
      run[t.name] = { seconds: 0, series: outcome.result.series.length, sourceSeries: outcome.result.sourceSeries };
    }
  }
  for (const t of ts) {
    const r = run[t.name];
    if (r) r.seconds = median(times.get(t.name) ?? []);
  }
  await source.close();
  return { fetch, run };
}

function generate(n: number, out: string, vmUrl?: string): void {
  const args = [GEN, '--n', String(n), '--out', out, ...(vmUrl ? ['--vm-url', vmUrl] : ['--no-load'])];
  const gen = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', timeout: 1_800_000 });
  if (gen.status !== 0) throw new Error(`gen_data.py failed: ${gen.stderr || gen.stdout}`);
}

async function onVictoriaMetrics(n: number): Promise<Measured> {
  const vm = await startVictoriaMetrics({ extraArgs: ['-search.maxStalenessInterval=24h'] });
  try {
    generate(n, path.join(await makeTempDir('pushdown'), 'kni.prom'), vm.url);
    return await measure(vm.url, 'victoriametrics');
  } finally {
    await vm.stop();
  }
}

async function onPrometheus(n: number): Promise<Measured> {
  const file = path.join(await makeTempDir('pushdown'), 'kni.prom');
  generate(n, file);
  // Served for Prometheus to scrape, without the generator's timestamps (samples get the scrape time).
  const text = (await readFile(file, 'utf8')).replace(/ (\S+) \d+$/gm, ' $1');
  const fixtures = await startStaticServer();
  fixtures.set('/metrics', text);
  const prom = await startPrometheus({
    globalScrapeInterval: '60s',
    scrapeConfigs: [{ jobName: 'kni', targets: [`127.0.0.1:${fixtures.port}`], honorLabels: true, scrapeTimeout: '50s' }],
  });
  try {
    await waitFor(async () => Number((await prom.query('count(kube_node_info)'))[0]?.value[1]) === n || undefined, {
      timeoutMs: 600_000,
      intervalMs: 1000,
      what: `${n} series scraped by Prometheus`,
      process: prom.process,
    });
    return await measure(prom.url, 'prometheus');
  } finally {
    await prom.stop();
    await fixtures.close();
  }
}

function mb(bytes: number): string {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${(bytes / 1024).toFixed(0)} kB`;
}

function rows(backend: string, n: number, m: Measured): string[] {
  const f = m.fetch;
  const r = (k: string) => m.run[k] ?? { seconds: NaN, series: 0, sourceSeries: 0 };
  return [
    `| ${backend} | ${n} | fetch | ${fmtSeconds(f.raw.seconds)} (${mb(f.raw.bytes)}) | by_node ${fmtSeconds(f.by_node.seconds)} (${mb(f.by_node.bytes)}) · by_cluster ${fmtSeconds(f.by_cluster.seconds)} (${mb(f.by_cluster.bytes)}) | ${ratio(f.by_node.seconds, f.raw.seconds)} · ${ratio(f.by_cluster.seconds, f.raw.seconds)} |`,
    `| ${backend} | ${n} | run by_node | ${fmtSeconds(r('by_node_raw').seconds)} (${r('by_node_raw').sourceSeries} source series) | ${fmtSeconds(r('by_node').seconds)} (${r('by_node').sourceSeries}) | ${ratio(r('by_node').seconds, r('by_node_raw').seconds)} |`,
    `| ${backend} | ${n} | run by_cluster | ${fmtSeconds(r('by_cluster_raw').seconds)} (${r('by_cluster_raw').sourceSeries} source series) | ${fmtSeconds(r('by_cluster').seconds)} (${r('by_cluster').sourceSeries}) | ${ratio(r('by_cluster').seconds, r('by_cluster_raw').seconds)} |`,
  ];
}

const out = [
  `Pushdown benchmark, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}; medians of ${RUNS} runs`,
  '',
  '| backend | N | what | without pushdown | with pushdown | with ÷ without |',
  '|---|---|---|---|---|---|',
];
for (const n of SIZES) {
  for (const b of BACKENDS) {
    process.stderr.write(`measuring ${b} at ${n}...\n`);
    const m = b === 'vm' ? await onVictoriaMetrics(n) : await onPrometheus(n);
    const equal = ['by_node', 'by_cluster'].every((k) => m.run[k]?.series === m.run[`${k}_raw`]?.series);
    if (!equal) throw new Error(`pushdown changed the number of output series: ${JSON.stringify(m.run)}`);
    out.push(...rows(b === 'vm' ? 'VictoriaMetrics' : 'Prometheus', n, m));
  }
}
process.stdout.write(`${out.join('\n')}\n`);
