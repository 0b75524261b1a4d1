/**
 * Query-API answers are bounded outside data.result (the envelope), per
 * series and per label value, and strict about UTF-8 (issue #12 items 4, 10,
 * 13a). Each failure is a SourceError, so the run keeps the last good data.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULTS } from '../../../src/config/defaults.js';
import { parseConfig } from '../../../src/registry/load.js';
import { SourceError } from '../../../src/model/errors.js';
import { runTransformation } from '../../../src/scheduler/run.js';
import { SnapshotStore } from '../../../src/snapshot/store.js';
import { feedVector, VectorReader } from '../../../src/sources/prometheus-envelope.js';
import { createSource } from '../../../src/sources/registry.js';

const HEAD = { status: 200, contentType: 'application/json' };
const OK = (result: string, extra = '') => `{"status":"success"${extra},"data":{"resultType":"vector","result":[${result}]}}`;
const SERIES = '{"metric":{"__name__":"kube_node_info","node":"n1","minor":"28"},"value":[1,"1"]}';

/** Feeds `body` in 64 KiB chunks, as the network does; returns the error. */
function failure(body: Buffer, projection: readonly string[] | null = null, maxLabelValueBytes = Infinity): SourceError {
  try {
    feedVectorChunked(body, projection, maxLabelValueBytes);
  } catch (e) {
    assert.ok(e instanceof SourceError, String(e));
    return e;
  }
  return assert.fail('the answer must be refused');
}

function feedVectorChunked(body: Buffer, projection: readonly string[] | null, maxLabelValueBytes: number): void {
  const reader = new VectorReader(() => undefined, projection, maxLabelValueBytes);
  for (let i = 0; i < body.length; i += 65536) reader.write(body.subarray(i, i + 65536));
  reader.finish(HEAD);
}

describe('the envelope (everything outside data.result) is bounded', () => {
  test('a 2 MiB error text or warning fails with too_large, whichever side of data.result', () => {
    const pad = 'x'.repeat(2 << 20);
    for (const body of [
      `{"status":"success","warnings":["${pad}"],"data":{"resultType":"vector","result":[${SERIES}]}}`,
      `{"status":"success","data":{"resultType":"vector","result":[${SERIES}]},"error":"${pad}"}`,
    ]) {
      const err = failure(Buffer.from(body));
      assert.equal(err.reason, 'too_large', err.message);
      assert.match(err.message, /outside data\.result .* longer than 1048576 characters/);
    }
  });

  test('a small envelope with warnings is still read', () => {
    const warnings = feedVector({ ...HEAD, body: Buffer.from(OK(SERIES, ',"warnings":["w1"]')) }, () => undefined);
    assert.deepEqual(warnings, ['w1']);
  });
});

describe('label values and series are bounded (max_label_value_bytes)', () => {
  const long = (n: number) =>
    Buffer.from(OK(`{"metric":{"__name__":"kube_node_info","node":"${'é'.repeat(n)}","minor":"28"},"value":[1,"1"]}`));

  test('a label value over the limit fails with too_large naming the label, with and without a projection', () => {
    for (const projection of [null, ['node', 'minor']]) {
      const err = failure(long(3000), projection, 4096);
      assert.equal(err.reason, 'too_large');
      assert.match(err.message, /label "node" .*max_label_value_bytes \(4096 bytes\)/);
    }
  });

  test('the limit counts UTF-8 bytes: 2000 × "é" (4000 bytes) passes a 4096-byte limit, 2100 (4200 bytes) does not', () => {
    assert.doesNotThrow(() => feedVector({ ...HEAD, body: long(2000) }, () => undefined, null, 4096));
    assert.equal(failure(long(2100), null, 4096).reason, 'too_large');
  });

  test('one series longer than 8 × the limit + 1 MiB fails before it is held whole', () => {
    const many = Array.from({ length: 1200 }, (_, i) => `"l${i}":"${'v'.repeat(1000)}"`).join(',');
    const err = failure(Buffer.from(OK(`{"metric":{${many}},"value":[1,"1"]}`)), null, 1024);
    assert.equal(err.reason, 'too_large');
    assert.match(err.message, /a series in data\.result is longer than/);
  });

  test('the default limit is 1 MiB, configurable per source', () => {
    const c = parseConfig(
      'sources:\n  - {name: a, type: prometheus, url: "http://127.0.0.1:1"}\n  - {name: b, type: prometheus, url: "http://127.0.0.1:1", max_label_value_bytes: 100}\nmetric_transformations:\n  - {name: m, source: a, source_metric: x, value_from_label: v}\n',
      '/tmp/c.yml',
      {},
    );
    const a = c.sources.get('a');
    const b = c.sources.get('b');
    assert.ok(a?.type === 'prometheus' && b?.type === 'prometheus');
    assert.equal(a.maxLabelValueBytes, DEFAULTS.maxLabelValueBytes);
    assert.equal(DEFAULTS.maxLabelValueBytes, 1 << 20);
    assert.equal(b.maxLabelValueBytes, 100);
  });
});

describe('invalid UTF-8 fails the run (as in scrape and file sources)', () => {
  test('in a label value, in the envelope, and cut at the very end', () => {
    const good = OK(SERIES);
    const at = good.indexOf('"n1"') + 2;
    const cases = [
      Buffer.concat([Buffer.from(good.slice(0, at)), Buffer.from([0xff]), Buffer.from(good.slice(at))]),
      Buffer.concat([Buffer.from('{"status":"succ'), Buffer.from([0xc3, 0x28]), Buffer.from(good.slice('{"status":"succ'.length))]),
      Buffer.concat([Buffer.from(good), Buffer.from([0xe2, 0x82])]),
    ];
    for (const body of cases) {
      const err = failure(body);
      assert.equal(err.reason, 'parse', err.message);
      assert.match(err.message, /invalid UTF-8 .*byte \d+/);
    }
  });

  test('an HTML error page in Latin-1 is still reported as "not a Prometheus API answer"', () => {
    const err = failure(Buffer.concat([Buffer.from('<html>caf'), Buffer.from([0xe9]), Buffer.from('</html>')]));
    assert.equal(err.reason, 'bad_response');
    assert.match(err.message, /not a Prometheus API answer/);
  });
});

test('end to end: a too-large envelope and bad UTF-8 fail the run; the last good data stays', async () => {
  let body = Buffer.from(OK(SERIES));
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const c = parseConfig(
      `sources:\n  - {name: s, type: prometheus, url: "${url}"}\nmetric_transformations:\n  - {name: minor, source: s, source_metric: kube_node_info, value_from_label: minor, preserve_labels: [node]}\n`,
      '/tmp/c.yml',
      {},
    );
    const t = c.transformations[0] ?? assert.fail();
    const store = new SnapshotStore();
    const once = async () => {
      const source = createSource(c.sources.get('s') ?? assert.fail(), { request: () => undefined });
      try {
        return await runTransformation(t, [source], store, new AbortController().signal);
      } finally {
        await source.close();
      }
    };
    assert.ok((await once()).ok);
    const good = [...(store.get('minor')?.series.values() ?? [])];
    assert.equal(good.length, 1);
    for (const [bad, reason] of [
      [
        Buffer.from(`{"status":"success","error":"${'x'.repeat(3 << 20)}","data":{"resultType":"vector","result":[${SERIES}]}}`),
        'too_large',
      ],
      [Buffer.concat([Buffer.from(OK(SERIES).slice(0, 40)), Buffer.from([0xff]), Buffer.from(OK(SERIES).slice(40))]), 'parse'],
    ] as const) {
      body = bad;
      const o = await once();
      assert.ok(!o.ok && o.error.reason === reason, o.ok ? 'succeeded' : o.error.message);
      assert.deepEqual([...(store.get('minor')?.series.values() ?? [])], good);
    }
  } finally {
    server.close();
  }
});
