/**
 * `npm run soak`: the real exporter on 1 s intervals against a real
 * VictoriaMetrics whose series churn (a batch of nodes appears and an old one
 * is deleted every few seconds), for SOAK_MINUTES (default 30). Every 10 s it
 * samples RSS, open file descriptors and our own run counters. It passes when,
 * after a 2-minute warm-up, RSS grows less than 10%, descriptors do not grow,
 * and every scheduled run is accounted for (succeeded, failed or counted as
 * missed). Writes bench/SOAK.md. 127.0.0.1 only; bounded in time.
 */
import { readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVictoriaMetrics } from '../test/support/victoria-metrics.js';
import { startExporter } from '../test/support/exporter.js';
import { median } from './stats.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
const WARMUP_MS = Math.min(120_000, (MINUTES * 60_000) / 4);
const BATCH = 500;
const NAMES = ['kubelet_minor_version', 'node_os_image_info', 'kubelet_minor_prod'];

function batch(k: number): string {
  let out = '';
  for (let i = 0; i < BATCH; i++) {
    const cluster = `c${(k + i) % 7}`;
    out += `kube_node_info{cluster="${cluster}",node="n-${k}-${i}",batch="${k}",minor="${24 + ((k + i) % 8)}",os_image="Ubuntu 22.04.${i % 4} LTS",job="ksm"} 1\n`;
  }
  return out;
}

interface Sample {
  t: number;
  rssKb: number;
  fds: number;
  accounted: Record<string, number>;
}

const vm = await startVictoriaMetrics({ extraArgs: ['-search.maxStalenessInterval=24h'] });
let k = 0;
for (; k < 10; k++) await vm.importPrometheus(batch(k));
await vm.waitForSeries('kube_node_info', 10 * BATCH);
const ex = await startExporter(
  `victoriametrics_url: "${vm.url}"
scrape_interval: 1
max_staleness: 1h
metric_transformations:
  - {name: kubelet_minor_version, source_metric: kube_node_info, value_from_label: minor, preserve_labels: [cluster, node]}
  - {name: node_os_image_info, source_metric: kube_node_info, metric_type: info, value_from_label: os_image, preserve_labels: [cluster, node]}
  - {name: kubelet_minor_prod, source_metric: kube_node_info, value_from_label: minor, query_filter: 'cluster=~"c[0-3]"', preserve_labels: [node]}
`,
  ['--log.level', 'warn'],
);
const started = Date.now();
const samples: Sample[] = [];
try {
  const until = started + MINUTES * 60_000;
  let nextChurn = Date.now();
  while (Date.now() < until) {
    if (Date.now() >= nextChurn) {
      await vm.importPrometheus(batch(k));
      await vm.deleteSeries(`kube_node_info{batch="${k - 10}"}`);
      k++;
      nextChurn = Date.now() + 5000;
    }
    const text = await ex.metricsText();
    const accounted: Record<string, number> = {};
    for (const name of NAMES) {
      let n = 0;
      for (const m of text.matchAll(
        new RegExp(
          `^label_value_exporter_transformation_(?:runs_total\\{transformation="${name}",result="\\w+"\\}|missed_runs_total\\{transformation="${name}"\\}) (\\S+)$`,
          'gm',
        ),
      ))
        n += Number(m[1]);
      accounted[name] = n;
    }
    const status = await readFile(`/proc/${ex.proc.pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
    samples.push({ t: Date.now() - started, rssKb, fds: readdirSync(`/proc/${ex.proc.pid}/fd`).length, accounted });
    await new Promise((r) => setTimeout(r, 10_000));
  }
} finally {
  await ex.stop();
  await vm.stop();
}

const warm = samples.filter((s) => s.t >= WARMUP_MS);
const first = warm.slice(0, 3);
const last = warm.slice(-3);
const rssStart = median(first.map((s) => s.rssKb));
const rssEnd = median(last.map((s) => s.rssKb));
const growth = rssEnd / rssStart - 1;
const fdStart = Math.max(...first.map((s) => s.fds));
const fdEnd = Math.max(...last.map((s) => s.fds));
const end = samples[samples.length - 1];
const elapsed = (end?.t ?? 0) / 1000;
const accounting = NAMES.map((n) => `${n}: ${end?.accounted[n] ?? 0} runs accounted in ${elapsed.toFixed(0)} s`);
const accountedOk = NAMES.every((n) => Math.abs((end?.accounted[n] ?? 0) - elapsed) <= 3);
const ok = growth < 0.1 && fdEnd <= fdStart && accountedOk;
const report = [
  `| duration | series churned | RSS after warm-up → end | growth | open fds after warm-up → end | result |`,
  `|---|---|---|---|---|---|`,
  `| ${MINUTES} min, 1 s intervals, 3 transformations | ${(k - 10) * BATCH} added and as many deleted | ${(rssStart / 1024).toFixed(0)} → ${(rssEnd / 1024).toFixed(0)} MB | ${(growth * 100).toFixed(1)}% | ${fdStart} → ${fdEnd} | ${ok ? 'pass' : 'FAIL'} |`,
  '',
  ...accounting.map((a) => `- ${a}`),
  '',
  'RSS samples (MB, every 10 s): ' + samples.map((s) => (s.rssKb / 1024).toFixed(0)).join(' '),
].join('\n');
process.stdout.write(`\n${report}\n`);
await writeFile(
  path.join(REPO, 'bench/SOAK.md'),
  `# Soak test\n\nProduced by \`npm run soak\` (bench/soak.ts) on ${new Date().toISOString()}.\n\n${report}\n`,
);
if (!ok) process.exitCode = 1;
