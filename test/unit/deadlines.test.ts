/**
 * Every wait ends: the HTTP client fails a compressed body that stalls or is
 * reset half-way (with the deadline named), a run ends at its deadline even
 * when its source ignores the abort, a failing run is asked again without
 * projection only when the source refused the projection, a big body lets the
 * event loop breathe, and a shutdown ends at its deadline.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { parseConfig } from '../../src/registry/load.js';
import type { HttpClientConfig, TransformationConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/logging/logger.js';
import { Deadline } from '../../src/model/deadline.js';
import { SourceError } from '../../src/model/errors.js';
import type { SeriesSink } from '../../src/model/series.js';
import { SelfMetrics } from '../../src/selfmetrics/self-metrics.js';
import { SnapshotStore } from '../../src/snapshot/store.js';
import { pumpBody, SLICE_MS } from '../../src/sources/body.js';
import { HttpClient, type BodyConsumer } from '../../src/sources/http-client.js';
import type { CollectOutcome, Source, SourceQuery } from '../../src/sources/source.js';
import { TransformationJob } from '../../src/scheduler/job.js';
import { Limiter } from '../../src/scheduler/limiter.js';
import { stopWithin } from '../../src/cli/shutdown.js';
import { FaultServer } from '../support/fault-server.js';
import { transformationConfig } from '../support/transformation.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function httpConfig(url: string, timeout: string): HttpClientConfig {
  const config = parseConfig(
    `sources:\n  - {name: s, type: scrape, url: "${url}", timeout: ${timeout}}\nmetric_transformations:\n  - {name: m, source: s, source_metric: x, value_from_label: v}\n`,
    'test.yml',
    {},
  );
  const s = config.sources.get('s');
  assert.ok(s && 'http' in s);
  return s.http;
}

class Collect implements BodyConsumer<number> {
  bytes = 0;
  write(chunk: Buffer): void {
    this.bytes += chunk.length;
  }
  finish(): number {
    return this.bytes;
  }
}

/** The request's failure and how long it took; `limitMs` bounds the test itself. */
async function fails(start: () => Promise<unknown>, limitMs = 5000): Promise<{ error: SourceError; ms: number }> {
  const started = performance.now();
  const p = start();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), limitMs)));
  const r = await Promise.race([
    p.then(
      () => 'ok' as const,
      (e: unknown) => e,
    ),
    limit,
  ]);
  clearTimeout(timer);
  assert.notEqual(r, 'hung', `still waiting after ${limitMs} ms`);
  assert.ok(r instanceof SourceError, `expected a SourceError, got ${String(r)}`);
  return { error: r, ms: performance.now() - started };
}

describe('HTTP client: compressed bodies that stall or break half-way', () => {
  let server: FaultServer;
  before(async () => {
    server = await FaultServer.start();
    server.broken = true;
  });
  after(() => server.close());

  for (const encoding of ['gzip', 'deflate', 'br'] as const) {
    test(`${encoding}, silent half-way: fails at the request timeout, naming it`, async () => {
      const client = new HttpClient(httpConfig(`${server.url}/${encoding}/stall/metrics`, '300ms'), 's', { request: () => undefined });
      const { error, ms } = await fails(() =>
        client.request(
          `${server.url}/${encoding}/stall/metrics`,
          { method: 'GET', accept: '*/*' },
          new AbortController().signal,
          new Collect(),
        ),
      );
      assert.equal(error.reason, 'timeout');
      assert.equal(error.message, 'request timeout (source s) of 300ms exceeded');
      assert.ok(ms >= 280 && ms < 2000, `failed after ${ms} ms`);
      await client.close();
    });

    test(`${encoding}, reset half-way: fails at once as a connection failure`, async () => {
      const client = new HttpClient(httpConfig(`${server.url}/${encoding}/reset/metrics`, '10s'), 's', { request: () => undefined });
      const { error, ms } = await fails(() =>
        client.request(
          `${server.url}/${encoding}/reset/metrics`,
          { method: 'GET', accept: '*/*' },
          new AbortController().signal,
          new Collect(),
        ),
      );
      assert.equal(error.reason, 'connection', error.message);
      assert.ok(ms < 2000, `failed after ${ms} ms`);
      await client.close();
    });
  }

  test('a request that failed after its 200 header is counted under its failure, not code="200"', async () => {
    const codes: string[] = [];
    for (const [path, timeout] of [
      ['gzip/stall', '300ms'],
      ['br/reset', '10s'],
    ] as const) {
      const client = new HttpClient(httpConfig(`${server.url}/${path}/metrics`, timeout), 's', { request: (_s, code) => codes.push(code) });
      await fails(() =>
        client.request(`${server.url}/${path}/metrics`, { method: 'GET', accept: '*/*' }, new AbortController().signal, new Collect()),
      );
      await client.close();
    }
    assert.deepEqual(codes, ['timeout', 'connection']);
  });

  test("the caller's deadline ends a stalled gzip body, with the caller's reason", async () => {
    const client = new HttpClient(httpConfig(`${server.url}/gzip/stall/metrics`, '10s'), 's', { request: () => undefined });
    const run = new Deadline('run deadline (timeout)', 0.2);
    const { error, ms } = await fails(() =>
      client.request(`${server.url}/gzip/stall/metrics`, { method: 'GET', accept: '*/*' }, run.signal, new Collect()),
    );
    assert.equal(error.reason, 'timeout');
    assert.equal(error.message, 'run deadline (timeout) of 200ms exceeded');
    assert.ok(ms < 2000, `failed after ${ms} ms`);
    const closing = performance.now();
    await client.close();
    assert.ok(performance.now() - closing < 3000, 'close does not wait for the abandoned request');
  });
});

describe('the body pump', () => {
  test('yields to the event loop between slices of synchronous work', async () => {
    // 60 chunks, all buffered: without yielding, for-await hands them over as microtasks only,
    // and nothing else (a health check, a scrape) runs until the whole body is through.
    const stream = Readable.from(Array.from({ length: 60 }, () => Buffer.alloc(1024)));
    let beats = 0;
    const beat = setInterval(() => beats++, 1);
    const busy = () => {
      const until = performance.now() + 2;
      while (performance.now() < until);
    };
    await pumpBody(stream, 1 << 20, new AbortController().signal, busy);
    clearInterval(beat);
    // 120 ms of work cut into slices of SLICE_MS: the timer gets a turn after (nearly) every slice.
    assert.ok(beats >= 120 / (SLICE_MS + 2) / 2, `the timer ran ${beats} times during 120 ms of work`);
  });

  test('an abort destroys the stream with the reason; too_large stops reading', async () => {
    const silent = new PassThrough();
    const c = new AbortController();
    setTimeout(() => c.abort(new Error('deadline')), 50);
    await assert.rejects(
      pumpBody(silent, 100, c.signal, () => undefined),
      /deadline/,
    );
    assert.ok(silent.destroyed);
    await assert.rejects(
      pumpBody(Readable.from([Buffer.alloc(80), Buffer.alloc(80)]), 100, new AbortController().signal, () => undefined),
      (e: unknown) => e instanceof SourceError && e.reason === 'too_large',
    );
  });
});

type Behaviour = { kind: 'ignore-abort'; lateValue: string } | { kind: 'fail'; error: SourceError } | { kind: 'answer' };

/** A source whose behaviour the test sets; records every query. */
class FakeSource implements Source {
  readonly name = 'default';
  readonly queries: SourceQuery[] = [];
  behaviour: Behaviour = { kind: 'answer' };
  constructor(readonly type: 'prometheus' | 'json' | 'scrape' = 'prometheus') {}

  async collect(q: SourceQuery, sink: SeriesSink): Promise<CollectOutcome> {
    this.queries.push(q);
    const b = this.behaviour;
    if (b.kind === 'fail') throw b.error;
    if (b.kind === 'ignore-abort') {
      await sleep(600);
      sink({ __name__: 'kube_node_info', cluster: 'a', node: 'n1', minor: b.lateValue }, 1);
      return { warnings: [] };
    }
    sink({ __name__: 'kube_node_info', cluster: 'a', node: 'n1', minor: '28' }, 1);
    return { warnings: [] };
  }

  async close(): Promise<void> {}
}

function jobWith(source: FakeSource, over: Partial<TransformationConfig> = {}, limiter = new Limiter(4)) {
  const logs = new PassThrough();
  let text = '';
  logs.on('data', (c: Buffer) => (text += c.toString('utf8')));
  const store = new SnapshotStore();
  const t = transformationConfig({ intervalSeconds: 3600, timeoutSeconds: 0.2, ...over });
  const job = new TransformationJob(t, [source], {
    store,
    metrics: new SelfMetrics(),
    logger: createLogger('debug', 'json', logs),
    limiter,
  });
  return { job, store, logs: () => text, served: () => store.get(t.name)?.series.map((s) => s.value) };
}

async function until(what: string, f: () => boolean, ms = 3000): Promise<void> {
  const end = performance.now() + ms;
  while (!f()) {
    assert.ok(performance.now() < end, `waited ${ms} ms for ${what}`);
    await sleep(10);
  }
}

describe('runs end at their deadline', () => {
  test('a source that ignores its signal: the run fails at the run deadline, named; its late answer never reaches the store', async () => {
    const source = new FakeSource();
    const { job, logs, served } = jobWith(source, { intervalSeconds: 0.5 });
    job.start();
    await until('first run', () => job.state.runs === 1);
    assert.deepEqual(served(), [28]);
    source.behaviour = { kind: 'ignore-abort', lateValue: '99' };
    await until('the next run', () => source.queries.length === 2);
    const started = performance.now();
    await until('the failed run', () => job.state.runs === 2);
    const ms = performance.now() - started;
    assert.ok(ms >= 150 && ms < 800, `ended after ${ms} ms`);
    assert.equal(job.state.lastError, 'run deadline (timeout) of 200ms exceeded');
    assert.match(logs(), /"reason":"timeout","err":"run deadline \(timeout\) of 200ms exceeded"/);
    await job.stop();
    await sleep(700); // the source's late answer arrives
    assert.deepEqual(served(), [28], 'the abandoned run did not overwrite the last good data');
  });

  test('stop() does not wait for a source that ignores its signal', async () => {
    const source = new FakeSource();
    source.behaviour = { kind: 'ignore-abort', lateValue: '1' };
    const { job } = jobWith(source, { timeoutSeconds: 60 });
    job.start();
    await until('the run in flight', () => source.queries.length === 1);
    const started = performance.now();
    await job.stop();
    assert.ok(performance.now() - started < 100, `stop took ${performance.now() - started} ms`);
  });

  test('a run waiting for a request slot fails at its deadline, saying so; the slot of an abandoned run is given back', async () => {
    const limiter = new Limiter(1);
    const hung = new FakeSource();
    hung.behaviour = { kind: 'ignore-abort', lateValue: '1' };
    const a = jobWith(hung, { name: 'a' }, limiter);
    const b = jobWith(new FakeSource(), { name: 'b' }, limiter);
    a.job.start();
    await until('a holds the slot', () => hung.queries.length === 1);
    b.job.start();
    await until('both runs ended', () => a.job.state.runs === 1 && b.job.state.runs >= 1);
    assert.equal(a.job.state.lastError, 'run deadline (timeout) of 200ms exceeded');
    // b either waited past its deadline for a's slot, or got it once a was abandoned.
    if (b.job.state.lastError !== undefined) assert.match(b.job.state.lastError, /waiting for a free source request slot/);
    const release = await limiter.acquire(new AbortController().signal);
    release();
    await Promise.all([a.job.stop(), b.job.stop()]);
  });
});

describe('asking again without projection', () => {
  const pushdown = { pushdown: true, pushdownAlways: true as const };
  const refused = new SourceError('error_envelope', 'HTTP 422: execution: duplicate output timeseries', { status: 422 });

  test('a query API that refuses the projection is asked again the plain way', async () => {
    const source = new FakeSource('prometheus');
    source.behaviour = { kind: 'fail', error: refused };
    const { job } = jobWith(source, pushdown);
    job.start();
    await until('a run', () => job.state.runs === 1);
    assert.deepEqual(
      source.queries.map((q) => [q.pushdown, q.keep]),
      [
        [true, false],
        [false, false],
      ],
    );
    await job.stop();
  });

  for (const [what, type, error] of [
    ['too_large', 'prometheus', new SourceError('too_large', 'response body exceeds max_response_bytes (10 bytes)')],
    ['a timeout', 'prometheus', new SourceError('timeout', 'request timeout (source s) of 1s exceeded')],
    ['a json source', 'json', new SourceError('http_status', 'HTTP 404', { status: 404 })],
    ['a scrape source', 'scrape', new SourceError('http_status', 'HTTP 400', { status: 400 })],
  ] as const) {
    test(`not after ${what}: one request per failed run`, async () => {
      const source = new FakeSource(type);
      source.behaviour = { kind: 'fail', error };
      const { job } = jobWith(source, pushdown);
      job.start();
      await until('a run', () => job.state.runs === 1);
      await sleep(50);
      assert.equal(source.queries.length, 1);
      if (type !== 'prometheus') assert.equal(source.queries[0]?.pushdown, false, 'no projection is sent where none can apply');
      await job.stop();
    });
  }
});

describe('shutdown', () => {
  test('a stop that never ends is cut at the shutdown deadline, logged', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString('utf8')));
    const started = performance.now();
    const clean = await stopWithin(() => new Promise(() => undefined), 0.2, createLogger('info', 'logfmt', out));
    assert.equal(clean, false);
    assert.ok(performance.now() - started < 1000);
    assert.match(text, /shutdown deadline of 200ms exceeded; exiting without waiting for the rest/);
    assert.equal(await stopWithin(async () => undefined, 5, createLogger('info', 'logfmt', out)), true);
  });
});
