import { compress, uncompress } from 'snappyjs';
import { encodeWriteRequest, type RemoteSample } from './protobuf.js';
import type { Batch } from '../delivery/queue.js';

/**
 * The shard of a series: FNV-1a over its label names and values. Stable for
 * a series (so all its samples go through one shard, in order) and cheap
 * (one pass over the label text, about what encoding it costs).
 */
export function shardOf(labels: RemoteSample['labels'], shards: number): number {
  if (shards <= 1) return 0;
  let h = 0x811c9dc5;
  const mix = (s: string) => {
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0xff, 0x01000193); // separator: ("ab","c") and ("a","bc") differ
  };
  for (const [name, value] of labels) {
    mix(name);
    mix(value);
  }
  return (h >>> 0) % shards;
}

/** One push's samples as batches: split by shard, at most `maxPerSend` each, encoded and compressed once. */
export function toBatches(samples: readonly RemoteSample[], shards: number, maxPerSend: number): Batch[] {
  const byShard: RemoteSample[][] = Array.from({ length: shards }, () => []);
  for (const s of samples) byShard[shardOf(s.labels, shards)]?.push(s);
  const out: Batch[] = [];
  byShard.forEach((list, shard) => {
    for (let i = 0; i < list.length; i += maxPerSend) {
      const chunk = list.slice(i, i + maxPerSend);
      const newestMs = chunk.reduce((m, s) => Math.max(m, s.timestampMs), 0);
      out.push({ body: compress(encodeWriteRequest(chunk)), samples: chunk.length, newestMs, shard, shards });
    }
  });
  return out;
}

/**
 * The body of one request carrying `batches` in order. Concatenated protobuf
 * messages are one message whose repeated fields are concatenated, so the
 * WriteRequests' bytes are joined as they are; only the snappy block is redone
 * (done only when a backlog is merged: bounded by max_samples_per_send).
 */
export function requestBody(batches: readonly Batch[]): Buffer {
  const first = batches[0];
  if (batches.length === 1 && first) return first.body;
  return compress(Buffer.concat(batches.map((b) => uncompress(b.body))));
}
