/**
 * Property-based tests of the shard split (issue 8): for any set of keys and
 * any replica count, the parts of all indexes are pairwise disjoint and their
 * union is the whole; the owner of a key depends on nothing but the key and
 * the count (not on order, not on the other keys); and growing from N to N+1
 * replicas only ever moves a key to the new index.
 *
 * Reproducible: fixed seed (override with FC_SEED=<n>).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { filterShard, ownerOfSeries, ownerOfTransformation, runsHere, type ShardBy } from '../../src/transform/shard.js';

const SEED = Number(process.env['FC_SEED'] ?? 0x5a4d);
const params = { seed: SEED, numRuns: 300 };

const labelTexts = fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 40 }), { maxLength: 200 });
const counts = fc.integer({ min: 1, max: 16 });

test('series: the parts of all indexes are disjoint and their union is the whole, in order', () => {
  fc.assert(
    fc.property(fc.string(), labelTexts, counts, (name, texts, count) => {
      const series = texts.map((labelText) => ({ labelText }));
      const seen = new Map<string, number>();
      for (let index = 0; index < count; index++) {
        const part = filterShard(name, series, { count, index });
        // Order kept: a part is a subsequence of the sorted input.
        let last = -1;
        for (const s of part) {
          assert.equal(seen.has(s.labelText), false, `${JSON.stringify(s.labelText)} on two shards`);
          seen.set(s.labelText, index);
          const at = texts.indexOf(s.labelText);
          assert.ok(at > last);
          last = at;
        }
      }
      assert.equal(seen.size, texts.length, 'every series on some shard');
    }),
    params,
  );
});

test('transformations: exactly one replica runs each shard_by: transformation one; every replica runs shard_by: series', () => {
  const transformations = fc.uniqueArray(
    fc.record({
      name: fc.string({ unit: 'binary', maxLength: 30 }),
      shardBy: fc.constantFrom<ShardBy | undefined>(undefined, 'transformation', 'series'),
    }),
    { selector: (t) => t.name, maxLength: 60 },
  );
  fc.assert(
    fc.property(transformations, counts, (ts, count) => {
      for (const t of ts) {
        const runners = Array.from({ length: count }, (_, index) => index).filter((index) => runsHere({ count, index }, t));
        assert.equal(runners.length, t.shardBy === 'series' ? count : 1);
      }
    }),
    params,
  );
});

test('stable: an owner depends only on the key and the count, not on order or the other keys', () => {
  fc.assert(
    fc.property(fc.string(), labelTexts, counts, fc.integer(), (name, texts, count, seed) => {
      const shuffled =
        fc.sample(fc.shuffledSubarray(texts, { minLength: texts.length, maxLength: texts.length }), { seed, numRuns: 1 })[0] ?? texts;
      for (let index = 0; index < count; index++) {
        const a = new Set(
          filterShard(
            name,
            texts.map((labelText) => ({ labelText })),
            { count, index },
          ).map((s) => s.labelText),
        );
        const b = new Set(
          filterShard(
            name,
            shuffled.map((labelText) => ({ labelText })),
            { count, index },
          ).map((s) => s.labelText),
        );
        assert.deepEqual(b, a);
        // A key's owner with the others gone is the same.
        for (const x of a) assert.equal(ownerOfSeries(name, x, count), index);
      }
    }),
    params,
  );
});

test('growing from N to N+1 replicas only moves keys to the new index', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), fc.integer({ min: 1, max: 31 }), (key, n) => {
      const before = ownerOfTransformation(key, n);
      const after = ownerOfTransformation(key, n + 1);
      assert.ok(after === before || after === n, `${before} → ${after}`);
    }),
    { seed: SEED, numRuns: 2000 },
  );
});
