/**
 * `preview` and `check --probe` print errors from failing sources; those must
 * never carry a secret, even when the source echoes the request's credentials.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { runCliAsync } from '../support/cli-fixture.js';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { makeTempDir } from '../support/temp.js';

const PASSWORD = 'pw-PREVIEW-S3CRET-5';
const TOKEN_HEADER = 'hdr-PREVIEW-S3CRET-6';

const run = runCliAsync;

test('preview and check --probe never print credentials, even echoed back by the source', async () => {
  let seen = '';
  const server = createServer((req, res) => {
    req.resume();
    seen = `${req.headers.authorization ?? ''} ${String(req.headers['x-api-key'] ?? '')}`;
    // An error page that echoes what it got, as some proxies do.
    if (req.url?.includes('html')) res.writeHead(500, { 'content-type': 'text/html' }).end(`<html>denied: ${seen}</html>`);
    else
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'error', errorType: 'auth', error: `bad credentials ${seen}` }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const dir = await makeTempDir('secrets');
  const file = path.join(dir, 'config.yml');
  await writeFile(
    file,
    `sources:
  - name: default
    type: prometheus
    url: http://127.0.0.1:${port}/json
    basic_auth: { username: lve, password: ${PASSWORD} }
    headers: { X-Api-Key: ${TOKEN_HEADER} }
  - name: html
    type: prometheus
    url: http://127.0.0.1:${port}/html
    basic_auth: { username: lve, password: ${PASSWORD} }
    headers: { X-Api-Key: ${TOKEN_HEADER} }
metric_transformations:
  - { name: a, source_metric: kube_node_info, value_from_label: minor }
  - { name: b, source: html, source_metric: kube_node_info, value_from_label: minor }
`,
  );
  try {
    const preview = await run(['preview', '--config.file', file]);
    const probe = await run(['check', '--probe', '--config.file', file]);
    assert.ok(seen.includes(TOKEN_HEADER), 'the source did receive the credentials');
    assert.equal(preview.code, 1);
    assert.equal(probe.code, 1);
    assert.match(preview.out, /FAILED/);
    assert.match(probe.out, /FAILED/);
    const base64 = Buffer.from(`lve:${PASSWORD}`).toString('base64');
    for (const secret of [PASSWORD, TOKEN_HEADER, base64]) {
      assert.ok(!preview.out.includes(secret), `preview printed a secret:\n${preview.out}`);
      assert.ok(!probe.out.includes(secret), `check --probe printed a secret:\n${probe.out}`);
    }
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
