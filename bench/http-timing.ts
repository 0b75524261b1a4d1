/** Client-side timings of HTTP GETs, from a separate process than the server measured. */
import { request } from 'node:http';

export interface Timing {
  readonly ttfb: number;
  readonly total: number;
  readonly bytes: number;
}

export function timedGet(url: string, headers: Record<string, string> = {}): Promise<Timing> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      let ttfb = -1;
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        if (ttfb < 0) ttfb = (performance.now() - started) / 1000;
        bytes += c.length;
      });
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
        else resolve({ ttfb: ttfb < 0 ? (performance.now() - started) / 1000 : ttfb, total: (performance.now() - started) / 1000, bytes });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(120_000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** Peak resident set size of a process, in kB (Linux VmHWM). */
export async function peakRssKb(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /^VmHWM:\s+(\d+) kB/m.exec(status);
  return m ? Number(m[1]) : NaN;
}

/**
 * `/-/healthy` latency while `clients` concurrent loops scrape `/metrics`,
 * for `seconds` (bounded in count and time, 127.0.0.1 only). The probe runs
 * in a process of its own (bench/probe-child.ts): measured from the process
 * busy receiving 20 large bodies, its own event loop would add up to 100 ms.
 */
export async function healthyUnderLoad(
  base: string,
  clients: number,
  seconds: number,
): Promise<{ p50: number; p99: number; scrapes: number; errors: number }> {
  const { spawn } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const until = performance.now() + seconds * 1000;
  let scrapes = 0;
  let errors = 0;
  const scraper = async () => {
    while (performance.now() < until && scrapes < 100_000) {
      try {
        await timedGet(`${base}/metrics`);
        scrapes++;
      } catch {
        errors++;
      }
    }
  };
  const probe = spawn(process.execPath, [fileURLToPath(new URL('./probe-child.js', import.meta.url)), base, String(seconds)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  probe.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const probed = new Promise<number[]>((resolve, reject) =>
    probe.on('close', (code) =>
      code === 0 ? resolve((JSON.parse(out) as number[]).map((ms) => ms)) : reject(new Error(`probe exited ${code}`)),
    ),
  );
  await Promise.all(Array.from({ length: clients }, scraper));
  const latencies = await probed;
  const { percentile } = await import('./stats.js');
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), scrapes, errors };
}
