/**
 * In-process benchmark of a run's work after the source answered: finish
 * (sort, diff against the previous run, index) + render + swap, at N series.
 * A fake source feeds N kube_node_info-like series in batches, yielding to
 * the event loop between batches as a network source does per chunk, so the
 * feed itself never stalls the loop; what stalls it is what this measures.
 *
 * Per scenario it prints the CPU time (user + system) of everything after the
 * source's last series, the wall time of that part, and the longest
 * event-loop stall over the whole run (main-thread CPU and wall time).
 * Scenarios: `first` (no previous run: sort + render), `changed` (every
 * value changed: sort + index + render), `unchanged` (the steady state:
 * the diff only). Usage: node dist/bench/finish-render.js [N,N,...] [REPS]
 */
import { parseConfig } from '../src/registry/load.js';
import type { SeriesSink } from '../src/model/series.js';
import { runTransformation } from '../src/scheduler/run.js';
import { SnapshotStore } from '../src/snapshot/store.js';
import type { Source } from '../src/sources/source.js';
import { measureStalls } from '../test/support/stall.js';

const sizes = (process.argv[2] ?? '100000,1000000').split(',').map(Number);
const reps = Number(process.argv[3] ?? 3);
const BATCH = 2000;

const config = parseConfig(
  `metric_transformations:
  - name: kubelet_minor_version
    source_metric: kube_node_info
    value_from_label: minor
    preserve_labels: [cluster, node, instance]
`,
  'bench.yml',
);
const t = config.transformations[0];
if (!t) throw new Error('bench config');

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Feeds n series whose `minor` depends on `salt`; records the CPU clock after the last one. */
function fakeSource(n: number, salt: number, mark: { cpu: number; wall: number }): Source {
  return {
    name: 'default',
    type: 'file',
    async collect(_q, sink: SeriesSink) {
      const labels: Record<string, string> = { __name__: 'kube_node_info', cluster: '', node: '', instance: '', minor: '' };
      for (let i = 0; i < n; i++) {
        labels.cluster = `cluster-${i % 20}`;
        labels.node = `node-${String(i).padStart(7, '0')}`;
        labels.instance = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:10250`;
        labels.minor = String((i + salt) % 30);
        sink(labels, 1);
        if (i % BATCH === BATCH - 1) await new Promise((r) => setImmediate(r));
      }
      mark.cpu = cpuMs();
      mark.wall = performance.now();
      return { warnings: [] };
    },
    async close() {},
  };
}

interface Sample {
  cpuMs: number;
  wallMs: number;
  /** Longest event-loop stall over the whole run: main-thread CPU time, and wall time (see test/support/stall.ts). */
  stallCpuMs: number;
  stallWallMs: number;
}

async function once(n: number, store: SnapshotStore, salt: number): Promise<Sample> {
  (globalThis as { gc?: () => void }).gc?.();
  const mark = { cpu: 0, wall: 0 };
  let cpu = 0;
  let wall = 0;
  const stalls = await measureStalls(async () => {
    const outcome = await runTransformation(t as NonNullable<typeof t>, [fakeSource(n, salt, mark)], store, new AbortController().signal);
    cpu = cpuMs() - mark.cpu;
    wall = performance.now() - mark.wall;
    if (!outcome.ok) throw outcome.error;
  });
  return { cpuMs: Math.round(cpu), wallMs: Math.round(wall), stallCpuMs: stalls.cpuMs, stallWallMs: stalls.wallMs };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

for (const n of sizes) {
  const rows: Record<string, Sample[]> = { first: [], changed: [], unchanged: [] };
  for (let r = 0; r < reps; r++) {
    const store = new SnapshotStore();
    rows.first?.push(await once(n, store, 0));
    rows.changed?.push(await once(n, store, 1));
    rows.unchanged?.push(await once(n, store, 1));
  }
  for (const [scenario, list] of Object.entries(rows)) {
    const summary = {
      n,
      scenario,
      cpuMs: median(list.map((x) => x.cpuMs)),
      wallMs: median(list.map((x) => x.wallMs)),
      stallCpuMs: Math.max(...list.map((x) => x.stallCpuMs)),
      stallWallMs: Math.max(...list.map((x) => x.stallWallMs)),
      cpuAll: list.map((x) => x.cpuMs),
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  }
  const mem = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ n, rssMB: Math.round(mem.rss / 1048576), heapMB: Math.round(mem.heapUsed / 1048576) })}\n`);
}
