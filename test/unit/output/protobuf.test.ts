import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compress } from 'snappyjs';
import { encodeWriteRequest, type RemoteSample } from '../../../src/output/remote-write/protobuf.js';
import { decodeWriteRequest, unsnappy } from './decode.js';

const STALE_BITS = '7ff0000000000002';

test('the hand-written encoder decodes back with protobufjs, value by value', () => {
  const samples: RemoteSample[] = [
    {
      labels: [
        ['__name__', 'kubelet_minor_version'],
        ['cluster', 'prod'],
        ['node', 'wörker-1 "x"\n\\'],
      ],
      value: 28,
      stale: false,
      timestampMs: 1_700_000_000_123,
    },
    { labels: [['__name__', 'm']], value: -0.5, stale: false, timestampMs: 0 },
    {
      labels: [
        ['__name__', 'm'],
        ['a', ''],
      ],
      value: 0,
      stale: false,
      timestampMs: 2 ** 53 - 1,
    },
    {
      labels: [
        ['__name__', 'm'],
        ['b', 'x'.repeat(300)],
      ],
      value: Infinity,
      stale: false,
      timestampMs: 127,
    },
    {
      labels: [
        ['__name__', 'm'],
        ['c', '日本'],
      ],
      value: 1e-300,
      stale: false,
      timestampMs: 128,
    },
    { labels: [['__name__', 'gone']], value: Number.NaN, stale: true, timestampMs: 1_700_000_000_999 },
    { labels: [['__name__', 'nan']], value: Number.NaN, stale: false, timestampMs: 1 },
  ];
  const decoded = decodeWriteRequest(encodeWriteRequest(samples));
  assert.equal(decoded.length, samples.length);
  samples.forEach((s, i) => {
    const d = decoded[i];
    assert.ok(d);
    assert.deepEqual(d.labels, s.labels);
    assert.equal(d.timestampMs, s.timestampMs);
    if (s.stale) assert.equal(d.bits, STALE_BITS);
    else if (Number.isNaN(s.value)) {
      assert.ok(Number.isNaN(d.value));
      assert.notEqual(d.bits, STALE_BITS, 'a NaN value must not become a staleness marker');
    } else assert.equal(Object.is(d.value, s.value) || d.value === s.value, true, `${d.value} != ${s.value}`);
  });
});

test('an empty request is zero bytes and decodes to no series', () => {
  assert.equal(encodeWriteRequest([]).length, 0);
  assert.deepEqual(decodeWriteRequest(encodeWriteRequest([])), []);
});

test('a negative or fractional timestamp is refused', () => {
  assert.throws(() => encodeWriteRequest([{ labels: [['__name__', 'm']], value: 1, stale: false, timestampMs: -1 }]), RangeError);
  assert.throws(() => encodeWriteRequest([{ labels: [['__name__', 'm']], value: 1, stale: false, timestampMs: 1.5 }]), RangeError);
});

function varintAt(b: Uint8Array): number {
  let n = 0;
  for (let i = 0, mul = 1; i < 10; i++, mul *= 128) {
    const byte = b[i] ?? 0;
    n += (byte & 0x7f) * mul;
    if (byte < 0x80) return n;
  }
  return -1;
}

const label = fc.tuple(fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,20}$/), fc.string({ unit: 'binary', maxLength: 200 }));
const sample = fc.record({
  labels: fc.array(label, { maxLength: 12 }),
  value: fc.double(),
  stale: fc.boolean(),
  timestampMs: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
});

test('property: any series list round-trips through encoder, snappy block format and protobufjs', () => {
  fc.assert(
    fc.property(fc.array(sample, { maxLength: 40 }), (list) => {
      const body = encodeWriteRequest(list);
      const wire = compress(body);
      // Block format: starts with the varint of the uncompressed length (the framed format starts with a stream header).
      assert.equal(varintAt(wire), body.length);
      assert.deepEqual(Buffer.from(unsnappy(wire)), body);
      const decoded = decodeWriteRequest(body);
      assert.equal(decoded.length, list.length);
      list.forEach((s, i) => {
        const d = decoded[i];
        assert.ok(d);
        // Lone surrogates become U+FFFD in UTF-8, as in any protobuf string.
        assert.deepEqual(
          d.labels,
          s.labels.map(([n, v]) => [n, Buffer.from(v, 'utf8').toString('utf8')]),
        );
        assert.equal(d.timestampMs, s.timestampMs);
        if (s.stale) assert.equal(d.bits, STALE_BITS);
        else assert.ok(Object.is(d.value, s.value) || (Number.isNaN(d.value) && Number.isNaN(s.value)));
      });
    }),
    { numRuns: 200 },
  );
});
