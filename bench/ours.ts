/** Our pipeline in its own process (bench/child.ts), measured from outside. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManagedProcess } from '../test/support/process.js';
import { waitFor } from '../test/support/wait.js';
import { healthyUnderLoad, peakRssKb, timedGet, type Timing } from './http-timing.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'child.js');

export interface OursResult {
  /** The first (cold) run, then the measured ones. */
  readonly first: number;
  readonly runs: number[];
  readonly plain: Timing[];
  readonly gzip: Timing[];
  readonly healthy: { p50: number; p99: number; scrapes: number; errors: number } | undefined;
  readonly rssKb: number;
}

interface ChildLine {
  run?: number;
  seconds?: number;
  listening?: number;
}

/** `preserve`: the transformation's preserve_labels (default: per node, one output per source series). */
export async function runOurs(url: string, runs: number, loadSeconds: number, preserve?: string): Promise<OursResult> {
  // One extra first run warms the JIT, as the floor's fetch gets a warm-up; it is reported on its own.
  const proc = await ManagedProcess.start({
    name: 'lve-bench-child',
    command: process.execPath,
    args: [CHILD, url, String(runs + 1), ...(preserve ? [preserve] : [])],
  });
  try {
    const lines = (): ChildLine[] =>
      proc
        .logs()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as ChildLine);
    const port = await waitFor(async () => lines().find((l) => l.listening)?.listening, {
      timeoutMs: 600_000,
      intervalMs: 100,
      what: 'bench child runs',
      process: proc,
    });
    const [first = NaN, ...runTimes] = lines().flatMap((l) => (l.seconds === undefined ? [] : [l.seconds]));
    const base = `http://127.0.0.1:${port}`;
    const plain: Timing[] = [];
    const gzip: Timing[] = [];
    for (let i = 0; i < runs; i++) {
      plain.push(await timedGet(`${base}/metrics`));
      gzip.push(await timedGet(`${base}/metrics`, { 'accept-encoding': 'gzip' }));
    }
    const healthy = loadSeconds > 0 ? await healthyUnderLoad(base, 20, loadSeconds) : undefined;
    return { first, runs: runTimes, plain, gzip, healthy, rssKb: await peakRssKb(proc.pid) };
  } finally {
    await proc.stop();
  }
}
