/**
 * `--web.config.file` mistakes that must not change what the server does
 * silently, against the real built CLI: an empty or cut-short file on reload
 * keeps the running configuration (authentication stays on); turning
 * authentication off takes `basic_auth_users: {}` and is logged as a warning;
 * an expired server certificate is warned about at start and at reload.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { makeExpiredCert } from '../support/expired-cert.js';
import { withLogs } from '../support/logs.js';
import { makeTempDir } from '../support/temp.js';
import { waitFor } from '../support/wait.js';
import { ManagedProcess } from '../support/process.js';
import { CLI, startExporterWithFile, type Exporter } from '../support/exporter.js';

const CONFIG = `sources:
  - {name: f, type: file, path: kube.prom}
metric_transformations:
  - {name: kubelet_minor_version, source: f, source_metric: kube_node_info, value_from_label: minor, preserve_labels: [node]}
`;
const FAST_RELOAD = ['--config.reload-debounce=100ms', '--config.reload-interval=1s'];

async function setup(web: string): Promise<{ dir: string; configFile: string; webFile: string }> {
  const dir = await makeTempDir('web-safety');
  const configFile = path.join(dir, 'config.yml');
  const webFile = path.join(dir, 'web.yml');
  await writeFile(configFile, CONFIG);
  await writeFile(path.join(dir, 'kube.prom'), 'kube_node_info{node="n1",minor="28"} 1\n');
  await writeFile(webFile, web);
  return { dir, configFile, webFile };
}

describe('a web config that would drop authentication', () => {
  let exp: Exporter;
  let webFile: string;
  let good: string;
  const PASSWORD = 'pw-SAFETY-S3CRET';

  before(async () => {
    good = `http_server_config:\n  headers:\n    X-Test: one\nbasic_auth_users:\n  alice: ${await bcrypt.hash(PASSWORD, 4)}\n`;
    const s = await setup(good);
    webFile = s.webFile;
    exp = await startExporterWithFile(s.configFile, ['--web.config.file', webFile, ...FAST_RELOAD]);
  });
  after(async () => {
    await exp?.stop();
  });

  const status = async (): Promise<number> => (await fetch(`${exp.url}/metrics`)).status;

  for (const [what, text] of [
    ['an empty file', ''],
    ['a file cut short after `basic_auth_users:`', 'http_server_config:\n  headers:\n    X-Test: one\nbasic_auth_users:\n'],
    ['a file cut short before `basic_auth_users`', 'http_server_config:\n  headers:\n    X-Test: two\n'],
  ] as const) {
    test(`${what} on reload is refused, logged, and authentication stays on`, async () => {
      await withLogs([exp.proc], async () => {
        assert.equal(await status(), 401);
        const before = exp.proc.logs().length;
        await writeFile(webFile, text);
        const res = await fetch(`${exp.url}/-/reload`, {
          method: 'POST',
          headers: { authorization: `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}` },
        });
        await res.arrayBuffer();
        await waitFor(async () => /web configuration reload failed/.test(exp.proc.logs().slice(before)), {
          timeoutMs: 15_000,
          what: 'the reload failure in the log',
          process: exp.proc,
        });
        assert.equal(await status(), 401, '/metrics still needs credentials');
        assert.equal((await fetch(`${exp.url}/-/healthy`)).headers.get('x-test'), 'one', 'the running web configuration stayed');
        await writeFile(webFile, good);
      });
    });
  }

  test('`basic_auth_users: {}` turns authentication off on purpose, with a warning', async () => {
    await withLogs([exp.proc], async () => {
      await writeFile(webFile, 'basic_auth_users: {}\n');
      await waitFor(async () => (await status()) === 200, { timeoutMs: 15_000, what: '/metrics open', process: exp.proc });
      assert.match(exp.proc.logs(), /basic authentication turned OFF/);
    });
  });
});

describe('an expired server certificate', () => {
  test('is warned about at start and at reload, naming the file and the expiry', async () => {
    const base = await makeTempDir('web-expired');
    const cert = await makeExpiredCert(base);
    const web = (header: string) =>
      `tls_server_config:\n  cert_file: ${cert.cert}\n  key_file: ${cert.key}\nhttp_server_config:\n  headers:\n    X-Test: ${header}\n`;
    const s = await setup(web('one'));
    // Ready check over HTTPS fails on the certificate; the exporter must start regardless: wait for its log line.
    const proc = await ManagedProcess.start({
      name: 'label-value-exporter',
      command: process.execPath,
      args: [
        CLI,
        '--config.file',
        s.configFile,
        '--web.config.file',
        s.webFile,
        '--web.listen-address',
        '127.0.0.1:0',
        '--log.level',
        'info',
        ...FAST_RELOAD,
      ],
    });
    try {
      await withLogs([proc], async () => {
        const warning = /TLS server certificate has expired \(not after 2020-02-01T00:00:00\.000Z\)/g;
        await waitFor(async () => (proc.logs().match(warning)?.length ?? 0) >= 1, {
          timeoutMs: 15_000,
          what: 'the warning at start',
          process: proc,
        });
        assert.ok(proc.logs().includes(cert.cert), 'the certificate file is named');
        await writeFile(s.webFile, web('two'));
        await waitFor(async () => (proc.logs().match(warning)?.length ?? 0) >= 2, {
          timeoutMs: 15_000,
          what: 'the warning at reload',
          process: proc,
        });
      });
    } finally {
      await proc.stop(10_000);
    }
  });
});
