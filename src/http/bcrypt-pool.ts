import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DeadlineExceeded } from '../model/deadline.js';
import type { VerifyDone, VerifyTask } from './bcrypt-worker.js';

/** Thrown by `verify` when `maxQueue` comparisons already wait: answer "busy" at once instead of queueing without bound. */
export class BcryptBusy extends Error {
  constructor() {
    super('too many password verifications in progress');
    this.name = 'BcryptBusy';
  }
}

export interface BcryptPoolOptions {
  /** Worker threads; default: one per core but one (left to the event loop), at least 1, at most 4. */
  readonly size?: number;
  /** Comparisons that may wait for a worker; more are refused with `BcryptBusy`. */
  readonly maxQueue?: number;
  /** Deadline of one comparison from the moment it is asked for, queueing included. */
  readonly timeoutSeconds?: number;
}

interface Pending extends VerifyTask {
  readonly resolve: (done: VerifyDone) => void;
  readonly reject: (e: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

interface Slot {
  readonly worker: Worker;
  task: Pending | undefined;
}

const WORKER_URL = new URL('./bcrypt-worker.js', import.meta.url);

/**
 * bcrypt comparisons on worker threads (bcryptjs is pure JavaScript: on the
 * event loop, 16 clients sending wrong passwords pushed `/-/healthy` to 5.5 s).
 * Bounded: `size` threads, `maxQueue` waiting, each comparison under a
 * deadline; a worker still busy at the deadline (a cost-31 hash runs for
 * days) is terminated and replaced. Workers start on first use and do not
 * keep the process alive.
 */
export class BcryptPool {
  private readonly size: number;
  private readonly maxQueue: number;
  private readonly timeoutSeconds: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 0;

  constructor(options: BcryptPoolOptions = {}) {
    this.size = options.size ?? Math.max(1, Math.min(4, availableParallelism() - 1));
    this.maxQueue = options.maxQueue ?? 32;
    this.timeoutSeconds = options.timeoutSeconds ?? 10;
  }

  /** Whether `password` matches the bcrypt `hash`, with the thread time the comparison took. */
  verify(password: string, hash: string): Promise<VerifyDone> {
    if (this.queue.length >= this.maxQueue) return Promise.reject(new BcryptBusy());
    return new Promise<VerifyDone>((resolve, reject) => {
      const task: Pending = { id: this.nextId++, password, hash, resolve, reject, timer: undefined };
      task.timer = setTimeout(() => this.expire(task), this.timeoutSeconds * 1000);
      this.queue.push(task);
      this.pump();
    });
  }

  /** Stops every worker; pending comparisons fail. */
  async close(): Promise<void> {
    for (const t of this.queue.splice(0)) this.settle(t, new Error('bcrypt pool closed'));
    await Promise.all(
      this.slots.splice(0).map((s) => {
        if (s.task) this.settle(s.task, new Error('bcrypt pool closed'));
        return s.worker.terminate();
      }),
    );
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const slot = this.slots.find((s) => s.task === undefined) ?? (this.slots.length < this.size ? this.spawn() : undefined);
      if (!slot) return;
      const task = this.queue.shift() as Pending;
      slot.task = task;
      const message: VerifyTask = { id: task.id, password: task.password, hash: task.hash };
      slot.worker.postMessage(message);
    }
  }

  private spawn(): Slot {
    // A small heap: a comparison needs almost none, and a leak must not grow the process.
    const worker = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } });
    worker.unref();
    const slot: Slot = { worker, task: undefined };
    worker.on('message', (done: VerifyDone) => {
      const task = slot.task;
      if (!task || task.id !== done.id) return;
      slot.task = undefined;
      this.settle(task, done);
      this.pump();
    });
    const gone = (e: Error) => {
      const i = this.slots.indexOf(slot);
      if (i < 0) return;
      this.slots.splice(i, 1);
      if (slot.task) this.settle(slot.task, e);
      slot.task = undefined;
      this.pump();
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`bcrypt worker exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  private expire(task: Pending): void {
    task.timer = undefined;
    const queued = this.queue.indexOf(task);
    if (queued >= 0) this.queue.splice(queued, 1);
    const slot = this.slots.find((s) => s.task === task);
    if (slot) {
      // Busy in a comparison that cannot be interrupted otherwise: replace the thread.
      this.slots.splice(this.slots.indexOf(slot), 1);
      slot.task = undefined;
      void slot.worker.terminate();
    }
    task.reject(new DeadlineExceeded('bcrypt verification deadline', this.timeoutSeconds));
    this.pump();
  }

  private settle(task: Pending, outcome: VerifyDone | Error): void {
    if (task.timer === undefined) return;
    clearTimeout(task.timer);
    task.timer = undefined;
    if (outcome instanceof Error) task.reject(outcome);
    else task.resolve(outcome);
  }
}
