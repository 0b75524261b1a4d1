/** One push's samples of one shard, encoded (and compressed) once by the output (at most max_samples_per_send). */
export interface Batch {
  /** The encoded samples (remote write: a snappy-compressed protobuf WriteRequest). */
  readonly body: Buffer;
  readonly samples: number;
  /** The newest sample timestamp in it (for the highest-sent-timestamp metric). */
  readonly newestMs: number;
  /** The shard its series hash to, out of `shards`. */
  readonly shard: number;
  readonly shards: number;
}

interface Entry {
  readonly batch: Batch;
  /** Arrival order over all shards: the oldest is dropped first, and a handover keeps the order. */
  readonly seq: number;
  /** Handed over from an endpoint with another shard count: sent first, alone (see `carry`). */
  readonly carried: boolean;
}

/**
 * The bounded queue of one endpoint: a FIFO per shard. A shard's series are
 * only ever in its own FIFO, and a shard sends one request at a time, so each
 * series' samples leave in time order (receivers reject samples older than a
 * series' newest) while the shards send in parallel. Past `capacity` samples
 * the oldest waiting batches (over all shards) are dropped, never one in flight.
 */
export class ShardedQueue {
  readonly #lanes: Entry[][];
  /** Per shard: how many batches at the head of its FIFO are in flight (taken, not yet done). */
  readonly #taken: number[];
  #samples = 0;
  #seq = 0;
  #carried = 0;

  constructor(
    readonly capacity: number,
    readonly shards: number,
  ) {
    this.#lanes = Array.from({ length: shards }, () => []);
    this.#taken = new Array<number>(shards).fill(0);
  }

  /** Samples held, including those in flight. */
  get samples(): number {
    return this.#samples;
  }

  get length(): number {
    return this.#lanes.reduce((n, l) => n + l.length, 0);
  }

  /** Batches held for `shard` (in flight or waiting; carried batches count for shard 0). */
  waiting(shard: number): number {
    return this.#lanes[shard]?.length ?? 0;
  }

  /**
   * Adds a batch; returns how many samples of older batches were dropped to
   * make room. A batch split for another shard count (handed over on reload)
   * is carried: queued on shard 0, and no other shard sends until every
   * carried batch is gone, as its series may now hash to any shard. (A
   * handover that holds any such batch carries all of its batches.)
   */
  push(batch: Batch, carried = batch.shards !== this.shards): number {
    const lane = this.#lanes[carried ? 0 : batch.shard];
    if (!lane) throw new Error(`internal: no shard ${batch.shard}`);
    const entry = { batch, seq: this.#seq++, carried };
    lane.push(entry);
    if (carried) this.#carried++;
    this.#samples += batch.samples;
    let dropped = 0;
    while (this.#samples > this.capacity) {
      const oldest = this.oldestWaiting(entry);
      if (!oldest) break;
      dropped += oldest.batch.samples;
      this.remove(oldest.shard, oldest.index, 1);
    }
    return dropped;
  }

  private oldestWaiting(except: Entry): { shard: number; index: number; batch: Batch } | undefined {
    let best: { shard: number; index: number; batch: Batch; seq: number } | undefined;
    this.#lanes.forEach((lane, shard) => {
      const index = this.#taken[shard] ?? 0;
      const e = lane[index];
      if (e && e !== except && (!best || e.seq < best.seq)) best = { shard, index, batch: e.batch, seq: e.seq };
    });
    return best;
  }

  private remove(shard: number, index: number, count: number): void {
    for (const e of this.#lanes[shard]?.splice(index, count) ?? []) {
      this.#samples -= e.batch.samples;
      if (e.carried) this.#carried--;
    }
  }

  /**
   * Takes the head batches of `shard` for one request: as many as fit in
   * `maxSamples` (at least one), merged so a backlog leaves in few large
   * requests. Undefined when the shard has nothing to send, one in flight,
   * or must wait for carried batches.
   */
  take(shard: number, maxSamples: number): Batch[] | undefined {
    const lane = this.#lanes[shard];
    if (!lane || lane.length === 0 || (this.#taken[shard] ?? 0) > 0) return undefined;
    if (this.#carried > 0 && shard !== 0) return undefined;
    const out: Batch[] = [];
    let n = 0;
    for (const e of lane) {
      if (out.length > 0 && (n + e.batch.samples > maxSamples || e.carried !== lane[0]?.carried)) break;
      out.push(e.batch);
      n += e.batch.samples;
    }
    this.#taken[shard] = out.length;
    return out;
  }

  /** The shard's request is over (sent or given up): its batches leave the queue. */
  done(shard: number): void {
    this.remove(shard, 0, this.#taken[shard] ?? 0);
    this.#taken[shard] = 0;
  }

  /** The shard's request was abandoned (stopping): its batches stay, first in line. */
  release(shard: number): void {
    this.#taken[shard] = 0;
  }

  /** True while carried batches hold back every shard but 0. */
  get carrying(): boolean {
    return this.#carried > 0;
  }

  /** Empties the queue, returning what it held in arrival order. */
  drain(): Batch[] {
    const all = this.#lanes.flatMap((l) => l.splice(0)).sort((a, b) => a.seq - b.seq);
    this.#taken.fill(0);
    this.#samples = 0;
    this.#carried = 0;
    return all.map((e) => e.batch);
  }
}
