import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parseConfig } from '../registry/load.js';
import type { TransformationConfig } from '../config/types.js';
import { createLogger } from '../logging/logger.js';
import { SourceError } from '../model/errors.js';
import type { SeriesSink } from '../model/series.js';
import { SelfMetrics } from '../selfmetrics/self-metrics.js';
import { SnapshotStore } from '../snapshot/store.js';
import type { CollectOutcome, Source, SourceQuery } from '../sources/source.js';
import { Limiter } from './limiter.js';
import { OnScrapeJob } from './on-scrape.js';
import { Scheduler } from './scheduler.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Behaviour = 'answer' | 'fail' | 'hang-honouring-abort' | 'hang-ignoring-abort';

/** A source whose answers the test controls; counts every query. */
class FakeSource implements Source {
  readonly name = 'default';
  readonly type = 'prometheus' as const;
  queries = 0;
  value = '28';
  delayMs = 0;
  behaviour: Behaviour = 'answer';

  async collect(_q: SourceQuery, sink: SeriesSink, signal: AbortSignal): Promise<CollectOutcome> {
    this.queries++;
    if (this.behaviour === 'hang-ignoring-abort') {
      await sleep(2_000);
      throw new SourceError('connection', 'too late');
    }
    if (this.behaviour === 'hang-honouring-abort') {
      await new Promise<void>((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(new SourceError('timeout', 'aborted')), { once: true }),
      );
    }
    if (this.delayMs > 0) await sleep(this.delayMs);
    if (this.behaviour === 'fail') throw new SourceError('http_status', 'HTTP 503', { status: 503 });
    sink({ __name__: 'kube_node_info', node: 'n1', minor: this.value }, 1);
    return { warnings: [] };
  }

  async close(): Promise<void> {}
}

function transformation(extra: string): TransformationConfig {
  const config = parseConfig(
    `metric_transformations:\n  - name: minor\n    source_metric: kube_node_info\n    value_from_label: minor\n    preserve_labels: [node]\n    mode: on_scrape\n${extra}`,
    'test.yml',
    {},
  );
  const t = config.transformations[0];
  assert.ok(t);
  return t;
}

function setup(extra: string) {
  const logs = new PassThrough();
  let logText = '';
  logs.on('data', (c: Buffer) => (logText += c.toString('utf8')));
  const store = new SnapshotStore();
  const metrics = new SelfMetrics();
  const source = new FakeSource();
  const job = new OnScrapeJob(transformation(extra), [source], {
    store,
    metrics,
    logger: createLogger('debug', 'json', logs),
    limiter: new Limiter(4),
  });
  const served = () => store.get('minor')?.series.map((s) => s.value);
  const metric = async (line: string) => {
    const text = await metrics.render('text');
    const m = new RegExp(`^${line.replace(/[{}"+]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text);
    return m?.[1] === undefined ? undefined : Number(m[1]);
  };
  return { store, metrics, source, job, served, metric, logs: () => logText };
}

/** Waits for the run at start (every OnScrapeJob makes one). */
async function started(job: OnScrapeJob): Promise<void> {
  job.start();
  for (let i = 0; i < 200 && job.state.runs === 0; i++) await sleep(5);
  assert.equal(job.state.runs, 1, 'the run at start finished');
}

const never = new AbortController().signal;

describe('OnScrapeJob', () => {
  test('10 concurrent scrapes share one query (single flight)', async () => {
    const { job, source, served, metric } = setup('    cache: 0\n');
    await started(job);
    assert.equal(source.queries, 1);
    source.value = '29';
    source.delayMs = 100;
    await Promise.all(Array.from({ length: 10 }, () => job.refresh(never)));
    assert.equal(source.queries, 2, 'one query for ten scrapes');
    assert.deepEqual(served(), [29]);
    assert.equal(await metric('label_value_exporter_transformation_scrape_refreshes_total{transformation="minor",outcome="ran"}'), 1);
    assert.equal(await metric('label_value_exporter_transformation_scrape_refreshes_total{transformation="minor",outcome="joined"}'), 9);
    assert.equal(await metric('label_value_exporter_transformation_runs_total{transformation="minor",result="success"}'), 2);
    assert.equal(await metric('label_value_exporter_transformation_on_scrape_cache_seconds{transformation="minor"}'), 0);
    assert.equal(
      await metric('label_value_exporter_transformation_interval_seconds{transformation="minor"}'),
      undefined,
      'no interval: no timer',
    );
    await job.stop();
  });

  test('a result younger than cache is served without a query; older one triggers a query', async () => {
    const { job, source, served, metric } = setup('    cache: 300ms\n');
    await started(job);
    source.value = '30';
    await job.refresh(never);
    await job.refresh(never);
    assert.equal(source.queries, 1, 'within the cache: no query');
    assert.deepEqual(served(), [28]);
    assert.equal(await metric('label_value_exporter_transformation_scrape_refreshes_total{transformation="minor",outcome="cached"}'), 2);
    await sleep(320);
    await job.refresh(never);
    assert.equal(source.queries, 2, 'after the cache: one query');
    assert.deepEqual(served(), [30]);
    await job.refresh(never);
    assert.equal(source.queries, 2, 'the new result is cached again');
    await job.stop();
  });

  test('no timer: without scrapes nothing is queried after the run at start', async () => {
    const { job, source } = setup('    cache: 0\n');
    await started(job);
    await sleep(300);
    assert.equal(source.queries, 1);
    await job.stop();
  });

  test('a failure keeps the last good data, is counted, logged once per cause, and cached too', async () => {
    // A cache long enough that a busy machine cannot outlive it between two calls, yet short to wait out.
    const { job, source, served, metric, logs } = setup('    cache: 400ms\n');
    await started(job);
    source.behaviour = 'fail';
    for (let i = 0; i < 3; i++) {
      await sleep(450);
      await job.refresh(never);
    }
    assert.equal(source.queries, 4, 'no retries: one query per scrape past the cache');
    assert.deepEqual(served(), [28]);
    assert.equal(await metric('label_value_exporter_transformation_failures_total{transformation="minor",reason="http_status"}'), 3);
    assert.equal(await metric('label_value_exporter_transformation_retries_total{transformation="minor"}'), 0);
    assert.equal(await metric('label_value_exporter_transformation_last_run_success{transformation="minor"}'), 0);
    assert.equal(logs().match(/transformation run failed/g)?.length, 1, logs());
    await job.refresh(never);
    assert.equal(source.queries, 4, 'a failure is cached like a success');
    source.behaviour = 'answer';
    await sleep(450);
    await job.refresh(never);
    assert.match(logs(), /transformation recovered/);
    await job.stop();
  });

  test('staleness still applies: past max_staleness the last good data is dropped', async () => {
    const { job, source, served, metric } = setup('    cache: 0\n    max_staleness: 200ms\n');
    await started(job);
    source.behaviour = 'fail';
    await job.refresh(never);
    assert.deepEqual(served(), [28]);
    await sleep(250);
    await job.refresh(never);
    assert.equal(served(), undefined);
    assert.equal(await metric('label_value_exporter_transformation_stale{transformation="minor"}'), 1);
    await job.stop();
  });

  test('a slow source does not hold the scrape past timeout (source honours the abort)', async () => {
    const { job, source, served, metric } = setup('    cache: 0\n    timeout: 200ms\n');
    await started(job);
    source.behaviour = 'hang-honouring-abort';
    const t0 = performance.now();
    await job.refresh(never);
    const waited = performance.now() - t0;
    assert.ok(waited >= 190 && waited < 600, `waited ${waited} ms`);
    assert.deepEqual(served(), [28]);
    assert.equal(await metric('label_value_exporter_transformation_failures_total{transformation="minor",reason="timeout"}'), 1);
    await job.stop();
  });

  test('a source that ignores the abort is abandoned at the timeout: the scrape gets the last good data, the next one a new run', async () => {
    const { job, source, served, metric, logs } = setup('    cache: 0\n    timeout: 200ms\n');
    await started(job);
    source.behaviour = 'hang-ignoring-abort';
    const t0 = performance.now();
    await Promise.all([job.refresh(never), job.refresh(never)]);
    const waited = performance.now() - t0;
    assert.ok(waited >= 190 && waited < 600, `waited ${waited} ms`);
    assert.deepEqual(served(), [28]);
    assert.equal(source.queries, 2, 'one run in flight for both scrapes');
    assert.equal(await metric('label_value_exporter_transformation_failures_total{transformation="minor",reason="timeout"}'), 1);
    // The stuck call no longer holds the job: the next scrape starts a run of its own.
    const t1 = performance.now();
    await job.refresh(never);
    assert.ok(performance.now() - t1 < 600);
    assert.equal(source.queries, 3);
    assert.equal(logs().match(/outlived its timeout/g), null);
    assert.match(logs(), /run deadline \(timeout\) of 200ms exceeded/);
    await job.stop();
  });

  test('a scrape that goes away stops waiting; the shared run goes on', async () => {
    const { job, source, served } = setup('    cache: 0\n    timeout: 2s\n');
    await started(job);
    source.value = '31';
    source.delayMs = 200;
    const gone = new AbortController();
    const t0 = performance.now();
    const waiting = job.refresh(gone.signal);
    const other = job.refresh(never);
    gone.abort();
    await waiting;
    assert.ok(performance.now() - t0 < 100);
    await other;
    assert.deepEqual(served(), [31]);
    await job.stop();
  });
});

describe('Scheduler with on_scrape transformations', () => {
  async function fileConfig(dir: string, mode: string) {
    const file = path.join(dir, 'data.prom');
    return parseConfig(
      `sources:\n  - {name: f, type: file, path: ${JSON.stringify(file)}}\nscrape_interval: 1h\nmetric_transformations:\n  - {name: minor, source: f, source_metric: kube_node_info, value_from_label: minor, preserve_labels: [node]${mode}}\n`,
      path.join(dir, 'config.yml'),
      {},
    );
  }

  test('refresh() queries on_scrape jobs only; a reload switches modes by replacing the job', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lve-onscrape-'));
    const data = path.join(dir, 'data.prom');
    await writeFile(data, 'kube_node_info{node="n1",minor="28"} 1\n');
    const store = new SnapshotStore();
    const metrics = new SelfMetrics();
    const requests: string[] = [];
    const scheduler = new Scheduler(
      { store, metrics, logger: createLogger('error', 'json', new PassThrough()) },
      { request: (s) => requests.push(s) },
    );
    const value = () => store.get('minor')?.series[0]?.value;
    const waitRuns = async (n: number) => {
      for (let i = 0; i < 400 && (scheduler.statuses()[0]?.runs ?? 0) < n; i++) await sleep(5);
    };
    const text = () => metrics.render('text');

    scheduler.start(await fileConfig(dir, ''));
    await waitRuns(1);
    assert.equal(value(), 28);
    await writeFile(data, 'kube_node_info{node="n1",minor="29"} 1\n');
    await scheduler.refresh(new AbortController().signal);
    assert.equal(value(), 28, 'interval mode: a scrape queries nothing');
    assert.equal(scheduler.statuses()[0]?.onScrapeCacheSeconds, undefined);

    const summary = await scheduler.apply(await fileConfig(dir, ', mode: on_scrape, cache: 0'));
    assert.deepEqual(summary.changed, ['minor']);
    await waitRuns(1);
    await scheduler.refresh(new AbortController().signal);
    assert.equal(value(), 29);
    assert.equal(scheduler.statuses()[0]?.onScrapeCacheSeconds, 0);
    assert.match(await text(), /^label_value_exporter_transformation_on_scrape_cache_seconds\{transformation="minor"\} 0$/m);
    assert.doesNotMatch(await text(), /^label_value_exporter_transformation_interval_seconds\{transformation="minor"\}/m);

    await scheduler.apply(await fileConfig(dir, ''));
    await waitRuns(1);
    await writeFile(data, 'kube_node_info{node="n1",minor="30"} 1\n');
    await scheduler.refresh(new AbortController().signal);
    assert.equal(value(), 29, 'back in interval mode: scrapes query nothing again');
    assert.match(await text(), /^label_value_exporter_transformation_interval_seconds\{transformation="minor"\} 3600$/m);
    assert.doesNotMatch(await text(), /on_scrape_cache_seconds\{transformation="minor"\}|scrape_refreshes_total\{transformation="minor"/);
    await scheduler.stop();
  });
});

describe('on_scrape config', () => {
  const load = (extra: string, top = '') =>
    parseConfig(`${top}metric_transformations:\n  - {name: m, source_metric: x, value_from_label: v${extra}}\n`, 'test.yml', {})
      .transformations[0];

  test('defaults: interval mode; on_scrape caches 5 s with a 5 s timeout (less when the source timeout is lower)', () => {
    assert.equal(load('')?.onScrape, undefined);
    const t = load(', mode: on_scrape');
    assert.deepEqual(t?.onScrape, { cacheSeconds: 5 });
    assert.equal(t?.timeoutSeconds, 5);
    assert.equal(load(', mode: on_scrape', 'query_timeout: 2\n')?.timeoutSeconds, 2);
    assert.equal(load(', mode: on_scrape, timeout: 8s, cache: 0')?.timeoutSeconds, 8);
    assert.deepEqual(load(', mode: on_scrape, cache: 0')?.onScrape, { cacheSeconds: 0 });
    assert.deepEqual(load(', mode: interval')?.onScrape, undefined);
  });
});
