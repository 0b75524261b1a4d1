/**
 * Server hardening of the real built CLI, with raw sockets on 127.0.0.1:
 * the connection cap (--web.max-connections), the request-header timeout
 * against slowloris clients and idle connections, the header size limit; and
 * a rejected --web.config.file reload made visible in our own metrics.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { withLogs } from '../support/logs.js';
import { waitFor } from '../support/wait.js';
import { makeTempDir } from '../support/temp.js';
import { startExporter, startExporterWithFile, type Exporter } from '../support/exporter.js';

/** The server's limits (src/http/server.ts): whole headers within 10 s, 16 KiB of headers. */
const HEADERS_TIMEOUT_MS = 10_000;
/** Node checks the timeouts every second (connectionsCheckingInterval). */
const CHECK_INTERVAL_MS = 1_000;
const MAX_CONNECTIONS = 4;

const CONFIG = `metric_transformations:
  - name: kubelet_minor_version
    source: f
    source_metric: kube_node_info
    value_from_label: minor
    preserve_labels: [node]
sources:
  - {name: f, type: file, path: kube.prom}
`;
const FILES = { 'kube.prom': 'kube_node_info{node="n1",minor="28"} 1\n' };

interface RawClient {
  readonly socket: Socket;
  /** Everything the server sent. */
  received(): string;
  /** Resolves at close with the milliseconds since connect. */
  readonly closed: Promise<number>;
}

/** A raw TCP client; resolves once connected. */
async function rawClient(port: number): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1');
  let data = '';
  socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
  socket.on('error', () => undefined);
  const t0 = performance.now();
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(performance.now() - t0)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => data, closed };
}

/** One request over a fresh connection (`Connection: close`), for when the cap is nearly reached. */
async function rawGet(port: number, target: string, extraHeaders = ''): Promise<string> {
  const c = await rawClient(port);
  c.socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extraHeaders}\r\n`);
  await c.closed;
  return c.received();
}

function sampleOf(body: string, name: string): number | undefined {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(body);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

describe('server hardening (raw sockets against the real server)', () => {
  let exp: Exporter;

  before(async () => {
    exp = await startExporter(CONFIG, [`--web.max-connections=${MAX_CONNECTIONS}`], FILES);
  });
  after(async () => {
    await exp?.stop();
  });

  test('at the connection cap a new connection is closed at once, counted and logged; below it, served', async () => {
    await withLogs([exp.proc], async () => {
      const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => rawClient(exp.port)));
      // Let the server accept all of them before the next one.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const extra = await rawClient(exp.port);
      const ms = await Promise.race([extra.closed, new Promise<number>((resolve) => setTimeout(() => resolve(-1), 2_000))]);
      assert.ok(ms >= 0 && ms < 2_000, 'the connection over the cap was closed at once');
      assert.equal(extra.received(), '', 'no answer, not even an error page, over the cap');
      held[0]?.socket.destroy();
      await held[0]?.closed;
      await new Promise((resolve) => setTimeout(resolve, 200));
      const metrics = await rawGet(exp.port, '/metrics');
      assert.match(metrics, /^HTTP\/1\.1 200 /);
      assert.ok((sampleOf(metrics, 'label_value_exporter_http_connections_dropped_total') ?? 0) >= 1, 'the drop is counted');
      assert.equal(exp.proc.logs().match(/connection limit reached/g)?.length, 1);
      // Idle connections do not hold the cap for good: the header timeout closes them.
      for (const c of held.slice(1)) {
        const lived = await c.closed;
        assert.ok(lived < HEADERS_TIMEOUT_MS + CHECK_INTERVAL_MS + 1_500, `an idle connection lived ${lived} ms`);
        // Node answers 408 or just closes a connection that never sent a byte.
        assert.match(c.received(), /^$|^HTTP\/1\.1 408 /);
      }
    });
  });

  test('slowloris: headers sent a byte at a time are cut off at the header timeout with 408', async () => {
    await withLogs([exp.proc], async () => {
      const slow = await rawClient(exp.port);
      const request = `GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'a'.repeat(200)}`;
      let i = 0;
      // 4 bytes a second: the header would take well over a minute to finish.
      const drip = setInterval(() => {
        if (!slow.socket.destroyed && i < request.length) slow.socket.write(request[i++] ?? '');
      }, 250);
      const normal = await rawGet(exp.port, '/-/healthy');
      assert.match(normal, /^HTTP\/1\.1 200 /, 'other clients are served meanwhile');
      const lived = await slow.closed;
      clearInterval(drip);
      assert.ok(i > 20 && i < request.length, `the client was still sending (${i} bytes) when cut off`);
      assert.ok(lived >= HEADERS_TIMEOUT_MS - 200 && lived < HEADERS_TIMEOUT_MS + CHECK_INTERVAL_MS + 1_500, `cut off after ${lived} ms`);
      assert.match(slow.received(), /^HTTP\/1\.1 408 Request Timeout/);
    });
  });

  test('request headers over 16 KiB: 431, over plain HTTP too', async () => {
    const answer = await rawGet(exp.port, '/metrics', `X-Big: ${'a'.repeat(17 * 1024)}\r\n`);
    assert.match(answer, /^HTTP\/1\.1 431 /);
    const fine = await rawGet(exp.port, '/-/healthy', `X-Big: ${'a'.repeat(15 * 1024)}\r\n`);
    assert.match(fine, /^HTTP\/1\.1 200 /);
  });

  test('without --web.config.file there are no web config reload metrics', async () => {
    const metrics = await rawGet(exp.port, '/metrics');
    assert.doesNotMatch(metrics, /web_config_/);
  });
});

describe('idle connections at the cap do not lock probes out', () => {
  const CAP = 32;
  let exp: Exporter;

  before(async () => {
    exp = await startExporter(CONFIG, [`--web.max-connections=${CAP}`], FILES);
  });
  after(async () => {
    await exp?.stop();
  });

  test('with every slot held by connections that sent nothing for a second, /-/healthy is still served at once', async () => {
    await withLogs([exp.proc], async () => {
      const idle = await Promise.all(Array.from({ length: CAP }, () => rawClient(exp.port)));
      let closed = 0;
      for (const c of idle) void c.closed.then(() => closed++);
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const answer = await rawGet(exp.port, '/-/healthy');
        assert.match(answer, /^HTTP\/1\.1 200 /, `probe ${i} answered (not dropped at the cap)`);
        assert.ok(performance.now() - t0 < 1_000, `probe ${i} took ${(performance.now() - t0).toFixed(0)} ms`);
      }
      assert.ok(closed >= 1, 'the oldest idle connections made room');
      for (const c of idle) c.socket.destroy();
    });
  });

  test('PUT /-/reload is refused with 405 and Allow: POST', async () => {
    const answer = await rawGet(exp.port, '/-/reload');
    assert.match(answer, /^HTTP\/1\.1 405 /);
    const c = await rawClient(exp.port);
    c.socket.write('PUT /-/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    await c.closed;
    assert.match(c.received(), /^HTTP\/1\.1 405 /);
    assert.match(c.received(), /\r\nallow: POST\r\n/i);
  });
});

describe('a rejected --web.config.file reload in our own metrics', () => {
  let exp: Exporter;
  const OK = 'label_value_exporter_web_config_last_reload_successful';
  const OK_TS = 'label_value_exporter_web_config_last_reload_success_timestamp_seconds';
  const FAILURES = 'label_value_exporter_web_config_reload_failures_total';
  const good = (value: string) => `http_server_config:\n  headers:\n    X-Test: ${value}\n`;
  let webFile: string;

  before(async () => {
    const dir = await makeTempDir('hardening-web');
    const configFile = path.join(dir, 'config.yml');
    webFile = path.join(dir, 'web.yml');
    await writeFile(configFile, CONFIG);
    await writeFile(path.join(dir, 'kube.prom'), FILES['kube.prom']);
    await writeFile(webFile, good('one'));
    exp = await startExporterWithFile(configFile, [
      '--web.config.file',
      webFile,
      '--config.reload-debounce=100ms',
      '--config.reload-interval=1s',
    ]);
  });
  after(async () => {
    await exp?.stop();
  });

  test('1 at start, 0 and counted after a bad file, 1 again after a good one', async () => {
    await withLogs([exp.proc], async () => {
      const m0 = await exp.metricsText();
      assert.equal(sampleOf(m0, OK), 1);
      assert.equal(sampleOf(m0, FAILURES), 0);
      const ts0 = sampleOf(m0, OK_TS) ?? 0;
      assert.ok(ts0 > 0);

      await writeFile(webFile, `${good('two')}basic_auth_users:\n  bob: not-a-bcrypt-hash\n`);
      const m1 = await waitFor(
        async () => {
          const m = await exp.metricsText();
          return sampleOf(m, OK) === 0 ? m : undefined;
        },
        { timeoutMs: 15_000, what: `${OK} == 0`, process: exp.proc },
      );
      assert.equal(sampleOf(m1, FAILURES), 1);
      assert.equal(sampleOf(m1, OK_TS), ts0, 'the success timestamp stays at the last good load');
      // Watch events of the same broken content are not counted again; a forced reload (SIGHUP) is.
      exp.proc.signal('SIGHUP');
      await waitFor(async () => sampleOf(await exp.metricsText(), FAILURES) === 2, {
        timeoutMs: 15_000,
        what: `${FAILURES} == 2`,
        process: exp.proc,
      });
      const res = await fetch(`${exp.url}/-/healthy`);
      assert.equal(res.headers.get('x-test'), 'one', 'the running web configuration stayed');

      await writeFile(webFile, good('three'));
      const m2 = await waitFor(
        async () => {
          const m = await exp.metricsText();
          return sampleOf(m, OK) === 1 ? m : undefined;
        },
        { timeoutMs: 15_000, what: `${OK} == 1 again`, process: exp.proc },
      );
      assert.ok((sampleOf(m2, OK_TS) ?? 0) > ts0);
      assert.equal(sampleOf(m2, FAILURES), 2);
      assert.equal((await fetch(`${exp.url}/-/healthy`)).headers.get('x-test'), 'three');
    });
  });
});
