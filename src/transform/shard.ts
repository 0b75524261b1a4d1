/**
 * Sharding: which replica of `--shard.count N` serves what.
 *
 * Every decision is a pure function of a key (a transformation's name, or a
 * transformation's name plus an output series' label text) and N. Nothing
 * depends on the order of the config, on time, on the process or on Node's
 * version, so every replica computes the same split independently, and a
 * restart computes it again unchanged. The union over all indexes is the whole
 * and no key has two owners (tested as properties in shard.test.ts).
 *
 * The owner of a key is chosen by rendezvous (highest random weight) hashing:
 * each index scores the key and the highest score wins. A key's owner depends
 * only on that key, so adding or removing a transformation (or a series)
 * never moves another; and going from N to N+1 replicas moves only the ~1/(N+1)
 * of the keys that the new index now wins (`hash mod N` would move almost all).
 *
 * The hash: 32-bit FNV-1a over the key's UTF-8 bytes, then murmur3's fmix32
 * finaliser mixed with the index for the score. FNV-1a is a few lines with no
 * dependency, defined on bytes (an operator can reproduce it in any language)
 * and streams, so a transformation's name is hashed once and every series only
 * adds its label text. Its weak avalanche on short keys is what the finaliser
 * fixes. A cryptographic hash would be ~10× slower for no gain (the keys are
 * not adversarial: they come from the operator's config and sources), and
 * xxhash would mean a native or WASM dependency. See `bench` notes in the
 * docs/operations.md "Sharding" for the cost per series.
 */

/** This replica's place among its siblings: `0 <= index < count`. */
export interface Shard {
  readonly count: number;
  readonly index: number;
}

/** The whole: a single, unsharded exporter. */
export const WHOLE: Shard = { count: 1, index: 0 };

/** How a transformation is split between replicas (`shard_by`). */
export type ShardBy = 'transformation' | 'series';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * Continues a 32-bit FNV-1a hash over the UTF-8 bytes of `s`.
 * Hot path (one call per output series with `shard_by: series`): encodes
 * UTF-8 inline instead of allocating a Buffer per string.
 */
export function fnv1a(s: string, h = FNV_OFFSET): number {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      h = Math.imul(h ^ c, FNV_PRIME);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        i++;
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
      }
    }
    // A lone surrogate is encoded as U+FFFD, as TextEncoder does.
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x800) {
      h = Math.imul(h ^ (0xc0 | (c >> 6)), FNV_PRIME);
    } else if (c < 0x10000) {
      h = Math.imul(h ^ (0xe0 | (c >> 12)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), FNV_PRIME);
    } else {
      h = Math.imul(h ^ (0xf0 | (c >> 18)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((c >> 12) & 0x3f)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), FNV_PRIME);
    }
    h = Math.imul(h ^ (0x80 | (c & 0x3f)), FNV_PRIME);
  }
  return h >>> 0;
}

/** murmur3's 32-bit finaliser: a bijection with full avalanche. */
function fmix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Per-index salts, so each index ranks keys in its own pseudo-random order. */
function salt(index: number): number {
  return fmix32(Math.imul(index + 1, 0x9e3779b1));
}

/** Salts of indexes 0..n-1, computed once per count (a run asks per series). */
const SALTS: number[] = [];
function salts(count: number): readonly number[] {
  for (let i = SALTS.length; i < count; i++) SALTS.push(salt(i));
  return SALTS;
}

/**
 * The index (0..count-1) that owns a key, given the key's `fnv1a` hash.
 * Scores of one key are distinct for distinct indexes (fmix32 is a bijection
 * and the salts differ), so there are no ties.
 */
export function ownerOfHash(hash: number, count: number): number {
  const salt = salts(count);
  let best = 0;
  let bestScore = -1;
  for (let i = 0; i < count; i++) {
    const score = fmix32(hash ^ (salt[i] as number));
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return best;
}

/** The index that runs a `shard_by: transformation` transformation. */
export function ownerOfTransformation(name: string, count: number): number {
  return count <= 1 ? 0 : ownerOfHash(fnv1a(name), count);
}

/** The hash prefix of a transformation's series keys: its name and `{`, as in `name{labels}`. */
export function seriesSeed(transformation: string): number {
  return fnv1a('{', fnv1a(transformation));
}

/** The index that serves one output series of a `shard_by: series` transformation. */
export function ownerOfSeries(transformation: string, labelText: string, count: number): number {
  return count <= 1 ? 0 : ownerOfHash(fnv1a(labelText, seriesSeed(transformation)), count);
}

/** Whether this replica runs the transformation at all (`shard_by: series` runs everywhere). */
export function runsHere(shard: Shard, t: { readonly name: string; readonly shardBy?: ShardBy | undefined }): boolean {
  return t.shardBy === 'series' || ownerOfTransformation(t.name, shard.count) === shard.index;
}

/**
 * Whether an output series (by its key) of a `shard_by: series`
 * transformation is this replica's; undefined when the transformation is not
 * split by series or there is one replica (every series is).
 */
export function seriesOwner(
  t: { readonly name: string; readonly shardBy?: ShardBy | undefined },
  shard: Shard,
): ((key: string) => boolean) | undefined {
  if (t.shardBy !== 'series' || shard.count <= 1) return undefined;
  const seed = seriesSeed(t.name);
  return (key) => ownerOfHash(fnv1a(key, seed), shard.count) === shard.index;
}

/** The series of a `shard_by: series` transformation this replica serves; all of them when unsharded. */
export function filterShard<S extends { readonly labelText: string }>(
  transformation: string,
  series: readonly S[],
  shard: Shard,
): readonly S[] {
  const owns = seriesOwner({ name: transformation, shardBy: 'series' }, shard);
  return owns ? series.filter((s) => owns(s.labelText)) : series;
}

/** Why a `--shard.count`/`--shard.index` pair is unusable, or undefined when it is fine. */
export function shardProblem(count: number, index: number): string | undefined {
  if (!Number.isSafeInteger(count) || count < 1) return `--shard.count must be an integer >= 1 (got ${count})`;
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) {
    return `--shard.index must be an integer with 0 <= index < --shard.count (got index ${index}, count ${count})`;
  }
  return undefined;
}

/** For `check` and the status page: where each transformation runs with `count` replicas. */
export function describeOwner(t: { readonly name: string; readonly shardBy?: ShardBy | undefined }, count: number): string {
  if (t.shardBy === 'series') return `every shard (split by series, shard_by: series)`;
  return `shard ${ownerOfTransformation(t.name, count)}`;
}
