/** One request's worth of samples, encoded and compressed once, re-sent as is on retries. */
export interface Batch {
  readonly body: Buffer;
  readonly samples: number;
  /** Failed attempts so far. */
  attempts: number;
}

/**
 * The bounded FIFO of batches waiting for one endpoint. Batches leave in the
 * order they came (a receiver rejects samples older than a series' latest);
 * past `capacity` samples the oldest waiting batches are dropped, never the
 * one being sent.
 */
export class BatchQueue {
  readonly #items: Batch[] = [];
  #samples = 0;

  constructor(readonly capacity: number) {}

  /** Samples held, including the batch being sent. */
  get samples(): number {
    return this.#samples;
  }

  get length(): number {
    return this.#items.length;
  }

  peek(): Batch | undefined {
    return this.#items[0];
  }

  /** Adds a batch; returns how many samples of older batches were dropped to make room. */
  push(batch: Batch, inFlight: Batch | undefined): number {
    this.#items.push(batch);
    this.#samples += batch.samples;
    let dropped = 0;
    let i = 0;
    while (this.#samples > this.capacity && i < this.#items.length - 1) {
      const oldest = this.#items[i];
      if (oldest === undefined || oldest === inFlight) {
        i++;
        continue;
      }
      this.#items.splice(i, 1);
      this.#samples -= oldest.samples;
      dropped += oldest.samples;
    }
    return dropped;
  }

  /** Removes the head (sent, or given up). */
  shift(): Batch | undefined {
    const b = this.#items.shift();
    if (b) this.#samples -= b.samples;
    return b;
  }

  /** Empties the queue, returning what it held in order. */
  drain(): Batch[] {
    const all = this.#items.splice(0);
    this.#samples = 0;
    return all;
  }
}
