/**
 * `--web.config.file` (the exporter-toolkit web configuration) against the
 * real built CLI: HTTPS with certificates made by openssl in the test, basic
 * auth with bcrypt hashes made here, mTLS, a TLS 1.3 minimum, custom headers,
 * a real Prometheus scraping us over HTTPS with basic auth, live reload of the
 * file (and a broken file keeping the running one), and a bad file at start-up.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { ManagedProcess } from '../support/process.js';
import { startPrometheus, type Prometheus } from '../support/prometheus.js';
import { startOnPort } from '../support/server-start.js';
import { makeTempDir } from '../support/temp.js';
import { makeTestPki, type TestPki } from '../support/tls.js';
import { waitFor } from '../support/wait.js';
import { CLI } from '../support/exporter.js';

const PASSWORD = 'pw-WEBCONFIG-S3CRET-1';
const NEW_PASSWORD = 'pw-WEBCONFIG-S3CRET-2';
const COST = 8;

const MAIN_CONFIG = `scrape_interval: 1
sources:
  - name: default
    type: file
    path: kube.prom
metric_transformations:
  - name: kubelet_minor_version
    source_metric: kube_node_info
    value_from_label: minor
    preserve_labels: [node]
`;
const PROM = 'kube_node_info{node="n1",minor="28"} 1\nkube_node_info{node="n2",minor="27"} 1\n';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface ClientOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  auth?: { user: string; password: string };
  method?: string;
}

function get(port: number, urlPath: string, opts: ClientOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (opts.auth) headers['authorization'] = `Basic ${Buffer.from(`${opts.auth.user}:${opts.auth.password}`).toString('base64')}`;
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path: urlPath,
        method: opts.method ?? 'GET',
        headers,
        agent: false,
        ...(opts.ca ? { ca: opts.ca } : {}),
        ...(opts.cert ? { cert: opts.cert } : {}),
        ...(opts.key ? { key: opts.key } : {}),
        timeout: 5000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

class WebExporter {
  constructor(
    readonly proc: ManagedProcess,
    readonly port: number,
    readonly webFile: string,
  ) {}
  stop(): Promise<number | null> {
    return this.proc.stop(10_000);
  }
}

async function writeMain(dir: string): Promise<string> {
  const configFile = path.join(dir, 'config.yml');
  await writeFile(configFile, MAIN_CONFIG);
  await writeFile(path.join(dir, 'kube.prom'), PROM);
  return configFile;
}

/** Starts the CLI with a web config; ready when /-/healthy answers 200 over HTTPS with `client`'s TLS settings. */
async function startWebExporter(webYaml: string, client: ClientOptions): Promise<WebExporter> {
  const dir = await makeTempDir('web-exporter');
  const configFile = await writeMain(dir);
  const webFile = path.join(dir, 'web.yml');
  await writeFile(webFile, webYaml);
  const { port, proc } = await startOnPort({
    launch: (p) =>
      ManagedProcess.start({
        name: 'label-value-exporter',
        command: process.execPath,
        args: [
          CLI,
          '--config.file',
          configFile,
          '--web.config.file',
          webFile,
          '--web.listen-address',
          `127.0.0.1:${p}`,
          '--log.level',
          'debug',
          '--config.reload-debounce',
          '100ms',
          '--config.reload-interval',
          '1s',
        ],
      }),
    ready: async (p, proc) => {
      await waitFor(async () => (await get(p, '/-/healthy', client)).status === 200, {
        timeoutMs: 15_000,
        what: 'HTTPS /-/healthy',
        process: proc,
      });
    },
  });
  return new WebExporter(proc, port, webFile);
}

describe('web configuration (--web.config.file)', () => {
  let pki: TestPki;
  let otherPki: TestPki;
  let ca: Buffer;
  let hash: string;

  before(async () => {
    pki = await makeTestPki(await makeTempDir('pki'));
    otherPki = await makeTestPki(await makeTempDir('pki-other'));
    ca = await readFile(pki.caCert);
    hash = await bcrypt.hash(PASSWORD, COST);
  });

  describe('HTTPS with basic auth', () => {
    let exp: WebExporter;
    let prom: Prometheus | undefined;
    const webYaml = (h: string): string => `tls_server_config:
  cert_file: ${pki.serverCert}
  key_file: ${pki.serverKey}
http_server_config:
  headers:
    X-Frame-Options: deny
    Strict-Transport-Security: max-age=31536000
basic_auth_users:
  alice: ${h}
`;

    before(async () => {
      exp = await startWebExporter(webYaml(hash), { ca });
    });
    after(async () => {
      await prom?.stop();
      await exp?.stop();
    });

    test('probes stay open: /-/healthy and /health answer without credentials', async () => {
      assert.equal((await get(exp.port, '/-/healthy', { ca })).status, 200);
      assert.equal((await get(exp.port, '/health', { ca })).status, 200);
    });

    test('the certificate verifies with the test CA only', async () => {
      await assert.rejects(get(exp.port, '/-/healthy'), /self[- ]signed|unable to verify|unable to get local issuer/i);
    });

    test('no password or a wrong one: 401 with a Basic challenge, on every protected path', async () => {
      for (const [p, method] of [
        ['/metrics', 'GET'],
        ['/', 'GET'],
        ['/-/ready', 'GET'],
        ['/-/reload', 'POST'],
        ['/reload', 'POST'],
        ['/nope', 'GET'],
      ] as const) {
        const none = await get(exp.port, p, { ca, method });
        assert.equal(none.status, 401, `${method} ${p} without credentials`);
        assert.equal(none.headers['www-authenticate'], 'Basic realm="label-value-exporter", charset="UTF-8"');
        assert.equal(
          (await get(exp.port, p, { ca, method, auth: { user: 'alice', password: 'wrong' } })).status,
          401,
          `${method} ${p} with a wrong password`,
        );
      }
      assert.equal((await get(exp.port, '/metrics', { ca, auth: { user: 'bob', password: PASSWORD } })).status, 401, 'unknown user');
    });

    test('the right password: 200, and the derived series are served', async () => {
      const auth = { user: 'alice', password: PASSWORD };
      const body = await waitFor(
        async () => {
          const r = await get(exp.port, '/metrics', { ca, auth });
          assert.equal(r.status, 200);
          return r.body.includes('kubelet_minor_version{node="n1"} 28') ? r.body : undefined;
        },
        { timeoutMs: 15_000, what: 'kubelet_minor_version over HTTPS', process: exp.proc },
      );
      assert.match(body, /kubelet_minor_version\{node="n2"\} 27/);
      assert.equal((await get(exp.port, '/', { ca, auth })).status, 200);
      assert.equal((await get(exp.port, '/-/ready', { ca, auth })).status, 200);
    });

    test('request headers over 16 KiB are refused with 431', async () => {
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpsRequest(
          { host: '127.0.0.1', port: exp.port, path: '/-/healthy', agent: false, ca, headers: { 'x-big': 'a'.repeat(20 * 1024) } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
      assert.equal(status, 431);
    });

    test('configured headers are on every answer (200, 401, 404)', async () => {
      const auth = { user: 'alice', password: PASSWORD };
      for (const r of [
        await get(exp.port, '/-/healthy', { ca }),
        await get(exp.port, '/metrics', { ca }),
        await get(exp.port, '/missing', { ca, auth }),
      ]) {
        assert.equal(r.headers['x-frame-options'], 'deny');
        assert.equal(r.headers['strict-transport-security'], 'max-age=31536000');
      }
    });

    test('a real Prometheus scrapes us over HTTPS with basic auth: up == 1', async () => {
      prom = await startPrometheus({
        scrapeConfigs: [
          {
            jobName: 'lve-https',
            targets: [`127.0.0.1:${exp.port}`],
            scheme: 'https',
            extra: { tls_config: { ca_file: pki.caCert }, basic_auth: { username: 'alice', password: PASSWORD } },
          },
        ],
      });
      await prom.waitForTargetsUp('lve-https');
      await prom.waitForQuery('up{job="lve-https"}', (r) => r.length === 1 && r[0]?.value[1] === '1');
      await prom.waitForQuery('kubelet_minor_version{job="lve-https",node="n1"}', (r) => r.length === 1 && r[0]?.value[1] === '28');
    });

    test('a new password hash in the file takes effect without a restart', async () => {
      await writeFile(exp.webFile, webYaml(await bcrypt.hash(NEW_PASSWORD, COST)));
      await waitFor(async () => (await get(exp.port, '/metrics', { ca, auth: { user: 'alice', password: NEW_PASSWORD } })).status === 200, {
        timeoutMs: 15_000,
        what: 'the new password to work',
        process: exp.proc,
      });
      assert.equal(
        (await get(exp.port, '/metrics', { ca, auth: { user: 'alice', password: PASSWORD } })).status,
        401,
        'the old password no longer works',
      );
      assert.match(exp.proc.logs(), /web configuration reloaded/);
    });

    test('a broken file on reload is rejected with file:line:column; the running one stays', async () => {
      const before = exp.proc.logs().length;
      await writeFile(exp.webFile, `${webYaml(await bcrypt.hash(PASSWORD, COST))}  bob: not-a-bcrypt-hash\n`);
      await waitFor(async () => /web configuration reload failed/.test(exp.proc.logs().slice(before)), {
        timeoutMs: 15_000,
        what: 'the reload failure in the log',
        process: exp.proc,
      });
      const logged = exp.proc.logs().slice(before);
      assert.ok(logged.includes(`${exp.webFile}:10:8: basic_auth_users.bob: not a bcrypt hash`), logged);
      assert.equal(
        (await get(exp.port, '/metrics', { ca, auth: { user: 'alice', password: NEW_PASSWORD } })).status,
        200,
        'the running password still works',
      );
      assert.equal(
        (await get(exp.port, '/metrics', { ca, auth: { user: 'alice', password: PASSWORD } })).status,
        401,
        'the broken file did not apply',
      );
      assert.ok(exp.proc.isRunning());
    });

    test('going back to the first hash (file watch and SIGHUP)', async () => {
      await writeFile(exp.webFile, webYaml(hash));
      exp.proc.signal('SIGHUP');
      await waitFor(async () => (await get(exp.port, '/metrics', { ca, auth: { user: 'alice', password: PASSWORD } })).status === 200, {
        timeoutMs: 15_000,
        what: 'the first password again',
        process: exp.proc,
      });
    });

    test('no password or hash ever appears in the logs', () => {
      const logs = exp.proc.logs();
      for (const secret of [PASSWORD, NEW_PASSWORD, hash, hash.slice(7)])
        assert.ok(!logs.includes(secret), `a secret leaked into the logs`);
    });
  });

  describe('mutual TLS with a TLS 1.3 minimum', () => {
    let exp: WebExporter;
    let client: { ca: Buffer; cert: Buffer; key: Buffer };

    before(async () => {
      client = { ca, cert: await readFile(pki.clientCert), key: await readFile(pki.clientKey) };
      exp = await startWebExporter(
        `tls_server_config:
  cert_file: ${pki.serverCert}
  key_file: ${pki.serverKey}
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ${pki.caCert}
  min_version: TLS13
  cipher_suites: [TLS_AES_128_GCM_SHA256]
`,
        client,
      );
    });
    after(async () => {
      await exp?.stop();
    });

    test('the right client certificate: 200', async () => {
      assert.equal((await get(exp.port, '/metrics', client)).status, 200);
    });

    test('no client certificate: handshake failure', async () => {
      await assert.rejects(get(exp.port, '/metrics', { ca }), /certificate required|handshake|ECONNRESET|socket hang up/i);
    });

    test('a client certificate from another CA: handshake failure', async () => {
      const other = { ca, cert: await readFile(otherPki.clientCert), key: await readFile(otherPki.clientKey) };
      await assert.rejects(get(exp.port, '/metrics', other), /unknown ca|bad certificate|decrypt|handshake|ECONNRESET|socket hang up/i);
    });

    test('min_version TLS13 rejects a TLS 1.2-only client', async () => {
      const socket = tlsConnect({ host: '127.0.0.1', port: exp.port, ...client, maxVersion: 'TLSv1.2' });
      const [err] = (await once(socket, 'error')) as [Error];
      assert.match(err.message, /protocol version|unsupported protocol|alert/i);
      socket.destroy();
      const ok = tlsConnect({ host: '127.0.0.1', port: exp.port, ...client });
      await once(ok, 'secureConnect');
      assert.equal(ok.getProtocol(), 'TLSv1.3');
      ok.destroy();
    });

    test('ignored settings are logged at debug level', () => {
      assert.match(exp.proc.logs(), /tls_server_config\.cipher_suites/);
    });
  });

  test('a bad web config at start-up: exit 1 with file:line:column', async () => {
    const dir = await makeTempDir('web-bad');
    const configFile = await writeMain(dir);
    const webFile = path.join(dir, 'web.yml');
    await writeFile(
      webFile,
      `tls_server_config:\n  cert_file: ${pki.serverCert}\n  key_file: ${pki.serverKey}\n  min_versoin: TLS13\nbasic_auth_users:\n  alice: "${PASSWORD}"\n`,
    );
    const child = spawn(
      process.execPath,
      [CLI, '--config.file', configFile, '--web.config.file', webFile, '--web.listen-address', '127.0.0.1:0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 1, out);
    assert.ok(out.includes(`${webFile}:4:3: tls_server_config.min_versoin: unknown field (did you mean "min_version"?)`), out);
    assert.ok(out.includes(`${webFile}:6:10: basic_auth_users.alice: not a bcrypt hash`), out);
    assert.ok(!out.includes(PASSWORD), 'the bad value is not echoed');
  });
});
