/**
 * The HTTP side under hostile or heavy load, against the real built CLI:
 * `/-/healthy` (probed from a process of its own, bench/probe-child.ts) stays
 * fast while clients send wrong basic-auth passwords or scrape a big /metrics
 * uncompressed; a failed password takes as long for an unknown user as for a
 * cheap-hash one; password checks that cannot be queued answer 503 at once.
 * Bounded: a few seconds of load each, 127.0.0.1 only.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcryptjs';
import { withLogs } from '../support/logs.js';
import { makeTempDir } from '../support/temp.js';
import { waitForHttp } from '../support/wait.js';
import { startExporterWithFile, type Exporter } from '../support/exporter.js';

const PROBE = fileURLToPath(new URL('../../bench/probe-child.js', import.meta.url));
/**
 * Generous for CI on a shared machine (an idle exporter's probe p99 was 40-50 ms
 * on the 2-core machine these were written on, under a load average of 15).
 * Before the fixes: 1.9 s (passwords) and 0.9-4.1 s (plain scrapes).
 */
const PROBE_P99_MS = 250;
const PROBE_P99_PLAIN_MS = 500;

/** Probes /-/healthy every 20 ms for `seconds` from a child process; resolves with the latencies in ms (rejects if one failed). */
function probe(base: string, seconds: number): Promise<number[]> {
  const child = spawn(process.execPath, [PROBE, base, String(seconds)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) =>
    child.on('close', (code) =>
      code === 0 ? resolve((JSON.parse(out) as number[]).map((s) => s * 1000)) : reject(new Error(`probe failed (${code}): ${err}`)),
    ),
  );
}

function p99(ms: readonly number[]): number {
  const s = [...ms].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.99 * s.length) - 1)] ?? NaN;
}

function median(ms: readonly number[]): number {
  const s = [...ms].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

interface Answer {
  readonly status: number;
  readonly ms: number;
  readonly retryAfter: string | undefined;
}

/** GET with basic credentials over a fresh connection. */
function getAs(base: string, urlPath: string, user: string, password: string, signal?: AbortSignal): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers = { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
    const req = request(`${base}${urlPath}`, { headers, agent: false, ...(signal ? { signal } : {}) }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, retryAfter: res.headers['retry-after'] }),
      );
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** `clients` loops of `fn` until `until` (performance.now()). */
async function loadUntil(clients: number, until: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  let done = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      while (performance.now() < until) {
        await fn(c).catch(() => undefined);
        done++;
      }
    }),
  );
  return done;
}

async function startWith(files: Record<string, string>, config: string, args: string[]): Promise<Exporter> {
  const dir = await makeTempDir('http-load');
  for (const [name, body] of Object.entries(files)) await writeFile(path.join(dir, name), body.replaceAll('DIR', dir));
  await writeFile(path.join(dir, 'config.yml'), config);
  return startExporterWithFile(
    path.join(dir, 'config.yml'),
    args.map((a) => a.replaceAll('DIR', dir)),
  );
}

const SMALL_CONFIG = `sources:
  - {name: f, type: file, path: kube.prom}
metric_transformations:
  - {name: kubelet_minor_version, source: f, source_metric: kube_node_info, value_from_label: minor, preserve_labels: [node]}
`;

describe('basic auth under load (bcrypt off the event loop)', () => {
  let exp: Exporter;
  const RIGHT = 'right-horse-battery';
  // A well-formed cost-12 hash of no known password: every comparison costs a full cost-12 round.
  const SLOW_HASH = `$2b$12$${'N'.repeat(53)}`;

  before(async () => {
    const web = `basic_auth_users:\n  alice: ${await bcrypt.hash(RIGHT, 4)}\n  bob: ${await bcrypt.hash(RIGHT, 11)}\n  slow: "${SLOW_HASH}"\n`;
    exp = await startWith({ 'kube.prom': 'kube_node_info{node="n1",minor="28"} 1\n', 'web.yml': web }, SMALL_CONFIG, [
      '--web.config.file',
      'DIR/web.yml',
      '--log.level',
      'info',
    ]);
  });
  after(async () => {
    await exp?.stop();
  });

  test(`10 clients sending wrong passwords for 3 s: /-/healthy p99 under ${PROBE_P99_MS} ms, and the right password still works`, async () => {
    await withLogs([exp.proc], async () => {
      const probed = probe(exp.url, 3);
      const until = performance.now() + 3_000;
      const sent = await loadUntil(10, until, (i) => getAs(exp.url, '/metrics', i % 2 ? 'bob' : 'nobody', `wrong-${i}`));
      const ms = await probed;
      assert.ok(sent > 0);
      assert.ok(
        p99(ms) < PROBE_P99_MS,
        `/-/healthy p99 ${p99(ms).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms over ${ms.length} probes`,
      );
      assert.equal((await getAs(exp.url, '/metrics', 'alice', RIGHT)).status, 200);
      const cached = await getAs(exp.url, '/metrics', 'alice', RIGHT);
      assert.equal(cached.status, 200);
    });
  });

  test('a wrong password takes as long for a cost-4 user as for an unknown user (compared against the highest cost)', async () => {
    const alice: number[] = [];
    const nobody: number[] = [];
    for (let i = 0; i < 5; i++) {
      const a = await getAs(exp.url, '/metrics', 'alice', `wrong-${i}`);
      const n = await getAs(exp.url, '/metrics', 'nobody', `wrong-${i}`);
      assert.equal(a.status, 401);
      assert.equal(n.status, 401);
      alice.push(a.ms);
      nobody.push(n.ms);
    }
    // Unknown users pay a comparison at the highest configured cost (12 here).
    assert.ok(
      median(alice) > 0.5 * median(nobody),
      `alice (cost 4) ${median(alice).toFixed(0)} ms vs unknown ${median(nobody).toFixed(0)} ms`,
    );
  });

  test('more password checks than may wait: 503 with Retry-After at once, not an unbounded queue', async () => {
    const abort = new AbortController();
    const answers: Answer[] = [];
    const requests = Array.from({ length: 60 }, (_, i) =>
      getAs(exp.url, '/metrics', 'slow', `wrong-${i}`, abort.signal).then(
        (a) => answers.push(a),
        () => undefined,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    abort.abort();
    await Promise.all(requests);
    const busy = answers.filter((a) => a.status === 503);
    assert.ok(busy.length >= 10, `503 answers within 2 s: ${busy.length} (${answers.map((a) => a.status).join(',')})`);
    assert.ok(busy.every((a) => a.retryAfter === '1'));
  });
});

describe('liveness under big plain scrapes', () => {
  let exp: Exporter;
  const N = 100_000;
  const SCRAPERS = 50;

  before(async () => {
    const lines: string[] = [];
    for (let i = 0; i < N; i++)
      lines.push(
        `kube_node_info{cluster="c${i % 20}",node="node-${String(i).padStart(7, '0')}.example.internal",instance="10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:9100",minor="${20 + (i % 10)}"} 1`,
      );
    exp = await startWith(
      { 'kube.prom': `${lines.join('\n')}\n` },
      SMALL_CONFIG.replace('preserve_labels: [node]', 'preserve_labels: [cluster, node, instance]'),
      ['--log.level', 'warn'],
    );
    await waitForHttp(`${exp.url}/-/ready`, 60_000, 200, { process: exp.proc });
  });
  after(async () => {
    await exp?.stop();
  });

  test(`${SCRAPERS} clients scraping ${N.toLocaleString('en')} series uncompressed for 4 s: /-/healthy p99 under ${PROBE_P99_PLAIN_MS} ms`, async () => {
    const probed = probe(exp.url, 4);
    const scrape = () =>
      new Promise<void>((resolve, reject) => {
        const req = request(`${exp.url}/metrics`, { agent: false }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        });
        req.on('error', reject);
        req.setTimeout(60_000, () => req.destroy(new Error('timeout')));
        req.end();
      });
    const scrapes = await loadUntil(SCRAPERS, performance.now() + 4_000, scrape);
    const ms = await probed;
    assert.ok(scrapes >= SCRAPERS, `${scrapes} scrapes`);
    assert.ok(
      p99(ms) < PROBE_P99_PLAIN_MS,
      `/-/healthy p99 ${p99(ms).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms over ${ms.length} probes (${scrapes} scrapes)`,
    );
  });
});
