/**
 * Remote write that keeps up and never stalls silently (issue #12, items 1 and
 * 12), against in-process receivers: one that answers 200 + gzip and then
 * stalls mid-body, one that is slow, one that is down for a while. Each
 * request has a deadline; queued batches are merged into requests of up to
 * max_samples_per_send; up to max_shards requests are in flight, series kept
 * in order by sharding them by hash.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { parseConfig } from '../../../src/registry/load.js';
import type { RemoteWriteConfig } from '../../../src/config/types.js';
import { createLogger } from '../../../src/logging/logger.js';
import { RemoteEndpoint } from '../../../src/output/remote-write/endpoint.js';
import type { Batch } from '../../../src/output/delivery/queue.js';
import { SelfMetrics } from '../../../src/selfmetrics/self-metrics.js';
import { FakeReceiver, until } from './fake-receiver.js';
import { Logs, metric, remoteConfig, run, TOKEN } from './helpers.js';

const T0 = 1_700_000_000_000;
const FAILED = 'remote write failed; retrying with backoff, newer samples wait in the queue';
const M = 'label_value_exporter_remote_write_';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Values per series, in the order the receiver accepted them. */
function perSeries(r: FakeReceiver): Map<string, { values: number[]; ts: number[] }> {
  const out = new Map<string, { values: number[]; ts: number[] }>();
  for (const s of r.accepted()) {
    const key = s.labels.map(([k, v]) => `${k}=${v}`).join(',');
    const e = out.get(key) ?? { values: [], ts: [] };
    // At least once: a request whose answer came after its deadline (a busy machine) is sent
    // again, and receivers drop the exact repeat. Keep one of each repeat; order is still checked.
    if (e.ts.at(-1) === s.timestampMs && e.values.at(-1) === s.value) continue;
    e.values.push(s.value);
    e.ts.push(s.timestampMs);
    out.set(key, e);
  }
  return out;
}

/** Every one of `series` series got every value 1..runs, once each (exact repeats folded), in timestamp order. */
function assertAllInOrder(r: FakeReceiver, series: number, runs: number): void {
  const got = perSeries(r);
  assert.equal(got.size, series);
  const want = Array.from({ length: runs }, (_, i) => i + 1);
  for (const [key, { values, ts }] of got) {
    assert.deepEqual(values, want, `${key}: ${values.join(',')}`);
    assert.deepEqual(
      [...ts].sort((a, b) => a - b),
      ts,
      `${key}: timestamps out of order`,
    );
  }
}

describe('remote write keeps up and never stalls silently', () => {
  let receiver: FakeReceiver;
  let metrics: SelfMetrics;
  let logs: Logs;
  let endpoint: RemoteEndpoint | undefined;

  beforeEach(async () => {
    receiver = new FakeReceiver();
    await receiver.start();
    metrics = new SelfMetrics();
    logs = new Logs();
  });
  afterEach(async () => {
    await endpoint?.stop(0);
    endpoint = undefined;
    await receiver.stop();
    for (const line of logs.lines) assert.ok(!line.includes(TOKEN), `a log line holds the token: ${line}`);
  });

  function start(config: RemoteWriteConfig, pending: Batch[] = []): RemoteEndpoint {
    endpoint = new RemoteEndpoint(config, {
      observer: metrics.remoteWrite,
      logger: createLogger('debug', 'json', logs),
      userAgent: 'label-value-exporter/test',
    });
    endpoint.start(pending);
    return endpoint;
  }

  const value = async (series: string) => (await metric(metrics, `${M}${series}`)) ?? 0;

  test('200 + gzip, then a stall mid-body: fails at the timeout, counted and logged once; drains after recovery', async (t) => {
    let stalling = true;
    const partialGzip = gzipSync(Buffer.from('{"status":"success","data":{}}')).subarray(0, 12);
    receiver.setAnswer(() =>
      stalling ? { status: 200, headers: { 'content-encoding': 'gzip' }, stallBody: partialGzip } : { status: 204 },
    );
    const ep = start(remoteConfig(receiver.url, ['min_backoff: 10ms', 'max_backoff: 100ms'], ['timeout: 500ms']));
    const t0 = Date.now();
    ep.enqueue(run(10, 1, T0), 0);
    await until(async () => (await value('samples_failed_total{reason="timeout",remote="fake"}')) > 0, 'the first timeout', 4000);
    const failedAfterMs = Date.now() - t0;
    assert.ok(failedAfterMs < 2000, `first failure ${failedAfterMs} ms after the push (timeout 500 ms)`);
    for (let k = 2; k <= 6; k++) {
      ep.enqueue(run(10, k, T0 + k * 1000), 0);
      await sleep(100);
    }
    // Several rounds of timeouts (every attempt stalls), still one log line.
    await until(async () => (await value('samples_failed_total{reason="timeout",remote="fake"}')) >= 30, 'three rounds of timeouts', 5000);
    assert.equal(ep.queuedSamples, 60, 'nothing sent, nothing lost');
    const failed = logs.entries(FAILED);
    assert.equal(failed.length, 1, `logged ${failed.length} times`);
    assert.equal(failed[0]?.['reason'], 'timeout');
    assert.match(String(failed[0]?.['err']), /timeout/);
    assert.ok((await value('requests_in_flight{remote="fake"}')) <= 4);
    // Each attempt lasted about the timeout: the deadline fired, not something else.
    const seconds =
      (await value('request_duration_seconds_sum{remote="fake"}')) / (await value('request_duration_seconds_count{remote="fake"}'));
    assert.ok(seconds >= 0.45 && seconds < 1.2, `attempts took ${seconds.toFixed(3)} s on average`);
    stalling = false;
    const upAt = Date.now();
    await until(() => ep.queuedSamples === 0, 'the backlog drained after recovery', 4000);
    const drainMs = Date.now() - upAt;
    assertAllInOrder(receiver, 10, 6);
    assert.equal(logs.count('remote write recovered'), 1);
    assert.equal(await value('queue_samples{remote="fake"}'), 0);
    assert.equal(await value('highest_sent_timestamp_seconds{remote="fake"}'), (T0 + 6000) / 1000);
    assert.ok((await value('samples_retried_total{remote="fake"}')) >= 10);
    t.diagnostic(
      `first failure ${failedAfterMs} ms after the push, attempts ${seconds.toFixed(3)} s on average; drained ${drainMs} ms after recovery`,
    );
  });

  test('a receiver taking 200 ms per request: merged batches, up to 4 in flight, the backlog stays bounded', async (t) => {
    receiver.setAnswer(() => ({ status: 204, delayMs: 200 }));
    const ep = start(remoteConfig(receiver.url, ['capacity: 1000', 'max_samples_per_send: 500', 'min_backoff: 10ms', 'max_backoff: 50ms']));
    const SERIES = 40;
    const RUNS = 40;
    let backlog = 0;
    for (let k = 1; k <= RUNS; k++) {
      ep.enqueue(run(SERIES, k, T0 + k * 1000), 0);
      if (k > RUNS / 2) backlog = Math.max(backlog, ep.queuedSamples);
      await sleep(50);
    }
    const pushedAt = Date.now();
    await until(() => ep.queuedSamples === 0, 'drained', 5000);
    t.diagnostic(
      `backlog in the second second: at most ${backlog} samples; drained ${Date.now() - pushedAt} ms after the last push; ${receiver.requests.length} requests, ${receiver.maxInFlight} at once`,
    );
    // One 40-sample batch per 200 ms request would leave ~1,200 of the 1,600 queued (queue_full at 1,000).
    assert.ok(backlog <= 600, `backlog reached ${backlog} samples`);
    assert.equal(await value('samples_dropped_total{reason="queue_full",remote="fake"}'), 0);
    assert.ok(receiver.maxInFlight > 1 && receiver.maxInFlight <= 4, `${receiver.maxInFlight} requests at once`);
    assert.equal(receiver.overlaps, 0, 'a series was in two requests at once');
    assert.ok(receiver.requests.length < RUNS * 2, `${receiver.requests.length} requests for ${RUNS} runs over 4 shards`);
    assertAllInOrder(receiver, SERIES, RUNS);
    assert.equal(await value('samples_sent_total{remote="fake"}'), SERIES * RUNS);
  });

  test('after an outage the queued runs go out merged (up to max_samples_per_send), not one request per run', async () => {
    let up = false;
    receiver.setAnswer(() => (up ? { status: 204 } : { status: 503 }));
    const ep = start(remoteConfig(receiver.url, ['max_samples_per_send: 100', 'min_backoff: 10ms', 'max_backoff: 30ms']));
    for (let k = 1; k <= 20; k++) {
      ep.enqueue(run(3, k, T0 + k * 1000), 0);
      await sleep(10);
    }
    const before = receiver.requests.length;
    up = true;
    await until(() => ep.queuedSamples === 0, 'drained');
    const after = receiver.requests.length - before;
    // Per shard in use (3 series: at most 3): the retried head batch, then the 19 runs after it in one request.
    assert.ok(after <= 6, `${after} requests after recovery for 20 queued runs`);
    assert.ok(
      receiver.requests.slice(before).some((r) => r.series.length >= 10),
      'no merged request',
    );
    assertAllInOrder(receiver, 3, 20);
  });

  test('a queue handed over on reloads that change the shard count (4 → 3 → 4): every series still arrives in order', async () => {
    // Only the last endpoint's requests are accepted: one of an earlier endpoint's, abandoned on stop, may reach the receiver late.
    receiver.setAnswer((_n, h) => (h['x-gen'] === '3' ? { status: 204 } : { status: 503 }));
    const queue = (shards: number) => [`max_shards: ${shards}`, 'max_samples_per_send: 7', 'min_backoff: 10ms', 'max_backoff: 30ms'];
    let left: Batch[] = [];
    let k = 0;
    for (const [gen, shards] of [
      [1, 4],
      [2, 3],
      [3, 4],
    ] as const) {
      const ep = start(remoteConfig(receiver.url, queue(shards), [`headers: { X-Gen: "${gen}" }`]), left);
      for (let i = 0; i < 3; i++, k++) ep.enqueue(run(10, k + 1, T0 + k * 1000), 0);
      if (gen === 3) break;
      await until(() => receiver.requests.length > 0, 'a first attempt');
      left = await ep.stop(0);
      assert.equal(
        left.reduce((n, b) => n + b.samples, 0),
        10 * k,
      );
    }
    await until(() => endpoint?.queuedSamples === 0, 'drained');
    assert.equal(receiver.overlaps, 0);
    assertAllInOrder(receiver, 10, 9);
  });

  test('a growing backlog is logged once per doubling, and its end once; the operator metrics', async () => {
    receiver.setAnswer(() => ({ status: 204, delayMs: 50 }));
    const ep = start(remoteConfig(receiver.url, ['max_samples_per_send: 10', 'min_backoff: 10ms', 'max_backoff: 30ms']));
    assert.equal(await value('shards_max{remote="fake"}'), 4);
    for (let k = 1; k <= 10; k++) ep.enqueue(run(100, k, T0 + k * 1000), 0);
    const behind = logs.entries('remote write is falling behind: the backlog grows');
    assert.ok(behind.length >= 1 && behind.length <= 3, `logged ${behind.length} times`);
    assert.ok(Number(behind[0]?.['queued_samples']) > 200, JSON.stringify(behind[0]));
    await until(async () => (await value('requests_in_flight{remote="fake"}')) > 0, 'requests in flight');
    await until(() => ep.queuedSamples === 0, 'drained');
    assert.equal(logs.count('remote write caught up'), 1);
    assert.equal(await value('requests_in_flight{remote="fake"}'), 0);
    assert.equal(await value('highest_sent_timestamp_seconds{remote="fake"}'), (T0 + 10_000) / 1000);
    assert.ok((await value('request_duration_seconds_count{remote="fake"}')) >= 100);
  });
});

test('queue_config.max_shards: a positive integer up to 64, default 4', () => {
  const yaml = (v: string) => `metric_transformations: []\nremote_write: [{url: "http://127.0.0.1:1/w", queue_config: {max_shards: ${v}}}]`;
  assert.equal(parseConfig(yaml('2'), '/tmp/x.yml').remoteWrite[0]?.queue.maxShards, 2);
  assert.equal(
    parseConfig('metric_transformations: []\nremote_write: [{url: "http://127.0.0.1:1/w"}]', '/tmp/x.yml').remoteWrite[0]?.queue.maxShards,
    4,
  );
  assert.throws(() => parseConfig(yaml('0'), '/tmp/x.yml'), /max_shards.*positive integer/s);
  assert.throws(() => parseConfig(yaml('1.5'), '/tmp/x.yml'), /max_shards.*positive integer/s);
  assert.throws(() => parseConfig(yaml('65'), '/tmp/x.yml'), /max_shards.*at most 64/s);
});
