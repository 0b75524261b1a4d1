/**
 * Secrets in URLs (a query string's `?api_key=…`, userinfo) are sent, but
 * never printed: not in logs, the status page, /metrics, `check`,
 * `check --probe` or `preview`, even when the server echoes the request's
 * URL back in its error. And a base URL's query string stays the query
 * string of every request (`/q?api_key=K` + `/api/v1/query` →
 * `/q/api/v1/query?api_key=K`), never glued into the path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { runCliAsync } from '../support/cli-fixture.js';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { withLogs } from '../support/logs.js';
import { freePort } from '../support/ports.js';
import { makeTempDir } from '../support/temp.js';
import { startExporterWithFile } from '../support/exporter.js';

const SECRET = 'SECRET123';

interface Seen {
  readonly url: string;
  readonly body: string;
}

const run = runCliAsync;

/** The request as a careless server would echo it: its values on their own, then the whole URL, raw and decoded. */
function echo(req: IncomingMessage): string {
  const url = `http://${req.headers.host}${req.url}`;
  return `bad key ${[...new URL(url).searchParams.values()].join(' ')}; cannot serve ${url} (decoded: ${decodeURIComponent(url)})`;
}

const VECTOR = JSON.stringify({
  status: 'success',
  data: { resultType: 'vector', result: [{ metric: { __name__: 'kube_node_info', node: 'n1', minor: '28' }, value: [1, '1'] }] },
});

function answer(req: IncomingMessage, body: string, res: ServerResponse): void {
  const p = new URL(req.url ?? '/', 'http://x').pathname;
  if (p === '/q/api/v1/query' && new URLSearchParams(body).get('query') !== null && req.url?.includes(`api_key=${SECRET}-ok`)) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(VECTOR);
  } else if (p.startsWith('/ejson') || p.startsWith('/jbad')) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(`not json: ${echo(req)}`);
  } else {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(echo(req));
  }
}

function config(port: number, closed: number): string {
  const base = `http://127.0.0.1:${port}`;
  const t = (name: string, extra: object = {}) => ({
    name,
    source: name,
    source_metric: 'kube_node_info',
    value_from_label: 'minor',
    interval: 1,
    ...extra,
  });
  return JSON.stringify({
    // The implicit `default` source too: at the fake, never at whatever listens on :8428.
    victoriametrics_url: `${base}/vm?api_key=${SECRET}-h`,
    sources: [
      { name: 'ok', type: 'prometheus', url: `${base}/q?api_key=${SECRET}-ok` },
      { name: 'e500', type: 'prometheus', url: `http://lve:${SECRET}-pw@127.0.0.1:${port}/e500?api_key=${SECRET}-a&t=${SECRET}%2Fb` },
      { name: 'ejson', type: 'prometheus', url: `${base}/ejson/?api_key=${SECRET}-c` },
      { name: 'refused', type: 'prometheus', url: `http://127.0.0.1:${closed}/x?api_key=${SECRET}-d` },
      { name: 's500', type: 'scrape', url: `${base}/s500?token=${SECRET}-e` },
      { name: 'jbad', type: 'json', url: `${base}/jbad?token=${SECRET}-f` },
    ],
    metric_transformations: [
      t('ok'),
      t('e500'),
      t('ejson'),
      t('refused'),
      t('s500'),
      t('jbad', { source_metric: 'jobs', value_from_label: 'color', json: { records: '$.jobs[*]', labels: { color: 'color' } } }),
    ],
    remote_write: [{ name: 'rw', url: `${base}/rw?api_key=${SECRET}-g`, queue_config: { min_backoff: '50ms', max_backoff: '200ms' } }],
  });
}

function leaks(where: string, text: string): string[] {
  const out: string[] = [];
  for (let at = text.indexOf(SECRET); at >= 0; at = text.indexOf(SECRET, at + 1)) {
    out.push(`${where}: …${text.slice(Math.max(0, at - 100), at + SECRET.length + 20)}…`);
  }
  return out;
}

test('secrets in source and remote-write URLs are sent but never printed, even echoed back', { timeout: 120_000 }, async () => {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', body });
      answer(req, body, res);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const dir = await makeTempDir('url-secrets');
  const file = path.join(dir, 'config.yml');
  await writeFile(file, config(port, await freePort()));
  const found: string[] = [];
  try {
    const check = await run(['check', '--config.file', file]);
    const probe = await run(['check', '--probe', '--config.file', file]);
    const preview = await run(['preview', '--config.file', file]);
    assert.equal(check.code, 0, check.out);
    assert.equal(probe.code, 1, probe.out);
    assert.match(probe.out, /source ok: ok/);
    assert.match(probe.out, /source e500: FAILED http_status/);
    assert.equal(preview.code, 1, preview.out);
    assert.match(preview.out, /^ok: ok in/m);
    assert.match(preview.out, /^ok\{node="n1"\} 28$/m);
    found.push(...leaks('check', check.out), ...leaks('check --probe', probe.out), ...leaks('preview', preview.out));

    const ex = await startExporterWithFile(file);
    await withLogs([ex.proc], async () => {
      await ex.waitForSamples(
        (s) => {
          const failed = (t: string) =>
            [...s].some(
              ([k, v]) =>
                k.startsWith('label_value_exporter_transformation_failures_total{') && k.includes(`transformation="${t}"`) && v >= 1,
            );
          return ['e500', 'ejson', 'refused', 's500', 'jbad'].every(failed) && seen.some((r) => r.url.startsWith('/rw'));
        },
        'every failing source to fail and a remote write to be tried',
        40_000,
      );
      // A reload that fails must not print the new URL's secrets either.
      await writeFile(file, config(port, 1).replace('"interval":1', '"interval":"bad"'));
      await fetch(`${ex.url}/-/reload`, { method: 'POST' });
      const metrics = await ex.metricsText();
      const page = await (await fetch(`${ex.url}/`)).text();
      assert.match(page, /e500/);
      await ex.stop();
      const logs = ex.proc.logs();
      assert.match(logs, /transformation run failed/);
      assert.match(logs, /remote write failed/);
      assert.match(logs, /configuration reload failed/);
      found.push(...leaks('exporter logs', logs), ...leaks('status page', page), ...leaks('/metrics', metrics));
    });
  } finally {
    server.closeAllConnections();
    server.close();
  }
  // The secrets did reach the server (so their absence above means something), and the
  // query API path was built below the base path with the base URL's query string kept.
  const queries = seen.filter((r) => r.url.startsWith('/q'));
  assert.ok(queries.length > 0, 'the ok source was asked');
  for (const r of queries) {
    assert.equal(r.url, `/q/api/v1/query?api_key=${SECRET}-ok`);
    assert.ok(new URLSearchParams(r.body).get('query'), `the form carries query=: ${r.body}`);
  }
  assert.ok(
    seen.some((r) => r.url === `/e500/api/v1/query?api_key=${SECRET}-a&t=${SECRET}%2Fb`),
    seen.map((r) => r.url).join('\n'),
  );
  assert.ok(seen.some((r) => r.url === `/rw?api_key=${SECRET}-g`));
  assert.deepEqual(found, [], `secrets leaked:\n${found.join('\n')}`);
});
