/**
 * `npm run load`: 50 concurrent scrapers against a 100k-series /metrics for
 * 60 s (autocannon, 127.0.0.1 only, bounded in time), with the real exporter
 * on a real VictoriaMetrics. Reports requests, errors and latency p50/p99 and
 * writes bench/LOAD.md. LOAD_SERIES, LOAD_CONNECTIONS, LOAD_SECONDS override.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVictoriaMetrics } from '../test/support/victoria-metrics.js';
import { waitForHttp } from '../test/support/wait.js';
import { startExporter } from '../test/support/exporter.js';
import { peakRssKb, timedGet } from './http-timing.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const GEN = path.resolve(REPO, '../shared/baselines/gen_data.py');
const N = Number(process.env.LOAD_SERIES ?? 100_000);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);

interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; max: number };
  throughput: { average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

const vm = await startVictoriaMetrics({ extraArgs: ['-search.maxStalenessInterval=24h'] });
try {
  const gen = spawnSync('/usr/bin/python3', [GEN, '--n', String(N), '--vm-url', vm.url], { encoding: 'utf8', timeout: 900_000 });
  if (gen.status !== 0) throw new Error(`gen_data.py failed: ${gen.stderr}`);
  const ex = await startExporter(
    `victoriametrics_url: "${vm.url}"
scrape_interval: 3600
query_timeout: 300
metric_transformations:
  - {name: kubelet_minor_version, source_metric: kube_node_info, value_from_label: minor, preserve_labels: [cluster, node, instance], default_value: 0}
`,
    ['--log.level', 'warn'],
  );
  try {
    await waitForHttp(`${ex.url}/-/ready`, 300_000, 200, { process: ex.proc });
    const bin = path.join(REPO, 'node_modules/.bin/autocannon');
    const r = spawnSync(bin, ['-c', String(CONNECTIONS), '-d', String(SECONDS), '-t', '30', '-j', `${ex.url}/metrics`], {
      encoding: 'utf8',
      timeout: (SECONDS + 120) * 1000,
      maxBuffer: 64 << 20,
    });
    if (r.status !== 0) throw new Error(`autocannon failed: ${r.stderr}`);
    const a = JSON.parse(r.stdout) as AutocannonResult;
    // A fresh connection: the server may have closed the idle keep-alive one of the readiness check.
    const body = (await timedGet(`${ex.url}/metrics`)).bytes;
    const rss = await peakRssKb(ex.proc.pid);
    const line = `| ${N.toLocaleString('en')} series (${(body / 1e6).toFixed(1)} MB) | ${CONNECTIONS} | ${SECONDS} s | ${a.requests.total} | ${a.errors + a.timeouts} errors, ${a.non2xx} non-2xx | ${a.latency.p50} ms | ${a.latency.p99} ms | ${a.latency.max} ms | ${(a.throughput.average / 1e6).toFixed(0)} MB/s | ${(rss / 1024).toFixed(0)} MB |`;
    const table = `| /metrics | connections | duration | requests | failures | p50 | p99 | max | throughput | exporter peak RSS |\n|---|---|---|---|---|---|---|---|---|---|\n${line}\n`;
    process.stdout.write(`\n${table}\n`);
    await writeFile(
      path.join(REPO, 'bench/LOAD.md'),
      `# Load test\n\nProduced by \`npm run load\` (bench/load.ts) on ${new Date().toISOString()}: autocannon, plain (uncompressed) scrapes on 127.0.0.1.\n\n${table}`,
    );
    if (a.errors + a.timeouts + a.non2xx > 0) process.exitCode = 1;
  } finally {
    await ex.stop();
  }
} finally {
  await vm.stop();
}
