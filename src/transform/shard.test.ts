import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  filterShard,
  fnv1a,
  ownerOfHash,
  ownerOfSeries,
  ownerOfTransformation,
  runsHere,
  seriesOwner,
  shardProblem,
  WHOLE,
} from './shard.js';
import { transformationConfig } from '../../test/support/transformation.js';
import { Transformer, type PreviousSeries } from './transformer.js';

/** An independent reference: FNV-1a over Node's own UTF-8 encoding. */
function referenceFnv(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

test('fnv1a gives the published FNV-1a 32-bit test vectors', () => {
  assert.equal(fnv1a(''), 0x811c9dc5);
  assert.equal(fnv1a('a'), 0xe40c292c);
  assert.equal(fnv1a('foobar'), 0xbf9cf968);
});

test('fnv1a hashes UTF-8 bytes: non-ASCII, astral and lone surrogates as Node encodes them', () => {
  for (const s of ['nœud-ünïcödé-節點', '😀 emoji', 'a\ud800b', '\udc00', 'x\ud83d', 'cluster="prod",node="worker-1"']) {
    assert.equal(fnv1a(s), referenceFnv(s), JSON.stringify(s));
  }
});

test('fnv1a streams: hashing a prefix then the rest equals hashing the whole', () => {
  assert.equal(fnv1a('node="a"', fnv1a('kube{')), fnv1a('kube{node="a"'));
});

test('the split is pinned: these owners must never change between versions (replicas of mixed versions must agree)', () => {
  // If this fails, the hash changed: every deployed StatefulSet would reshuffle
  // its work on upgrade, and replicas of two versions would overlap or miss work.
  const owners = ['kubelet_minor_version', 'node_os_info', 'pod_ready', 'a', 'b', 'c'].map((n) => ownerOfTransformation(n, 3));
  assert.deepEqual(owners, PINNED);
});
// Computed independently with a Python re-implementation (FNV-1a over UTF-8, fmix32, highest score wins).
const PINNED = [1, 1, 2, 0, 0, 2];

test('count 1 owns everything; ownerOfHash stays in range and has no ties', () => {
  assert.equal(ownerOfTransformation('anything', 1), 0);
  assert.equal(ownerOfSeries('t', 'a="b"', 1), 0);
  for (let h = 0; h < 2000; h++) {
    const o = ownerOfHash(Math.imul(h, 0x9e3779b1) >>> 0, 7);
    assert.ok(o >= 0 && o < 7);
  }
});

test('transformations spread evenly: 10 000 names over 4 shards within 5% of a quarter each', () => {
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 10_000; i++) counts[ownerOfTransformation(`transformation_${i}`, 4)]! += 1;
  for (const c of counts) assert.ok(Math.abs(c - 2500) < 125, `${counts.join(',')}`);
});

test('adding a replica moves only keys to the new index (about 1/(N+1) of them)', () => {
  let moved = 0;
  for (let i = 0; i < 10_000; i++) {
    const before = ownerOfSeries('t', `node="n${i}"`, 4);
    const after = ownerOfSeries('t', `node="n${i}"`, 5);
    if (before !== after) {
      moved++;
      assert.equal(after, 4, 'a key only ever moves to the new index');
    }
  }
  assert.ok(moved > 1700 && moved < 2300, `moved ${moved} of 10000, expected ~2000`);
});

test('runsHere: shard_by transformation on its owner only; shard_by series everywhere', () => {
  const t = { name: 'kubelet_minor_version' };
  const owner = ownerOfTransformation(t.name, 3);
  for (let i = 0; i < 3; i++) {
    assert.equal(runsHere({ count: 3, index: i }, t), i === owner);
    assert.equal(runsHere({ count: 3, index: i }, { ...t, shardBy: 'series' }), true);
  }
  assert.equal(runsHere(WHOLE, t), true);
});

test('shardProblem rejects count < 1, index out of range and non-integers', () => {
  assert.equal(shardProblem(1, 0), undefined);
  assert.equal(shardProblem(3, 2), undefined);
  assert.match(shardProblem(0, 0) ?? '', /--shard.count must be an integer >= 1/);
  assert.match(shardProblem(3, 3) ?? '', /0 <= index < --shard.count \(got index 3, count 3\)/);
  assert.match(shardProblem(3, -1) ?? '', /got index -1/);
  assert.match(shardProblem(2.5, 0) ?? '', /--shard.count/);
});

function result(texts: readonly string[], value: number, previous?: PreviousSeries, owns?: (key: string) => boolean) {
  const t = new Transformer(
    transformationConfig({ name: 't', shardBy: 'series', valueFromLabel: 'v', preserveLabels: ['node'] }),
    previous,
  );
  for (const x of texts) t.add({ node: x.slice('node="'.length, -1), v: String(value) }, 1);
  return t.finish(owns);
}

test('seriesOwner leaves shard_by transformation and unsharded results as they are', () => {
  assert.equal(seriesOwner({ name: 't' }, { count: 3, index: 0 }), undefined);
  assert.equal(seriesOwner({ name: 't', shardBy: 'series' }, WHOLE), undefined);
});

test("the transformer keeps this shard's series with a matching index, and detects the steady state", () => {
  const texts = Array.from({ length: 300 }, (_, i) => `node="n${i}"`);
  const owns = seriesOwner({ name: 't', shardBy: 'series' }, { count: 3, index: 1 });
  const first = result(texts, 1, undefined, owns);
  assert.deepEqual(
    first.series.map((s) => s.labelText),
    texts.filter((x) => ownerOfSeries('t', x, 3) === 1).sort(),
  );
  assert.ok(first.series.length > 70 && first.series.length < 130, `${first.series.length}`);
  assert.deepEqual(
    [...first.index.keys()],
    first.series.map((s) => s.labelText),
  );
  assert.equal(first.unchanged, false);
  assert.equal(first.sourceSeries, 300, 'other fields pass through');
  const second = result(texts, 1, first, owns);
  assert.equal(second.unchanged, true);
  assert.equal(second.series, first.series, 'the previous array is reused');
  const third = result(texts, 2, first, owns);
  assert.equal(third.unchanged, false, 'a changed value is a change');
});

test('filterShard over all indexes partitions the series in their order', () => {
  const series = Array.from({ length: 50 }, (_, i) => ({ labelText: `i="${i}"` }));
  const parts = [0, 1, 2].map((index) => filterShard('t', series, { count: 3, index }));
  assert.equal(
    parts.reduce((n, p) => n + p.length, 0),
    50,
  );
  assert.deepEqual(
    parts
      .flat()
      .map((s) => s.labelText)
      .sort(),
    series.map((s) => s.labelText).sort(),
  );
});
