import { readFileSync } from 'node:fs';

/**
 * CPU time (ms) of the main thread: Linux's per-thread run time, so neither
 * GC helper threads nor the libuv pool count; elsewhere the process's CPU time.
 */
function mainThreadCpuMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
}

export interface Stalls {
  /** Longest wall time between two turns of the event loop (includes time the OS did not run us). */
  readonly wallMs: number;
  /**
   * Longest main-thread CPU time between two turns: what our code (and the
   * GC's pauses) blocked the loop for. Unlike wall time, it does not grow when
   * a loaded CI machine leaves the process waiting for a core.
   */
  readonly cpuMs: number;
}

/** The longest event-loop stalls while `work` runs, probed by a 5 ms timer. */
export async function measureStalls(work: () => Promise<void>): Promise<Stalls> {
  let wall = performance.now();
  let cpu = mainThreadCpuMs();
  let wallMs = 0;
  let cpuMs = 0;
  const probe = setInterval(() => {
    const w = performance.now();
    const c = mainThreadCpuMs();
    wallMs = Math.max(wallMs, w - wall);
    cpuMs = Math.max(cpuMs, c - cpu);
    wall = w;
    cpu = c;
  }, 5);
  try {
    await work();
    // One more tick, to record a stall at the very end of the work.
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    clearInterval(probe);
  }
  return { wallMs: Math.round(wallMs), cpuMs: Math.round(cpuMs) };
}
