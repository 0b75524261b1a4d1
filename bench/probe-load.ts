/**
 * `/-/healthy` latency (from a process of its own, bench/probe-child.ts)
 * while this process loads the real exporter (a file source of N series,
 * 127.0.0.1 only, bounded in time) in one of two ways:
 *   PROBE_LOAD=scrape  C concurrent plain (uncompressed) /metrics scrapes;
 *   PROBE_LOAD=auth    C concurrent clients sending wrong basic-auth passwords
 *                      (bcrypt cost PROBE_COST) to /metrics.
 * Prints one Markdown table row. PROBE_SERIES, PROBE_CLIENTS, PROBE_SECONDS,
 * PROBE_COST override the defaults (100000, 50, 10, 10).
 * Usage: node dist/bench/probe-load.js
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcryptjs';
import { makeTempDir } from '../test/support/temp.js';
import { waitForHttp } from '../test/support/wait.js';
import { startExporterWithFile } from '../test/support/exporter.js';
import { timedGet } from './http-timing.js';
import { percentile } from './stats.js';

const LOAD = process.env.PROBE_LOAD ?? 'scrape';
const N = Number(process.env.PROBE_SERIES ?? (LOAD === 'scrape' ? 100_000 : 10));
const CLIENTS = Number(process.env.PROBE_CLIENTS ?? (LOAD === 'scrape' ? 50 : 16));
const SECONDS = Number(process.env.PROBE_SECONDS ?? 10);
const COST = Number(process.env.PROBE_COST ?? 10);

function series(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(
      `kube_node_info{cluster="cluster-${i % 20}",node="node-${String(i).padStart(7, '0')}.example.internal",instance="10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:9100",minor="${20 + (i % 10)}"} 1`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** One GET with a (wrong) basic-auth header; resolves with the status code. */
function wrongPassword(base: string, i: number): Promise<number> {
  const auth = `Basic ${Buffer.from(`user${i % 3 === 0 ? '' : 'x'}:wrong-${i}`).toString('base64')}`;
  return new Promise((resolve) => {
    const req = request(`${base}/metrics`, { headers: { authorization: auth }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.setTimeout(30_000, () => req.destroy());
    req.end();
  });
}

async function load(base: string, until: number): Promise<Map<string, number>> {
  const outcomes = new Map<string, number>();
  const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
  let i = 0;
  const client = async () => {
    while (performance.now() < until) {
      if (LOAD === 'scrape')
        await timedGet(`${base}/metrics`).then(
          () => count('200'),
          () => count('error'),
        );
      else count(String(await wrongPassword(base, i++)));
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return outcomes;
}

const dir = await makeTempDir('probe-load');
await writeFile(path.join(dir, 'kube.prom'), series(N));
await writeFile(
  path.join(dir, 'config.yml'),
  `scrape_interval: 3600
sources:
  - {name: f, type: file, path: kube.prom}
metric_transformations:
  - {name: kubelet_minor_version, source: f, source_metric: kube_node_info, value_from_label: minor, preserve_labels: [cluster, node, instance]}
`,
);
const args = ['--log.level', 'warn'];
if (LOAD === 'auth') {
  await writeFile(path.join(dir, 'web.yml'), `basic_auth_users:\n  user: ${bcrypt.hashSync('right', COST)}\n`);
  args.push('--web.config.file', path.join(dir, 'web.yml'));
}
const ex = await startExporterWithFile(path.join(dir, 'config.yml'), args);
try {
  await waitForHttp(`${ex.url}/-/ready`, 120_000, LOAD === 'auth' ? 401 : 200, { process: ex.proc });
  const probe = spawn(process.execPath, [fileURLToPath(new URL('./probe-child.js', import.meta.url)), ex.url, String(SECONDS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  probe.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const probed = new Promise<number[]>((resolve, reject) =>
    probe.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`probe exited ${code}`)))),
  );
  const outcomes = await load(ex.url, performance.now() + SECONDS * 1000);
  const ms = (await probed).map((s) => s * 1000);
  const f = (x: number) => `${x.toFixed(0)} ms`;
  const what =
    LOAD === 'scrape' ? `${CLIENTS} plain scrapers, ${N.toLocaleString('en')} series` : `${CLIENTS} wrong-password clients, cost ${COST}`;
  process.stdout.write(
    `| ${what} | ${SECONDS} s | ${ms.length} probes | p50 ${f(percentile(ms, 50))} | p99 ${f(percentile(ms, 99))} | max ${f(Math.max(...ms))} | ${[...outcomes].map(([k, v]) => `${k}: ${v}`).join(', ')} |\n`,
  );
} finally {
  await ex.stop();
}
