/**
 * Fault injection for the remote-write output against an in-process receiver:
 * retries, 4xx, Retry-After, queue overflow, staleness markers, shutdown
 * flush, reload handover, and no credential in any log line. (The real
 * receivers, VictoriaMetrics and Prometheus, are in test/e2e/remote-write.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { parseConfig } from '../../../src/registry/load.js';
import type { RemoteWriteConfig } from '../../../src/config/types.js';
import { renderSamples } from '../../../src/exposition/render.js';
import { createLogger } from '../../../src/logging/logger.js';
import type { OutputSeries } from '../../../src/model/series.js';
import { RemoteEndpoint } from '../../../src/output/remote-write/endpoint.js';
import { parseRetryAfter } from '../../../src/output/remote-write/endpoint.js';
import { RemoteWriter } from '../../../src/output/remote-write/writer.js';
import { SelfMetrics } from '../../../src/selfmetrics/self-metrics.js';
import type { FamilySnapshot } from '../../../src/snapshot/family.js';
import { SnapshotStore } from '../../../src/snapshot/store.js';
import { FakeReceiver, until } from './fake-receiver.js';
import { Logs, metric, remoteConfig as sharedConfig, samples, TOKEN } from './helpers.js';

const STALE_BITS = '7ff0000000000002';

/**
 * These tests are about one sender's order of requests (retries, 4xx,
 * Retry-After, overflow, flush): one shard. Sharding and merging are in
 * remote-write-flow.test.ts.
 */
function remoteConfig(url: string, queue = 'min_backoff: 10ms\n      max_backoff: 50ms'): RemoteWriteConfig {
  return sharedConfig(url, ['max_shards: 1', ...queue.split('\n').map((l) => l.trim())]);
}

function values(r: FakeReceiver): number[] {
  return r.accepted().map((s) => s.value);
}

describe('remote-write endpoint against a fake receiver', () => {
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

  function start(config: RemoteWriteConfig): RemoteEndpoint {
    endpoint = new RemoteEndpoint(config, {
      observer: metrics.remoteWrite,
      logger: createLogger('debug', 'json', logs),
      userAgent: 'label-value-exporter/test',
    });
    endpoint.start();
    return endpoint;
  }

  test('posts snappy-compressed protobuf with the remote-write headers and the bearer token', async () => {
    const ep = start(remoteConfig(receiver.url));
    ep.enqueue(samples(1, 3), 0);
    await until(() => receiver.requests.length === 1, 'one request');
    const h = receiver.requests[0]?.headers;
    assert.equal(h?.['content-encoding'], 'snappy');
    assert.equal(h?.['content-type'], 'application/x-protobuf');
    assert.equal(h?.['x-prometheus-remote-write-version'], '0.1.0');
    assert.equal(h?.['user-agent'], 'label-value-exporter/test');
    assert.equal(h?.authorization, `Bearer ${TOKEN}`);
    assert.deepEqual(
      receiver.requests[0]?.series.map((s) => [s.labels, s.value, s.timestampMs]),
      samples(1, 3).map((s) => [s.labels, s.value, s.timestampMs]),
    );
    await until(() => ep.queuedSamples === 0, 'queue empty');
    assert.equal(await metric(metrics, 'label_value_exporter_remote_write_samples_sent_total{remote="fake"}'), 3);
    assert.equal(await metric(metrics, 'label_value_exporter_remote_write_queue_samples{remote="fake"}'), 0);
    assert.ok(
      ((await metric(metrics, 'label_value_exporter_remote_write_last_success_timestamp_seconds{remote="fake"}')) ?? 0) >
        Date.now() / 1000 - 60,
    );
  });

  test('500 three times, then 200: retried in order, nothing lost, logged once each way', async () => {
    receiver.setAnswer((n) => (n < 3 ? { status: 500, body: 'storage unavailable' } : { status: 200 }));
    const ep = start(remoteConfig(receiver.url, 'max_samples_per_send: 2\n      min_backoff: 10ms\n      max_backoff: 50ms'));
    ep.enqueue(samples(1, 6), 0); // three batches of two
    await until(() => ep.queuedSamples === 0, 'queue drained');
    assert.deepEqual(values(receiver), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(
      receiver.requests.map((r) => [r.status, r.series[0]?.value]),
      [
        [500, 1],
        [500, 1],
        [500, 1],
        [200, 1],
        [200, 3],
        [200, 5],
      ],
    );
    assert.equal(await metric(metrics, 'label_value_exporter_remote_write_samples_failed_total{reason="http_5xx",remote="fake"}'), 6);
    assert.equal(await metric(metrics, 'label_value_exporter_remote_write_samples_retried_total{remote="fake"}'), 6);
    assert.equal(await metric(metrics, 'label_value_exporter_remote_write_samples_sent_total{remote="fake"}'), 6);
    for (const reason of ['rejected', 'queue_full', 'shutdown', 'removed']) {
      assert.equal(await metric(metrics, `label_value_exporter_remote_write_samples_dropped_total{reason="${reason}",remote="fake"}`), 0);
    }
    assert.equal(logs.count('remote write failed; retrying with backoff, newer samples wait in the queue'), 1);
    assert.equal(logs.count('remote write recovered'), 1);
  });

  test('a connection refused is retried like a 5xx', async () => {
    const down = new FakeReceiver();
    await down.start();
    const url = down.url;
    await down.stop();
    const ep = start(remoteConfig(url));
    ep.enqueue(samples(1, 2), 0);
    await until(() => logs.count('remote write failed; retrying with backoff, newer samples wait in the queue') === 1, 'the failure log');
    assert.equal(ep.queuedSamples, 2, 'still queued');
    const failed = await metric(metrics, 'label_value_exporter_remote_write_samples_failed_total{reason="connection",remote="fake"}');
    assert.ok((failed ?? 0) >= 2, String(failed));
  });

  test('400: not retried, counted as rejected; the next batch goes on; the echoed token is redacted', async () => {
    receiver.setAnswer((n, h) =>
      n === 0 ? { status: 400, body: `out of order sample; you sent ${String(h.authorization)}` } : { status: 204 },
    );
    const ep = start(remoteConfig(receiver.url, 'max_samples_per_send: 2\n      min_backoff: 10ms\n      max_backoff: 50ms'));
    ep.enqueue(samples(1, 4), 0);
    await until(() => ep.queuedSamples === 0, 'queue drained');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      receiver.requests.map((r) => r.status),
      [400, 204],
    );
    assert.deepEqual(values(receiver), [3, 4]);
    assert.equal(await metric(metrics, 'label_value_exporter_remote_write_samples_failed_total{reason="http_4xx",remote="fake"}'), 2);
    assert.equal(await metric(metrics, 'label_value_exporter_remote_write_samples_dropped_total{reason="rejected",remote="fake"}'), 2);
    assert.equal(await metric(metrics, 'label_value_exporter_remote_write_samples_retried_total{remote="fake"}'), 0);
    const rejected = logs.lines.filter((l) => l.includes('remote write rejected'));
    assert.equal(rejected.length, 1);
    assert.match(rejected[0] ?? '', /HTTP 400: out of order sample; you sent Bearer <secret>/);
  });

  test('429 with Retry-After: 1 waits a second before the retry', async () => {
    const at: number[] = [];
    receiver.setAnswer((n) => {
      at.push(Date.now());
      return n === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 204 };
    });
    const ep = start(remoteConfig(receiver.url));
    ep.enqueue(samples(1, 1), 0);
    await until(() => ep.queuedSamples === 0, 'sent after the 429');
    assert.equal(at.length, 2);
    assert.ok((at[1] ?? 0) - (at[0] ?? 0) >= 950, `retried after ${(at[1] ?? 0) - (at[0] ?? 0)} ms`);
    assert.equal(await metric(metrics, 'label_value_exporter_remote_write_samples_failed_total{reason="http_429",remote="fake"}'), 1);
  });

  test('queue overflow: the oldest batches are dropped and counted, the newest arrive in order', async () => {
    let up = false;
    receiver.setAnswer(() => (up ? { status: 204 } : { status: 503 }));
    const ep = start(
      remoteConfig(receiver.url, 'capacity: 4\n      max_samples_per_send: 2\n      min_backoff: 10ms\n      max_backoff: 20ms'),
    );
    for (let push = 0; push < 5; push++) {
      ep.enqueue(samples(push * 2 + 1, 2), 0);
      await new Promise((r) => setTimeout(r, 30));
    }
    assert.ok(ep.queuedSamples <= 6, `holds ${ep.queuedSamples} samples`);
    up = true;
    await until(() => ep.queuedSamples === 0, 'queue drained');
    const got = values(receiver);
    const dropped =
      (await metric(metrics, 'label_value_exporter_remote_write_samples_dropped_total{reason="queue_full",remote="fake"}')) ?? 0;
    // The newest batch always survives; the one being sent when the queue overflowed may too (never dropped mid-request).
    assert.deepEqual(got.slice(-2), [9, 10], `received ${got.join(',')}`);
    assert.ok(got.length <= 6, `received ${got.join(',')}: more than capacity + the batch in flight`);
    assert.deepEqual(
      [...got].sort((a, b) => a - b),
      got,
      'in order',
    );
    assert.equal(got.length + dropped, 10, `received ${got.length}, dropped ${dropped}`);
    assert.ok(dropped >= 4, `dropped ${dropped}`);
    assert.equal(logs.count('remote write queue is full: dropping the oldest samples'), 1);
  });

  test('stop flushes the queue within the deadline; what cannot be sent is returned', async () => {
    receiver.setAnswer((n) => (n < 2 ? { status: 503 } : { status: 204 }));
    const ep = start(remoteConfig(receiver.url));
    ep.enqueue(samples(1, 3), 0);
    const left = await ep.stop(3000);
    endpoint = undefined;
    assert.deepEqual(left, []);
    assert.deepEqual(values(receiver), [1, 2, 3]);
    receiver.setAnswer(() => ({ status: 503 }));
    const ep2 = start(remoteConfig(receiver.url));
    ep2.enqueue(samples(4, 2), 0);
    const started = Date.now();
    const left2 = await ep2.stop(200);
    endpoint = undefined;
    assert.ok(Date.now() - started < 2000);
    assert.deepEqual(
      left2.map((b) => b.samples),
      [2],
    );
  });
});

test('Retry-After: seconds or an HTTP date, capped; anything else is ignored', () => {
  assert.equal(parseRetryAfter('3', 0), 3);
  assert.equal(parseRetryAfter(' 3600 ', 0), 300);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6);
  assert.equal(parseRetryAfter('soon', 0), undefined);
  assert.equal(parseRetryAfter(undefined, 0), undefined);
});

function family(name: string, series: Array<[string, number]>): FamilySnapshot {
  const list: OutputSeries[] = series.map(([labelText, value]) => ({ labelText, value }));
  return {
    name,
    help: 'h',
    type: 'gauge',
    series: list,
    index: new Map(list.map((s) => [s.labelText, s])),
    families: [{ name, samples: renderSamples(name, list) }],
    producedAtMs: Date.now(),
  };
}

describe('remote writer: what each run sends', () => {
  const receiver = new FakeReceiver();
  after(() => receiver.stop());

  test('each put sends the family; vanished series get one staleness marker; a deleted family marks all', async () => {
    await receiver.start();
    const store = new SnapshotStore();
    const metrics = new SelfMetrics();
    const logs = new Logs();
    const writer = new RemoteWriter(store, {
      observer: metrics.remoteWrite,
      logger: createLogger('debug', 'json', logs),
      userAgent: 'lve/test',
    });
    await writer.apply([remoteConfig(receiver.url)]);
    const sent = async (n: number) => {
      await writer.settled();
      await until(() => receiver.requests.length === n, `${n} requests`);
      return (
        receiver.requests[n - 1]?.series.map((s) => [
          s.labels.map(([k, v]) => `${k}=${v}`).join(','),
          s.bits === STALE_BITS ? 'stale' : s.value,
        ]) ?? []
      );
    };
    store.put(
      family('a', [
        ['node="x"', 1],
        ['node="y",zone="é \\"q\\""', 2],
      ]),
    );
    assert.deepEqual(await sent(1), [
      ['__name__=a,node=x', 1],
      ['__name__=a,node=y,zone=é "q"', 2],
    ]);
    store.put(family('b', [['', 7]]));
    assert.deepEqual(await sent(2), [['__name__=b', 7]]);
    store.put(family('a', [['node="x"', 3]]));
    assert.deepEqual(await sent(3), [
      ['__name__=a,node=x', 3],
      ['__name__=a,node=y,zone=é "q"', 'stale'],
    ]);
    store.put(family('a', [['node="x"', 4]]));
    assert.deepEqual(await sent(4), [['__name__=a,node=x', 4]], 'the marker is sent once');
    store.delete('a');
    assert.deepEqual(await sent(5), [['__name__=a,node=x', 'stale']]);
    const ts = receiver.requests.map((r) => r.series[0]?.timestampMs ?? 0);
    assert.deepEqual(
      [...ts].sort((x, y) => x - y),
      ts,
      'timestamps never go back',
    );
    assert.ok(Math.abs((ts[0] ?? 0) - Date.now()) < 10_000);
    assert.equal(await metric(metrics, 'label_value_exporter_remote_write_stale_markers_total{remote="fake"}'), 2);
    // Removing the endpoint unsubscribes and forgets its metrics.
    await writer.apply([]);
    store.put(family('b', [['', 8]]));
    await writer.settled();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(receiver.requests.length, 5);
    assert.equal(await metric(metrics, 'label_value_exporter_remote_write_samples_sent_total{remote="fake"}'), undefined);
    await writer.stop();
  });

  test('a changed endpoint (new token) takes over the queue; the batches go out with the new token', async () => {
    const r = new FakeReceiver();
    await r.start();
    const metrics = new SelfMetrics();
    const store = new SnapshotStore();
    const writer = new RemoteWriter(store, {
      observer: metrics.remoteWrite,
      logger: createLogger('debug', 'json', new Logs()),
      userAgent: 'lve/test',
    });
    // 503 first, so the batch is still queued when the config changes.
    r.setAnswer(() => ({ status: 503 }));
    await writer.apply([remoteConfig(r.url)]);
    store.put(family('a', [['node="x"', 1]]));
    await writer.settled();
    await until(() => r.requests.length >= 1, 'a first attempt');
    const next = parseConfig(
      `metric_transformations: []\nremote_write: [{name: fake, url: "${r.url}", bearer_token: new-token-1234, queue_config: {max_shards: 1, min_backoff: 10ms, max_backoff: 50ms}}]`,
      '/tmp/x.yml',
    ).remoteWrite;
    await writer.apply(next);
    // Only now does the receiver accept, and only the new token: the old endpoint is stopped.
    r.setAnswer((_n, h) => (h.authorization === 'Bearer new-token-1234' ? { status: 204 } : { status: 401 }));
    await until(() => r.accepted().length === 1, 'the queued sample sent with the new token');
    assert.equal(r.accepted()[0]?.value, 1);
    assert.ok(
      r.requests.every((q) => q.status !== 401),
      'nothing sent with the old token after the change',
    );
    assert.equal(await metric(metrics, 'label_value_exporter_remote_write_samples_dropped_total{reason="removed",remote="fake"}'), 0);
    await writer.stop();
    await r.stop();
  });
});
