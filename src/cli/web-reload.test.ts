import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import bcrypt from 'bcryptjs';
import { loadWebConfig } from '../config/web-config.js';
import { FileReloader } from '../config/watcher.js';
import type { WebGate, WebSettings } from '../http/web.js';
import { createLogger } from '../logging/logger.js';
import { WebConfigReload } from './web-reload.js';

test('a web config that lost its users is refused (once per content on watch events); `basic_auth_users: {}` turns auth off', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lve-webreload-'));
  const file = path.join(dir, 'web.yml');
  await writeFile(file, `basic_auth_users:\n  alice: ${bcrypt.hashSync('pw', 4)}\n`);
  const lines: Array<{ level: string; msg: string }> = [];
  const out = new PassThrough();
  out.on('data', (chunk: Buffer) => {
    for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as { level: string; msg: string });
  });
  const applied: WebSettings[] = [];
  const gate = { update: (s: WebSettings) => applied.push(s) } as unknown as WebGate;
  const loaded: boolean[] = [];
  const web = new WebConfigReload({
    initial: await loadWebConfig(file),
    gate,
    logger: createLogger('info', 'json', out),
    server: () => undefined,
    loaded: (ok) => loaded.push(ok),
  });
  const reloader = new FileReloader(web);

  await writeFile(file, 'http_server_config:\n  headers:\n    X-A: b\n');
  const refused = await reloader.reload('file', false);
  assert.equal(refused.ok, false);
  assert.match(refused.message, /web\.yml: basic_auth_users is missing while 1 user\(s\) are configured/);
  await reloader.reload('file', false);
  assert.deepEqual(loaded, [false], 'the same broken content is counted once');
  assert.equal(web.current.users.size, 1);

  await writeFile(file, 'basic_auth_users: {}\n');
  assert.deepEqual(await reloader.reload('SIGHUP', true), { ok: true, message: 'web configuration reloaded' });
  assert.deepEqual(await reloader.reload('SIGHUP', true), { ok: true, message: 'web configuration unchanged' });
  assert.deepEqual(loaded, [false, true, true]);
  assert.equal(applied.length, 1);
  assert.equal(applied[0]?.users.size, 0);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(
    lines.map((l) => `${l.level} ${l.msg}`),
    [
      'error web configuration reload failed; keeping the running web configuration',
      'warn basic authentication turned OFF by the web configuration (basic_auth_users: {}): every path is open',
      'info web configuration reloaded',
    ],
  );
});
