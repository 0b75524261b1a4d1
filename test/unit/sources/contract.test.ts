/**
 * The contract every source kind keeps, run for each kind in SOURCE_KINDS (in
 * the spirit of the OpenTelemetry Collector's component contract tests): valid
 * answers reach the sink, garbage becomes a SourceError with a stable reason,
 * an abort is honoured promptly, nothing reaches the sink after a failure, and
 * a closed source leaves no connection or file open. A kind missing from
 * CASES fails to compile and fails the first test.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SourceError, type SourceFailureReason } from '../../../src/model/errors.js';
import type { LabelSet } from '../../../src/model/series.js';
import { parseConfig } from '../../../src/registry/load.js';
import { SOURCE_KINDS, UNKNOWN_SOURCE_TYPE, type SourceType } from '../../../src/sources/kinds/index.js';
import { createSource } from '../../../src/sources/registry.js';
import type { Source, SourceQuery } from '../../../src/sources/source.js';

const NODES = ['n0', 'n1', 'n2'];
const GARBAGE = 'garbage{{{ "not" an answer\n';

/** What the contract server answers: the kind's valid answer, garbage, or half an answer and then silence. */
type Mode = 'valid' | 'garbage' | 'stall';

/** The valid answers, by the last segment of the request path. */
const ANSWERS: Record<string, { type: string; body: string }> = {
  query: {
    type: 'application/json',
    body: JSON.stringify({
      status: 'success',
      data: {
        resultType: 'vector',
        result: NODES.map((node, k) => ({ metric: { __name__: 'kube_node_info', node, minor: String(k) }, value: [1, '1'] })),
      },
    }),
  },
  json: { type: 'application/json', body: JSON.stringify({ items: NODES.map((node, k) => ({ node, minor: String(k) })) }) },
  metrics: { type: 'text/plain; version=0.0.4', body: exposition() },
};

function exposition(): string {
  return `# TYPE kube_node_info gauge\n${NODES.map((node, k) => `kube_node_info{node="${node}",minor="${k}"} 1`).join('\n')}\n`;
}

/** A 127.0.0.1 server that answers like a source and counts the connections still open. */
class ContractServer {
  mode: Mode = 'valid';
  private readonly sockets = new Set<Socket>();
  private readonly stalled = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.on('request', (req, res) => {
      req.resume();
      const kind = (req.url ?? '/').split('?')[0]?.split('/').at(-1) ?? '';
      const a = ANSWERS[kind] ?? { type: 'text/plain', body: 'not found' };
      if (this.mode === 'garbage') return void res.writeHead(200, { 'content-type': a.type }).end(GARBAGE);
      if (this.mode === 'valid') return void res.writeHead(200, { 'content-type': a.type }).end(a.body);
      this.stalled.add(res);
      res.writeHead(200, { 'content-type': a.type }).write(a.body.slice(0, a.body.length >> 1));
    });
  }

  static async start(): Promise<ContractServer> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new ContractServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    for (const res of this.stalled) res.destroy();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close').catch(() => undefined);
  }
}

interface Env {
  readonly server: ContractServer;
  /** A temp directory holding `valid.prom` and `garbage.prom`. */
  readonly dir: string;
}

interface ContractCase {
  /** The `sources:` entry (YAML flow mapping) of source `s`, reading the valid or the garbage answer. */
  source(env: Env, answer: 'valid' | 'garbage'): string;
  /** More keys of the transformation reading it (e.g. a `json:` mapping). */
  readonly transformation?: string;
  /** The reason garbage fails with. */
  readonly garbageReason: SourceFailureReason;
  /** The answer can be held open half-way (HTTP); false: a local file, read at once. */
  readonly stalls: boolean;
}

/** One case per kind: the compiler names a kind left out (and the first test does). */
const CASES: { readonly [K in SourceType]: ContractCase } = {
  prometheus: {
    source: (env) => `{name: s, type: prometheus, url: "${env.server.url}"}`,
    garbageReason: 'bad_response',
    stalls: true,
  },
  file: {
    source: (env, answer) => `{name: s, type: file, path: "${path.join(env.dir, `${answer}.prom`)}"}`,
    garbageReason: 'parse',
    stalls: false,
  },
  scrape: {
    source: (env) => `{name: s, type: scrape, url: "${env.server.url}/metrics"}`,
    garbageReason: 'parse',
    stalls: true,
  },
  json: {
    source: (env) => `{name: s, type: json, url: "${env.server.url}/json"}`,
    transformation: ', json: {records: "$.items[*]", labels: {node: node, minor: minor}}',
    garbageReason: 'bad_response',
    stalls: true,
  },
};

let env: Env;

before(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lve-contract-'));
  await writeFile(path.join(dir, 'valid.prom'), exposition());
  await writeFile(path.join(dir, 'garbage.prom'), GARBAGE);
  env = { server: await ContractServer.start(), dir };
});

after(async () => {
  await env.server.close();
  await rm(env.dir, { recursive: true, force: true });
});

/** The source and the query a run of its transformation sends (as scheduler/run.ts builds it, without projection). */
function build(type: SourceType, answer: 'valid' | 'garbage'): { source: Source; query: SourceQuery } {
  const c = CASES[type];
  const text = `sources:\n  - ${c.source(env, answer)}\nmetric_transformations:\n  - {name: m, source: s, source_metric: kube_node_info, value_from_label: minor${c.transformation ?? ''}}\n`;
  const config = parseConfig(text, path.join(env.dir, 'config.yml'), {});
  const t = config.transformations[0] ?? assert.fail('no transformation');
  const cfg = config.sources.get('s') ?? assert.fail('no source s');
  assert.equal(cfg.type, type);
  const query = { metric: t.sourceMetric, filter: t.queryFilter, labels: null, json: t.json, expr: t.query, pushdown: false, keep: false };
  return { source: createSource(cfg, { request: () => undefined }), query };
}

/** Collects into a list; the failure, if any, with how many series had arrived by then. */
async function collect(source: Source, query: SourceQuery, signal: AbortSignal) {
  const got: LabelSet[] = [];
  try {
    await source.collect(query, (labels) => void got.push(labels), signal);
    return { got, error: undefined, atFailure: got.length };
  } catch (e) {
    return { got, error: e, atFailure: got.length };
  }
}

function fdCount(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

async function until(what: string, f: () => boolean, ms = 2000): Promise<void> {
  const end = performance.now() + ms;
  while (!f()) {
    assert.ok(performance.now() < end, `waited ${ms} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** After close(): no connection left open at the server, no file descriptor left open here. */
async function freed(fdsBefore: number | undefined): Promise<void> {
  await until('the server to see every connection closed', () => env.server.openConnections === 0);
  if (fdsBefore !== undefined) await until('file descriptors to be closed', () => (fdCount() ?? 0) <= fdsBefore);
}

/** Nothing reaches the sink once collect has failed. */
async function nothingAfter(r: { got: readonly LabelSet[]; atFailure: number }): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(r.got.length, r.atFailure, 'series reached the sink after the failure');
}

test('every kind in SOURCE_KINDS has a contract case, and no case is for a kind that does not exist', () => {
  assert.deepEqual(Object.keys(CASES).sort(), SOURCE_KINDS.map((k) => k.type).sort());
});

test('the message for an unknown type: names every kind, each once', () => {
  const named = [...UNKNOWN_SOURCE_TYPE.matchAll(/"(?:type: )?([a-z_]+)"/g)].map((m) => m[1]);
  assert.deepEqual(named.sort(), SOURCE_KINDS.map((k) => k.type).sort());
});

for (const kind of SOURCE_KINDS) {
  const type = kind.type;
  const c = CASES[type];
  describe(`source kind ${type}`, () => {
    test('valid answers reach the sink; close() frees every resource', async () => {
      env.server.mode = 'valid';
      const fds = fdCount();
      const { source, query } = build(type, 'valid');
      const r = await collect(source, query, new AbortController().signal);
      await source.close();
      assert.equal(r.error, undefined, `no error: ${String(r.error)}`);
      assert.deepEqual(
        r.got.map((l) => [l['node'], l['minor']]).sort(),
        NODES.map((n, k) => [n, String(k)]),
      );
      await freed(fds);
    });

    test(`garbage becomes a SourceError (${c.garbageReason}); nothing reaches the sink after it`, async () => {
      env.server.mode = 'garbage';
      const fds = fdCount();
      const { source, query } = build(type, 'garbage');
      const r = await collect(source, query, new AbortController().signal);
      await nothingAfter(r);
      await source.close();
      assert.ok(r.error instanceof SourceError, `a SourceError, not ${String(r.error)}`);
      assert.equal(r.error.reason, c.garbageReason, r.error.message);
      await freed(fds);
    });

    test('an abort before the read is honoured at once', async () => {
      env.server.mode = 'valid';
      const fds = fdCount();
      const { source, query } = build(type, 'valid');
      const started = performance.now();
      const r = await collect(source, query, AbortSignal.abort(new Error('stop')));
      assert.ok(performance.now() - started < 1500, 'rejected promptly');
      assert.ok(r.error instanceof SourceError, `a SourceError, not ${String(r.error)}`);
      await nothingAfter(r);
      await source.close();
      await freed(fds);
    });

    // Only kinds that read over the network can be held half-way (a local file cannot): the case is not
    // registered for the others rather than reported as skipped.
    if (c.stalls)
      test('an abort half-way through an answer is honoured promptly', async () => {
        env.server.mode = 'stall';
        const fds = fdCount();
        const { source, query } = build(type, 'valid');
        const controller = new AbortController();
        let abortedAt = Infinity;
        setTimeout(() => {
          abortedAt = performance.now();
          controller.abort(new Error('stop'));
        }, 200);
        const r = await collect(source, query, controller.signal);
        const rejectedAt = performance.now();
        assert.ok(r.error instanceof SourceError, `a SourceError, not ${String(r.error)}`);
        assert.ok(rejectedAt - abortedAt < 1500, `rejected ${Math.round(rejectedAt - abortedAt)} ms after the abort`);
        await nothingAfter(r);
        await source.close();
        await freed(fds);
      });
  });
}
