import type { Writable } from 'node:stream';
import { claimedNames } from '../model/family-names.js';
import type { FamilySnapshot } from '../snapshot/family.js';
import type { ExpositionFormat } from './format.js';
import { renderHeader } from './render.js';

/**
 * Largest slice handed to the socket at once. A write is copied into the
 * kernel synchronously, on the event loop: one 10 MB write of a big family
 * held the loop for milliseconds per concurrent scrape. Slices (views, not
 * copies) let other requests in between.
 */
const SLICE = 64 * 1024;
/**
 * Bytes all bodies together may hand to sockets in one turn of the event
 * loop. Slices alone were not enough: a socket that takes every write at once
 * (loopback, a fast client) never applies back-pressure, so each scrape wrote
 * its whole 13 MB body without yielding, and with 50 plain scrapers of 100k
 * series `/-/healthy` waited up to 3.8 s. Past the budget a writer waits for
 * the next turn (setImmediate, after pending I/O), so a probe waits for at
 * most ~1 MiB of copying, whatever the number of scrapers.
 */
const TURN_BUDGET = 1024 * 1024;

/**
 * Shares `TURN_BUDGET` between all writers of this process, turn by turn,
 * first come first served. Only as many waiters as the budget covers are
 * woken per turn: waking all of them to find most still over budget cost as
 * much as the writes.
 */
class TurnBudget {
  private left = TURN_BUDGET;
  private readonly waiting: Array<{ readonly bytes: number; readonly resume: () => void }> = [];
  private scheduled = false;

  /** Undefined when `bytes` may be written now; else resolves in the turn that may. */
  take(bytes: number): Promise<void> | undefined {
    this.schedule();
    if (this.left > 0 && this.waiting.length === 0) {
      this.left -= bytes;
      return undefined;
    }
    return new Promise<void>((resume) => this.waiting.push({ bytes, resume }));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.refill());
  }

  private refill(): void {
    this.scheduled = false;
    this.left = TURN_BUDGET;
    let woken = 0;
    while (this.left > 0 && woken < this.waiting.length) {
      const w = this.waiting[woken++] as { readonly bytes: number; readonly resume: () => void };
      this.left -= w.bytes;
      w.resume();
    }
    this.waiting.splice(0, woken);
    if (this.waiting.length > 0) this.schedule();
  }
}

const budget = new TurnBudget();

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function put(out: Writable, chunk: string | Buffer): Promise<void> {
  if (typeof chunk === 'string' || chunk.length <= SLICE) {
    const turn = budget.take(chunk.length);
    if (turn) await turn;
    if (!out.write(chunk)) await drained(out);
    return;
  }
  for (let i = 0; i < chunk.length; i += SLICE) {
    const turn = budget.take(SLICE);
    if (turn) await turn;
    if (!out.write(chunk.subarray(i, i + SLICE))) await drained(out);
  }
}

/** Waits for 'drain'; fails when the stream closes or errors first (a client gone never drains, and must not hold the writer for ever). */
function drained(out: Writable): Promise<void> {
  if (out.destroyed) return Promise.reject(new Error(GONE));
  return new Promise<void>((resolve, reject) => {
    const done = (e?: Error) => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      out.off('error', done);
      if (e) reject(e);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error(GONE));
    out.on('drain', onDrain);
    out.on('close', onClose);
    out.on('error', done);
  });
}

const GONE = 'the connection closed before the answer was written';

/** One metric family as served: its name, the transformation's snapshot and its rendered sample lines. */
export interface ServedFamily {
  readonly name: string;
  readonly snapshot: FamilySnapshot;
  readonly samples: Buffer;
}

/**
 * The families /metrics serves, in the order it serves them: by family name,
 * then transformation name (the same order whatever order runs finished in).
 * A dynamic name may produce a name another family already occupies (`x_total`
 * of a counter `x`, `x_count` of a histogram `x`): the first in that order is
 * served, never both. Remote write pushes exactly these.
 */
export function servedFamilies(families: ReadonlyMap<string, FamilySnapshot>): ServedFamily[] {
  const rendered: ServedFamily[] = [];
  for (const snapshot of families.values())
    for (const f of snapshot.families) rendered.push({ name: f.name, snapshot, samples: f.samples });
  rendered.sort((a, b) => cmp(a.name, b.name) || cmp(a.snapshot.name, b.snapshot.name));
  const taken = new Set<string>();
  return rendered.filter((f) => {
    const names = claimedNames(f.name, f.snapshot.type);
    if (names.some((n) => taken.has(n))) return false;
    for (const n of names) taken.add(n);
    return true;
  });
}

/**
 * Writes a whole exposition: every family in name order (pre-rendered
 * samples, written as they are), then the exporter's own metrics, then
 * `# EOF` for OpenMetrics. Honours back-pressure, so a large body is sent in
 * chunks without blocking the event loop or building one giant string.
 */
export async function writeExposition(
  out: Writable,
  families: ReadonlyMap<string, FamilySnapshot>,
  selfMetrics: string,
  format: ExpositionFormat,
): Promise<void> {
  for (const f of servedFamilies(families)) {
    await put(
      out,
      renderHeader(
        {
          name: f.name,
          help: f.snapshot.help,
          type: f.snapshot.type,
          ...(f.snapshot.stateLabel === undefined ? {} : { stateLabel: f.snapshot.stateLabel }),
        },
        format,
      ),
    );
    if (f.samples.length > 0) await put(out, f.samples);
  }
  await put(out, selfMetrics);
  if (format === 'openmetrics') await put(out, '# EOF\n');
}
