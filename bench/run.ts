/**
 * `npm run bench`: a real VictoriaMetrics loaded with N kube_node_info-like
 * series (shared/baselines/gen_data.py), and for each N, in the same run:
 *   - the floor: the raw /api/v1/query fetch of `kube_node_info`, no processing;
 *   - our run time (query → parse → transform → render → swap), peak RSS,
 *     /metrics time to first and last byte, plain and gzip;
 *   - the seed-style Python exporter on the same data;
 *   - /-/healthy latency while 20 clients scrape /metrics (N ≥ 100k).
 * Medians over BENCH_RUNS repetitions. Prints a table, writes bench/RESULTS.md.
 * BENCH_SIZES=10000,100000,1000000 to choose sizes.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { startVictoriaMetrics } from '../test/support/victoria-metrics.js';
import { makeTempDir } from '../test/support/temp.js';
import { runOurs, type OursResult } from './ours.js';
import { pythonSummary, pythonUnavailable, runPythonBaseline, type PythonResult } from './python-baseline.js';
import { fmtMB, fmtSeconds, median, ratio } from './stats.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SHARED = path.resolve(REPO, '../shared/baselines');
const GEN = path.join(SHARED, 'gen_data.py');
const SEED = path.join(SHARED, 'seed_exporter.py');
const SIZES = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);

async function floor(url: string): Promise<{ seconds: number; bytes: number }> {
  const started = performance.now();
  const res = await request(`${url}/api/v1/query`, {
    method: 'POST',
    body: new URLSearchParams({ query: 'kube_node_info' }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  let bytes = 0;
  for await (const c of res.body) bytes += (c as Buffer).length;
  return { seconds: (performance.now() - started) / 1000, bytes };
}

interface Row {
  n: number;
  floor: number;
  bodyBytes: number;
  ours: OursResult;
  /** The same data read by a per-cluster transformation (many series per output): pushdown: auto groups. */
  perCluster: OursResult;
  python: PythonResult | string;
}

async function measure(n: number): Promise<Row> {
  const vm = await startVictoriaMetrics({ extraArgs: ['-search.maxStalenessInterval=24h'] });
  try {
    const gen = spawnSync('/usr/bin/python3', [GEN, '--n', String(n), '--vm-url', vm.url], { encoding: 'utf8', timeout: 900_000 });
    if (gen.status !== 0) throw new Error(`gen_data.py failed: ${gen.stderr || gen.stdout}`);
    process.stderr.write(`loaded ${n} series: ${gen.stdout.trim()}\n`);
    await floor(vm.url); // warm-up, as every measured program gets one
    const floors: number[] = [];
    let bodyBytes = 0;
    // Ours first, then the floor and the Python baseline, all on the same loaded VictoriaMetrics.
    const ours = await runOurs(vm.url, RUNS, n >= 100_000 ? LOAD_SECONDS : 0);
    const perCluster = await runOurs(vm.url, RUNS, 0, 'cluster');
    for (let i = 0; i < RUNS; i++) {
      const f = await floor(vm.url);
      floors.push(f.seconds);
      bodyBytes = f.bytes;
    }
    const why = pythonUnavailable(SEED);
    const python = why ?? (await runPythonBaseline(SEED, await makeTempDir('bench'), vm.url, RUNS));
    return { n, floor: median(floors), bodyBytes, ours, perCluster, python };
  } finally {
    await vm.stop();
  }
}

function table(rows: Row[]): string {
  const head =
    '| N | floor: raw fetch | body | our run (median / first, cold) | ours ÷ floor | our /metrics TTFB / total (plain) | gzip total | our peak RSS | Python run | Python /metrics | Python peak RSS | Python ÷ ours (run / metrics / RSS) | /-/healthy p50 / p99 under 20 scrapers | per-cluster run (auto pushdown) ÷ floor |';
  const sep = `|${'---|'.repeat(14)}`;
  const lines = rows.map((r) => {
    const run = median(r.ours.runs);
    const plain = median(r.ours.plain.map((t) => t.total));
    const ttfb = median(r.ours.plain.map((t) => t.ttfb));
    const gz = median(r.ours.gzip.map((t) => t.total));
    const py = typeof r.python === 'string' ? undefined : pythonSummary(r.python);
    const h = r.ours.healthy;
    return [
      r.n.toLocaleString('en'),
      fmtSeconds(r.floor),
      `${(r.bodyBytes / 1e6).toFixed(1)} MB`,
      `${fmtSeconds(run)} / ${fmtSeconds(r.ours.first)}`,
      ratio(run, r.floor),
      `${fmtSeconds(ttfb)} / ${fmtSeconds(plain)}`,
      fmtSeconds(gz),
      fmtMB(r.ours.rssKb),
      py ? fmtSeconds(py.cycle) : 'n/a',
      py ? fmtSeconds(py.serve) : 'n/a',
      py ? fmtMB(py.rssKb) : 'n/a',
      py ? `${ratio(py.cycle, run)} / ${ratio(py.serve, plain)} / ${ratio(py.rssKb, r.ours.rssKb)}` : 'n/a',
      h ? `${fmtSeconds(h.p50)} / ${fmtSeconds(h.p99)} (${h.scrapes} scrapes, ${h.errors} errors)` : '–',
      `${fmtSeconds(median(r.perCluster.runs))} = ${ratio(median(r.perCluster.runs), r.floor)}`,
    ].join(' | ');
  });
  const notes = rows.flatMap((r) => (typeof r.python === 'string' ? [`Python baseline not run for N=${r.n}: ${r.python}`] : []));
  return [head, sep, ...lines.map((l) => `| ${l} |`), '', ...notes].join('\n');
}

const rows: Row[] = [];
for (const n of SIZES) rows.push(await measure(n));
const out = table(rows);
const env = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString()}`;
process.stdout.write(`\n${out}\n\n${env}\n`);
await writeFile(
  path.join(REPO, 'bench/RESULTS.md'),
  `# Benchmark results\n\nProduced by \`npm run bench\` (bench/run.ts); medians of ${RUNS} runs. Machine: ${env}.\n\n` +
    'Floor: the raw `/api/v1/query?query=kube_node_info` fetch with no processing (uncompressed). ' +
    'Our run: query → stream-parse → transform → render → atomic swap, in its own process, with the default config (gzip accepted); ' +
    'the median is over the runs after the first (cold, JIT warm-up) one, which is shown on its own. ' +
    'Python: `shared/baselines/seed_exporter.py` (cycle via `--once`, /metrics from its server). ' +
    'Both our transformations use the defaults `pushdown: auto` and `compression: auto` (VictoriaMetrics is on 127.0.0.1, so no gzip); ' +
    'the per-node one (`preserve_labels: [cluster, node, instance]`) merges nothing, so after one probing run it asks for the whole series; ' +
    'the per-cluster one (`preserve_labels: [cluster]`) merges thousands of nodes per cluster (N / 20) and asks for `group by (cluster, minor)`. ' +
    '/-/healthy is probed from a process of its own while 20 others scrape.\n\n' +
    `${out}\n`,
);
