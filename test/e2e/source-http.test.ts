/**
 * The HTTP side of query-API sources, against the real built exporter and
 * in-process fake query APIs that record every request: the request itself
 * (method, path below the URL's prefix, form body), authentication, extra
 * headers, redirects, TLS (CA, skip-verify, server name, client certificates),
 * compression, the response-size limit, and that secrets never leak into logs,
 * `/metrics` or the status page.
 *
 * Configs are written as JSON, which is YAML, so odd values need no quoting care.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile, rename, writeFile } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { TLSSocket } from 'node:tls';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { withLogs } from '../support/logs.js';
import { freePort } from '../support/ports.js';
import { ManagedProcess } from '../support/process.js';
import { startOnPort } from '../support/server-start.js';
import { makeTempDir } from '../support/temp.js';
import { makeTestPki } from '../support/tls.js';
import { waitFor, waitForHttp } from '../support/wait.js';
import { family } from '../support/dataset.js';
import { CLI, Exporter, startExporter } from '../support/exporter.js';

const TEST_TIMEOUT = 20_000;
const WAIT_MS = 12_000;
const FORM = 'application/x-www-form-urlencoded';
const QUERY_PATH = '/api/v1/query';

// ---------------------------------------------------------------- fake query API

interface Recorded {
  readonly method: string;
  /** Path and query string as sent. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** CN of the client certificate, when the connection presented a verified one. */
  readonly clientCertCN: string | undefined;
}

type Handler = (req: Recorded, res: ServerResponse) => void;

type Labels = Record<string, string>;
const N1: Labels = { __name__: 'kube_node_info', cluster: 'a', node: 'n1', minor: '28' };
const N2: Labels = { __name__: 'kube_node_info', cluster: 'a', node: 'n2', minor: '29' };

function vectorBody(series: Labels[] = [N1]): string {
  return JSON.stringify({
    status: 'success',
    data: { resultType: 'vector', result: series.map((metric) => ({ metric, value: [1, '1'] })) },
  });
}

const answerVector: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(vectorBody());
};

/** An HTTP(S) server on 127.0.0.1 that records each request, then lets `handler` answer it. */
class FakeApi {
  readonly requests: Recorded[] = [];
  readonly url: string;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: HttpServer | HttpsServer,
    scheme: 'http' | 'https',
    public handler: Handler,
  ) {
    this.url = `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.record(req, res));
  }

  static async start(handler: Handler = answerVector, tls?: HttpsOptions): Promise<FakeApi> {
    const server = tls ? createHttpsServer(tls) : createHttpServer();
    server.on('tlsClientError', () => undefined);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new FakeApi(server, tls ? 'https' : 'http', handler);
  }

  private record(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const socket = req.socket;
      const cn = socket instanceof TLSSocket && socket.authorized ? socket.getPeerCertificate().subject?.CN : undefined;
      const rec: Recorded = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        clientCertCN: typeof cn === 'string' ? cn : undefined,
      };
      this.requests.push(rec);
      try {
        this.handler(rec, res);
      } catch (e) {
        res.writeHead(599).end(String(e));
      }
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Requests to exactly this path. */
  to(p: string): Recorded[] {
    return this.requests.filter((r) => r.path === p);
  }

  waitForRequest(pred: (r: Recorded) => boolean, what: string, proc?: ManagedProcess): Promise<Recorded> {
    return waitFor(async () => this.requests.find(pred), {
      timeoutMs: WAIT_MS,
      intervalMs: 50,
      what,
      process: proc,
      detail: () => `paths seen: ${[...new Set(this.requests.map((r) => r.path))].join(', ')}`,
    });
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }
}

// ---------------------------------------------------------------- exporter config and helpers

/** One source plus one transformation `m_<name>` reading kube_node_info's `minor` from it. */
interface Case {
  readonly name: string;
  readonly source: Record<string, unknown>;
  readonly query_filter?: string;
}

function configText(cases: readonly Case[]): string {
  return JSON.stringify(
    {
      scrape_interval: 1,
      sources: cases.map((c) => ({ name: c.name, type: 'prometheus', ...c.source })),
      metric_transformations: cases.map((c) => ({
        name: `m_${c.name}`,
        source: c.name,
        source_metric: 'kube_node_info',
        value_from_label: 'minor',
        preserve_labels: ['cluster', 'node'],
        // These tests check the plain selector on the wire; pushdown has its own (test/e2e/query.test.ts).
        pushdown: false,
        ...(c.query_filter !== undefined ? { query_filter: c.query_filter } : {}),
      })),
    },
    null,
    2,
  );
}

const T = (name: string): string => `transformation="m_${name}"`;
const lastSuccess = (s: Map<string, number>, name: string): number | undefined =>
  s.get(`label_value_exporter_transformation_last_run_success{${T(name)}}`);
const failures = (s: Map<string, number>, name: string, reason: string): number =>
  s.get(`label_value_exporter_transformation_failures_total{${T(name)},reason="${reason}"}`) ?? 0;
const N1_ONLY = (name: string): Map<string, number> => new Map([[`m_${name}{cluster="a",node="n1"}`, 28]]);
const N1_N2 = (name: string): Map<string, number> =>
  new Map([
    [`m_${name}{cluster="a",node="n1"}`, 28],
    [`m_${name}{cluster="a",node="n2"}`, 29],
  ]);

/** The last run of `name` succeeded and served exactly `expected`. */
function serves(s: Map<string, number>, name: string, expected = N1_ONLY(name)): boolean {
  return lastSuccess(s, name) === 1 && sameSamples(family(s, `m_${name}`), expected);
}

function sameSamples(a: Map<string, number>, b: Map<string, number>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const basic = (user: string, password: string): string => `Basic ${b64(`${user}:${password}`)}`;
const decodedQuery = (r: Recorded): string | null => new URLSearchParams(r.body).get('query');

const cleanups: Array<() => Promise<unknown>> = [];
function onCleanup(fn: () => Promise<unknown>): void {
  cleanups.push(fn);
}

async function fake(handler?: Handler, tls?: HttpsOptions): Promise<FakeApi> {
  const f = await FakeApi.start(handler, tls);
  onCleanup(() => f.close());
  return f;
}

async function exporter(cases: readonly Case[], files: Record<string, string> = {}): Promise<Exporter> {
  const ex = await startExporter(configText(cases), [], files);
  onCleanup(() => ex.stop());
  return ex;
}

/** Like `startExporter`, with extra environment variables for the exporter process. */
async function exporterWithEnv(cases: readonly Case[], env: Record<string, string>): Promise<Exporter> {
  const dir = await makeTempDir('exporter-env');
  const configFile = path.join(dir, 'config.yml');
  await writeFile(configFile, configText(cases));
  const { port, proc } = await startOnPort({
    launch: (p) =>
      ManagedProcess.start({
        name: 'label-value-exporter',
        command: process.execPath,
        args: [CLI, '--config.file', configFile, '--web.listen-address', `127.0.0.1:${p}`, '--log.level', 'debug'],
        env: { ...process.env, ...env },
      }),
    ready: (p, pr) => waitForHttp(`http://127.0.0.1:${p}/-/healthy`, 15_000, 200, { process: pr }),
  });
  const ex = new Exporter(proc, port, configFile);
  onCleanup(() => ex.stop());
  return ex;
}

/** Replaces a file in one step, as a secret rotation would. */
async function replaceFile(file: string, content: string): Promise<void> {
  await writeFile(`${file}.new`, content);
  await rename(`${file}.new`, file);
}

/** Waits until every named transformation serves its expected values. */
function waitServing(
  ex: Exporter,
  names: readonly string[],
  expected: (name: string) => Map<string, number> = N1_ONLY,
): Promise<Map<string, number>> {
  return ex.waitForSamples((s) => names.every((n) => serves(s, n, expected(n))), `values served for ${names.join(', ')}`, WAIT_MS);
}

// ---------------------------------------------------------------- tests

describe('query-API source over HTTP', () => {
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
  });

  test('queries are a POST form to /api/v1/query below the URL path prefix; long filters fit', { timeout: TEST_TIMEOUT }, async () => {
    const api = await fake();
    const longFilter = `node=~"n1|${Array.from({ length: 900 }, (_, i) => `node-${String(i).padStart(6, '0')}`).join('|')}"`;
    assert.ok(longFilter.length > 8192, 'the filter is longer than 8 KB');
    const ex = await exporter([
      { name: 'vmcluster', source: { url: `${api.url}/select/0/prometheus` }, query_filter: 'cluster="a"' },
      // A trailing slash on the URL does not double the slash.
      { name: 'mimir', source: { url: `${api.url}/prometheus/`, headers: { 'X-Scope-OrgID': 'tenant-a' } } },
      { name: 'long', source: { url: `${api.url}/long` }, query_filter: longFilter },
    ]);
    await withLogs([ex.proc], async () => {
      await waitServing(ex, ['vmcluster', 'mimir', 'long']);

      const vm = api.to(`/select/0/prometheus${QUERY_PATH}`);
      assert.ok(vm.length >= 1, `requests seen: ${api.requests.map((r) => `${r.method} ${r.path}`).join(', ')}`);
      for (const r of vm) {
        assert.equal(r.method, 'POST');
        assert.equal(r.headers['content-type'], FORM);
        assert.equal(r.body, 'query=kube_node_info%7Bcluster%3D%22a%22%7D');
        assert.equal(decodedQuery(r), 'kube_node_info{cluster="a"}');
        assert.deepEqual([...new URLSearchParams(r.body).keys()], ['query']);
        assert.equal(r.headers['x-scope-orgid'], undefined, 'headers of another source are not sent');
        assert.equal(r.headers.authorization, undefined, 'no credentials configured, none sent');
      }

      const mimir = api.to(`/prometheus${QUERY_PATH}`);
      assert.ok(mimir.length >= 1, `requests seen: ${api.requests.map((r) => `${r.method} ${r.path}`).join(', ')}`);
      for (const r of mimir) {
        assert.equal(r.method, 'POST');
        assert.equal(r.headers['content-type'], FORM);
        assert.equal(decodedQuery(r), 'kube_node_info');
        assert.equal(r.headers['x-scope-orgid'], 'tenant-a');
      }

      const long = api.to(`/long${QUERY_PATH}`);
      assert.ok(long.length >= 1);
      for (const r of long) {
        assert.equal(r.method, 'POST');
        assert.ok(r.body.length > 8192);
        assert.equal(decodedQuery(r), `kube_node_info{${longFilter}}`);
      }
      assert.equal(api.requests.filter((r) => !r.path.endsWith(QUERY_PATH)).length, 0, 'no request outside <url>/api/v1/query');

      // Runs repeat every second, each a fresh POST.
      const s = await ex.waitForSamples(
        (x) => (x.get(`label_value_exporter_transformation_runs_total{${T('vmcluster')},result="success"}`) ?? 0) >= 2,
        'a second run',
      );
      assert.ok((s.get('label_value_exporter_source_requests_total{source="vmcluster",code="200"}') ?? 0) >= 2);
    });
  });

  test(
    'basic auth (inline, password_file), bearer token (inline, file), URL credentials and extra headers; credential files are re-read',
    { timeout: TEST_TIMEOUT },
    async () => {
      const api = await fake();
      const ex = await exporter(
        [
          { name: 'basic', source: { url: `${api.url}/basic`, basic_auth: { username: 'lve', password: 'p@ss:w0rd' } } },
          { name: 'pwfile', source: { url: `${api.url}/pwfile`, basic_auth: { username: 'lve', password_file: 'password.txt' } } },
          { name: 'bearer', source: { url: `${api.url}/bearer`, bearer_token: 'tok-123' } },
          { name: 'tokfile', source: { url: `${api.url}/tokfile`, bearer_token_file: 'token.txt' } },
          { name: 'urlcreds', source: { url: `http://lve-user:p%40ss%3Aword@127.0.0.1:${api.port}/urlcreds` } },
          { name: 'headers', source: { url: `${api.url}/headers`, headers: { 'X-Scope-OrgID': 'tenant-a', 'X-Extra': 'yes' } } },
        ],
        { 'password.txt': 'first-pw\n', 'token.txt': 'tok-file-1\n' },
      );
      const dir = path.dirname(ex.configFile);
      await withLogs([ex.proc], async () => {
        await waitServing(ex, ['basic', 'pwfile', 'bearer', 'tokfile', 'urlcreds', 'headers']);
        const auth = (p: string): Array<string | undefined> => [
          ...new Set(api.to(`${p}${QUERY_PATH}`).map((r) => r.headers.authorization)),
        ];
        assert.deepEqual(auth('/basic'), [basic('lve', 'p@ss:w0rd')]);
        assert.deepEqual(auth('/pwfile'), [basic('lve', 'first-pw')], 'the file content, trailing newline trimmed');
        assert.deepEqual(auth('/bearer'), ['Bearer tok-123']);
        assert.deepEqual(auth('/tokfile'), ['Bearer tok-file-1']);
        assert.deepEqual(auth('/urlcreds'), [basic('lve-user', 'p@ss:word')], 'URL credentials, percent-decoded, as basic auth');
        assert.deepEqual(auth('/headers'), [undefined]);
        for (const r of api.to(`/headers${QUERY_PATH}`)) {
          assert.equal(r.headers['x-scope-orgid'], 'tenant-a');
          assert.equal(r.headers['x-extra'], 'yes');
        }
        for (const r of api.to(`/urlcreds${QUERY_PATH}`)) {
          assert.equal(r.headers.host, `127.0.0.1:${api.port}`, 'credentials are not part of the Host header');
        }

        // Rotate both files: the next requests use the new content, without a restart.
        await replaceFile(path.join(dir, 'password.txt'), 'second-pw\n');
        await replaceFile(path.join(dir, 'token.txt'), 'tok-file-2');
        const firstNewPw = await api.waitForRequest(
          (r) => r.path === `/pwfile${QUERY_PATH}` && r.headers.authorization === basic('lve', 'second-pw'),
          'a request with the rotated password',
          ex.proc,
        );
        const firstNewTok = await api.waitForRequest(
          (r) => r.path === `/tokfile${QUERY_PATH}` && r.headers.authorization === 'Bearer tok-file-2',
          'a request with the rotated token',
          ex.proc,
        );
        // Two more requests each, then nothing from the switch on may carry the old secret.
        const after = (p: string, first: Recorded): Recorded[] =>
          api.to(`${p}${QUERY_PATH}`).slice(api.to(`${p}${QUERY_PATH}`).indexOf(first));
        await waitFor(async () => after('/pwfile', firstNewPw).length >= 3 && after('/tokfile', firstNewTok).length >= 3, {
          timeoutMs: WAIT_MS,
          what: 'more requests after the rotation',
          process: ex.proc,
        });
        assert.deepEqual([...new Set(after('/pwfile', firstNewPw).map((r) => r.headers.authorization))], [basic('lve', 'second-pw')]);
        assert.deepEqual([...new Set(after('/tokfile', firstNewTok).map((r) => r.headers.authorization))], ['Bearer tok-file-2']);
        const s = await ex.samples();
        assert.ok(serves(s, 'pwfile') && serves(s, 'tokfile'));
      });
    },
  );

  test('${ENV} is expanded in the URL, credentials and header values', { timeout: TEST_TIMEOUT }, async () => {
    const api = await fake();
    const ex = await exporterWithEnv(
      [
        {
          name: 'envbearer',
          source: {
            url: 'http://127.0.0.1:${LVE_TEST_PORT}/env-bearer',
            bearer_token: '${LVE_TEST_TOKEN}',
            headers: { 'X-Scope-OrgID': '${LVE_TEST_TENANT}', 'X-Dollar': 'a$$b' },
          },
        },
        {
          name: 'envbasic',
          source: {
            url: `${api.url}/env-basic`,
            basic_auth: { username: '${LVE_TEST_UNSET_USER:-fallback-user}', password: 'pre-${LVE_TEST_PASSWORD}-post' },
          },
        },
      ],
      { LVE_TEST_PORT: String(api.port), LVE_TEST_TOKEN: 'env-token-1', LVE_TEST_TENANT: 'tenant-env', LVE_TEST_PASSWORD: 'env-pw' },
    );
    await withLogs([ex.proc], async () => {
      await waitServing(ex, ['envbearer', 'envbasic']);
      const bearer = api.to(`/env-bearer${QUERY_PATH}`);
      assert.ok(bearer.length >= 1);
      for (const r of bearer) {
        assert.equal(r.headers.authorization, 'Bearer env-token-1');
        assert.equal(r.headers['x-scope-orgid'], 'tenant-env');
        assert.equal(r.headers['x-dollar'], 'a$b', '$$ is a literal $');
      }
      const b = api.to(`/env-basic${QUERY_PATH}`);
      assert.ok(b.length >= 1);
      for (const r of b) assert.equal(r.headers.authorization, basic('fallback-user', 'pre-env-pw-post'));
    });
  });

  test('redirects keep POST and body; auth and headers go only to the configured origin', { timeout: TEST_TIMEOUT }, async () => {
    const other = await fake();
    const api = await fake((req, res) => {
      const go = (status: number, location: string): void =>
        void res.writeHead(status, { location, 'content-type': 'text/plain' }).end('moved');
      switch (req.path) {
        case `/r307${QUERY_PATH}`:
          return go(307, `/r307-target${QUERY_PATH}`); // relative
        case `/r301${QUERY_PATH}`:
          return go(301, `http://127.0.0.1:${api.port}/r301-target${QUERY_PATH}`); // absolute, same origin
        case `/r308${QUERY_PATH}`:
          return go(308, `/r308-target${QUERY_PATH}`);
        case `/cross307${QUERY_PATH}`:
          return go(307, `${other.url}/elsewhere307${QUERY_PATH}`);
        case `/cross301${QUERY_PATH}`:
          return go(301, `${other.url}/elsewhere301${QUERY_PATH}`);
        case `/loop${QUERY_PATH}`:
          return go(307, `/loop${QUERY_PATH}`);
        default:
          return answerVector(req, res);
      }
    });
    const headers = { 'X-Scope-OrgID': 'tenant-a' };
    const ex = await exporter([
      {
        name: 'r307',
        source: { url: `${api.url}/r307`, basic_auth: { username: 'lve', password: 'pw-307' }, headers },
        query_filter: 'cluster="a"',
      },
      { name: 'r301', source: { url: `${api.url}/r301`, bearer_token: 'tok-301', headers }, query_filter: 'cluster="a"' },
      { name: 'r308', source: { url: `${api.url}/r308`, bearer_token: 'tok-308', headers } },
      {
        name: 'cross307',
        source: { url: `${api.url}/cross307`, basic_auth: { username: 'lve', password: 'pw-cross' }, headers },
        query_filter: 'cluster="a"',
      },
      { name: 'cross301', source: { url: `${api.url}/cross301`, bearer_token: 'tok-cross', headers }, query_filter: 'cluster="a"' },
      { name: 'loop', source: { url: `${api.url}/loop`, bearer_token: 'tok-loop' } },
    ]);
    await withLogs([ex.proc], async () => {
      await waitServing(ex, ['r307', 'r301', 'r308', 'cross307', 'cross301']);
      const body = 'query=kube_node_info%7Bcluster%3D%22a%22%7D';

      const sameOrigin: Array<[string, string, string]> = [
        ['/r307-target', basic('lve', 'pw-307'), body],
        ['/r301-target', 'Bearer tok-301', body],
        ['/r308-target', 'Bearer tok-308', 'query=kube_node_info'],
      ];
      for (const [p, authorization, expectedBody] of sameOrigin) {
        const hits = api.to(`${p}${QUERY_PATH}`);
        assert.ok(hits.length >= 1, `${p} was requested`);
        for (const r of hits) {
          assert.equal(r.method, 'POST', `${p}: still a POST`);
          assert.equal(r.body, expectedBody, `${p}: same body`);
          assert.equal(r.headers['content-type'], FORM);
          assert.equal(r.headers.authorization, authorization, `${p}: auth kept on the same origin`);
          assert.equal(r.headers['x-scope-orgid'], 'tenant-a', `${p}: extra headers kept on the same origin`);
        }
      }

      for (const p of ['/elsewhere307', '/elsewhere301']) {
        const hits = other.to(`${p}${QUERY_PATH}`);
        assert.ok(hits.length >= 1, `${p} on the other origin was requested`);
        for (const r of hits) {
          assert.equal(r.method, 'POST', `${p}: still a POST`);
          assert.equal(r.body, body, `${p}: same body`);
          assert.equal(r.headers.authorization, undefined, `${p}: no Authorization header to another origin`);
          assert.equal(r.headers['x-scope-orgid'], undefined, `${p}: no configured headers to another origin`);
        }
      }
      assert.equal(
        other.requests.filter((r) => r.headers.authorization !== undefined || r.headers['x-scope-orgid'] !== undefined).length,
        0,
      );

      // A redirect loop is cut off and fails the run.
      const s = await ex.waitForSamples(
        (x) => lastSuccess(x, 'loop') === 0 && failures(x, 'loop', 'http_status') >= 1,
        'the redirect loop to fail',
      );
      assert.equal(family(s, 'm_loop').size, 0);
      assert.ok((s.get('label_value_exporter_source_requests_total{source="loop",code="307"}') ?? 0) >= 1);
      const loopRuns = s.get(`label_value_exporter_transformation_runs_total{${T('loop')},result="failure"}`) ?? 0;
      assert.ok(api.to(`/loop${QUERY_PATH}`).length <= (loopRuns + 1) * 6, 'at most a handful of hops per run');
    });
  });

  test('TLS: CA file, missing CA, insecure_skip_verify, server_name and client certificates', { timeout: TEST_TIMEOUT }, async () => {
    const dir = await makeTempDir('pki');
    const pki = await makeTestPki(dir);
    const [key, cert, ca] = await Promise.all([readFile(pki.serverKey), readFile(pki.serverCert), readFile(pki.caCert)]);
    const tls = await fake(answerVector, { key, cert });
    const mtls = await fake(answerVector, { key, cert, ca, requestCert: true, rejectUnauthorized: true });
    const ex = await exporter([
      { name: 'tls_ca', source: { url: tls.url, tls_config: { ca_file: pki.caCert } } },
      { name: 'tls_none', source: { url: tls.url } },
      { name: 'tls_insecure', source: { url: tls.url, tls_config: { insecure_skip_verify: true } } },
      { name: 'tls_sni', source: { url: tls.url, tls_config: { ca_file: pki.caCert, server_name: pki.serverDnsName } } },
      { name: 'tls_sni_wrong', source: { url: tls.url, tls_config: { ca_file: pki.caCert, server_name: 'wrong-name.internal' } } },
      { name: 'mtls', source: { url: mtls.url, tls_config: { ca_file: pki.caCert, cert_file: pki.clientCert, key_file: pki.clientKey } } },
      { name: 'mtls_nocert', source: { url: mtls.url, tls_config: { ca_file: pki.caCert } } },
    ]);
    await withLogs([ex.proc], async () => {
      const s = await ex.waitForSamples(
        (x) =>
          ['tls_ca', 'tls_insecure', 'tls_sni', 'mtls'].every((n) => serves(x, n)) &&
          ['tls_none', 'tls_sni_wrong', 'mtls_nocert'].every((n) => failures(x, n, 'connection') >= 1),
        'verified TLS sources to succeed and unverifiable ones to fail with reason connection',
      );
      for (const n of ['tls_none', 'tls_sni_wrong', 'mtls_nocert']) {
        assert.equal(lastSuccess(s, n), 0, n);
        assert.equal(family(s, `m_${n}`).size, 0, `${n} serves nothing`);
        assert.ok((s.get(`label_value_exporter_source_requests_total{source="${n}",code="connection"}`) ?? 0) >= 1, n);
      }
      const clientCerts = [...new Set(mtls.requests.map((r) => r.clientCertCN))];
      assert.deepEqual(
        clientCerts,
        ['label-value-exporter'],
        'every request that reached the mTLS server presented the client certificate',
      );
      assert.ok(tls.requests.length >= 3);
      // The failures are the certificate checks, not something else.
      const logs = ex.proc.logs();
      assert.match(logs, /source=tls_none reason=connection err="[^\n]*(UNABLE_TO_VERIFY|unable to verify|self.signed)/i);
      assert.match(logs, /source=tls_sni_wrong reason=connection err="[^\n]*(ALTNAME|does not match|not in the cert)/i);
    });
  });

  test(
    'gzip/deflate/br answers are decoded; max_response_bytes fails the run with too_large and keeps the last good data',
    { timeout: TEST_TIMEOUT },
    async () => {
      const big = vectorBody([
        N1,
        N2,
        ...Array.from({ length: 40 }, (_, i) => ({ __name__: 'kube_node_info', cluster: 'b', node: `node-${i}`, minor: '30' })),
      ]);
      const bomb = gzipSync(
        vectorBody([
          N1,
          N2,
          ...Array.from({ length: 200 }, () => ({ __name__: 'kube_node_info', cluster: 'b', node: 'same', minor: '30' })),
        ]),
      );
      assert.ok(big.length > 1000);
      assert.ok(bomb.length < 1000, `compressed answer is ${bomb.length} bytes on the wire`);
      let limitMode: 'small' | 'big' | 'bomb' = 'small';
      const api = await fake((req, res) => {
        const json = { 'content-type': 'application/json' };
        switch (req.path) {
          case `/gzip${QUERY_PATH}`:
            return void res.writeHead(200, { ...json, 'content-encoding': 'gzip' }).end(gzipSync(vectorBody([N1, N2])));
          case `/deflate${QUERY_PATH}`:
            return void res.writeHead(200, { ...json, 'content-encoding': 'deflate' }).end(deflateSync(vectorBody([N1, N2])));
          case `/br${QUERY_PATH}`:
            return void res.writeHead(200, { ...json, 'content-encoding': 'br' }).end(brotliCompressSync(vectorBody([N1, N2])));
          case `/plain${QUERY_PATH}`:
            return void res.writeHead(200, json).end(vectorBody([N1, N2]));
          case `/limit${QUERY_PATH}`:
            if (limitMode === 'small') return void res.writeHead(200, json).end(vectorBody([N1, N2]));
            if (limitMode === 'big') return void res.writeHead(200, json).end(big);
            return void res.writeHead(200, { ...json, 'content-encoding': 'gzip' }).end(bomb);
          default:
            return void res.writeHead(404).end();
        }
      });
      const ex = await exporter([
        { name: 'gzip', source: { url: `${api.url}/gzip`, compression: 'gzip' } },
        { name: 'deflate', source: { url: `${api.url}/deflate`, compression: 'gzip' } },
        { name: 'br', source: { url: `${api.url}/br`, compression: 'gzip' } },
        { name: 'limit', source: { url: `${api.url}/limit`, max_response_bytes: 1000, compression: 'gzip' } },
        // compression: auto (the default) on a loopback address asks for no compression.
        { name: 'plain', source: { url: `${api.url}/plain` } },
      ]);
      await withLogs([ex.proc], async () => {
        await waitServing(ex, ['gzip', 'deflate', 'br', 'limit', 'plain'], N1_N2);
        for (const r of api.requests) {
          if (r.path.startsWith('/plain')) assert.equal(r.headers['accept-encoding'], 'identity', 'loopback: no compression asked for');
          else assert.match(String(r.headers['accept-encoding']), /\bgzip\b/, 'gzip is asked for');
        }

        for (const mode of ['big', 'bomb'] as const) {
          const before = failures(await ex.samples(), 'limit', 'too_large');
          limitMode = mode;
          const s = await ex.waitForSamples((x) => failures(x, 'limit', 'too_large') > before, `a too_large failure (${mode})`);
          assert.equal(lastSuccess(s, 'limit'), 0);
          assert.deepEqual(family(s, 'm_limit'), N1_N2('limit'), `${mode}: the last good data is kept`);
          assert.equal(s.get(`label_value_exporter_transformation_source_series{${T('limit')}}`), 2);
        }
        limitMode = 'small';
        await waitServing(ex, ['limit'], N1_N2);
      });
    },
  );

  test('secrets never appear in logs, /metrics or the status page, whatever the failure', { timeout: TEST_TIMEOUT }, async () => {
    const PASSWORD = 'pw-S3CRET-1';
    const TOKEN = 'tok-S3CRET-2';
    const HEADER = 'hdr-S3CRET-3';
    const URL_PASSWORD = 'url-S3CRET-4';
    const api = await fake((req, res) => {
      const echoed = `${req.headers.authorization ?? ''} ${String(req.headers['x-api-key'] ?? '')}`;
      if (req.path.startsWith('/echo-html/')) {
        return void res
          .writeHead(500, { 'content-type': 'text/html' })
          .end(`<html><body><h1>500</h1><p>rejected ${echoed}</p></body></html>`);
      }
      if (req.path.startsWith('/echo-json/')) {
        return void res
          .writeHead(401, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: 'error', errorType: 'unauthorized', error: `bad credentials: ${echoed}` }));
      }
      if (req.path.startsWith('/hang/')) return; // never answers: the run times out
      res.writeHead(404).end();
    });
    const closed = await freePort();
    const headers = { 'X-Api-Key': HEADER };
    const basicAuth = { username: 'lve', password: PASSWORD };
    const urlCreds = (port: number, p = ''): string => `http://lve:${URL_PASSWORD}@127.0.0.1:${port}${p}`;
    const cases: Array<Case & { reason: string }> = [
      { name: 'refused_basic', reason: 'connection', source: { url: `http://127.0.0.1:${closed}`, basic_auth: basicAuth, headers } },
      {
        name: 'refused_bearer',
        reason: 'connection',
        source: { url: `http://127.0.0.1:${closed}/select/0/prometheus`, bearer_token: TOKEN, headers },
      },
      { name: 'refused_url', reason: 'connection', source: { url: urlCreds(closed, '/prometheus'), headers } },
      { name: 'html_basic', reason: 'http_status', source: { url: `${api.url}/echo-html`, basic_auth: basicAuth, headers } },
      { name: 'html_bearer', reason: 'http_status', source: { url: `${api.url}/echo-html`, bearer_token: TOKEN, headers } },
      // A long (JWT-sized) token is cut by any preview of the echoing body: no prefix of it may show either.
      {
        name: 'html_long_bearer',
        reason: 'http_status',
        source: { url: `${api.url}/echo-html`, bearer_token: `${TOKEN}.${'J'.repeat(300)}`, headers },
      },
      { name: 'html_url', reason: 'http_status', source: { url: urlCreds(api.port, '/echo-html'), headers } },
      { name: 'json_bearer', reason: 'error_envelope', source: { url: `${api.url}/echo-json`, bearer_token: TOKEN, headers } },
      { name: 'json_url', reason: 'error_envelope', source: { url: urlCreds(api.port, '/echo-json'), headers } },
      { name: 'hang_basic', reason: 'timeout', source: { url: `${api.url}/hang`, basic_auth: basicAuth, headers, timeout: 1 } },
      { name: 'hang_url', reason: 'timeout', source: { url: urlCreds(api.port, '/hang'), headers, timeout: '1s' } },
    ];
    const ex = await exporter(cases);
    const forbidden = [
      PASSWORD,
      TOKEN,
      HEADER,
      URL_PASSWORD,
      'S3CRET',
      b64(`lve:${PASSWORD}`),
      b64(`lve:${URL_PASSWORD}`),
      b64(PASSWORD),
      b64(TOKEN),
      b64(HEADER),
      b64(URL_PASSWORD),
    ];
    await withLogs([ex.proc], async () => {
      await ex.waitForSamples((s) => cases.every((c) => failures(s, c.name, c.reason) >= 1), 'every source to fail with its reason');
      // The secrets did reach the server, so their absence below means something.
      const sent = new Set(api.requests.flatMap((r) => [r.headers.authorization, r.headers['x-api-key']]));
      for (const v of [basic('lve', PASSWORD), `Bearer ${TOKEN}`, basic('lve', URL_PASSWORD), HEADER])
        assert.ok(sent.has(v), `the fake received ${v}`);

      const metrics = await ex.metricsText();
      const page = await (await fetch(`${ex.url}/`)).text();
      assert.match(page, /html_basic/);
      await ex.stop();
      const logs = ex.proc.logs();
      assert.match(logs, /transformation run failed/);
      const leaks: string[] = [];
      for (const [where, text] of [
        ['logs', logs],
        ['/metrics', metrics],
        ['status page /', page],
      ] as const) {
        for (const secret of forbidden) {
          const at = text.indexOf(secret);
          if (at >= 0)
            leaks.push(`${where} contains ${JSON.stringify(secret)}: …${text.slice(Math.max(0, at - 120), at + secret.length + 20)}…`);
        }
      }
      assert.equal(leaks.length, 0, `secrets leaked:\n${leaks.join('\n')}`);
    });
  });
});
