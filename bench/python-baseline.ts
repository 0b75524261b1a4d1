/**
 * The seed-style Python exporter (shared/baselines/seed_exporter.py), run on
 * the same data in the same benchmark, with Debian's python3 packages.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '../test/support/ports.js';
import { ManagedProcess } from '../test/support/process.js';
import { waitFor } from '../test/support/wait.js';
import { median } from './stats.js';
import { peakRssKb, timedGet, type Timing } from './http-timing.js';

export const SEED_CONFIG = `scrape_interval: 3600
metric_transformations:
  - name: "kubelet_minor_version"
    description: "Minor version of kubelet extracted from kube_node_info"
    source_metric: "kube_node_info"
    metric_type: "gauge"
    value_from_label: "minor"
    preserve_labels: [cluster, node, instance]
    default_value: 0
`;

export interface PythonResult {
  readonly cycles: number[];
  readonly cycleRssKb: number;
  readonly serve: Timing[];
  readonly serveRssKb: number;
}

const PYTHON = '/usr/bin/python3';

/** Why the baseline cannot run here, or undefined when it can. */
export function pythonUnavailable(script: string): string | undefined {
  if (!existsSync(script)) return `${script} not found (it lives in shared/baselines beside the repository)`;
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import prometheus_client, yaml, requests'], { encoding: 'utf8' });
  if (r.status !== 0) return 'python3 modules missing: apt-get install -y python3-prometheus-client python3-yaml python3-requests';
  return undefined;
}

function once(script: string, config: string, url: string): Promise<{ cycle: number; rssKb: number }> {
  const code = `import runpy, sys, resource
sys.argv = ['seed_exporter.py', '--config', ${JSON.stringify(config)}, '--vm-url', ${JSON.stringify(url)}, '--once']
runpy.run_path(${JSON.stringify(script)}, run_name='__main__')
print('maxrss_kb=%d' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)`;
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-c', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (status) => {
      const cycle = /cycle_seconds=([\d.]+)/.exec(out);
      const rss = /maxrss_kb=(\d+)/.exec(out);
      if (status !== 0 || !cycle || !rss) reject(new Error(`python baseline failed (${status}): ${err.slice(-2000)}`));
      else resolve({ cycle: Number(cycle[1]), rssKb: Number(rss[1]) });
    });
  });
}

export async function runPythonBaseline(script: string, dir: string, url: string, runs: number): Promise<PythonResult> {
  const config = path.join(dir, 'seed-config.yml');
  await writeFile(config, SEED_CONFIG);
  const cycles: number[] = [];
  let cycleRssKb = 0;
  for (let i = 0; i < runs; i++) {
    const r = await once(script, config, url);
    cycles.push(r.cycle);
    cycleRssKb = Math.max(cycleRssKb, r.rssKb);
  }
  const port = await freePort();
  const proc = await ManagedProcess.start({
    name: 'seed-exporter',
    command: PYTHON,
    args: [script, '--config', config, '--vm-url', url, '--port', String(port)],
  });
  try {
    await waitFor(async () => /cycle done/.test(proc.logs()), {
      timeoutMs: 300_000,
      intervalMs: 200,
      what: "the Python exporter's first cycle",
      process: proc,
    });
    const serve: Timing[] = [];
    for (let i = 0; i < runs; i++) serve.push(await timedGet(`http://127.0.0.1:${port}/metrics`));
    return { cycles, cycleRssKb, serve, serveRssKb: await peakRssKb(proc.pid) };
  } finally {
    await proc.stop();
  }
}

export function pythonSummary(r: PythonResult) {
  return { cycle: median(r.cycles), serve: median(r.serve.map((t) => t.total)), rssKb: Math.max(r.cycleRssKb, r.serveRssKb) };
}
