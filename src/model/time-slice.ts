/**
 * Long synchronous work (sorting, diffing and rendering a million series)
 * written as a generator that yields every few hundred items, and two ways to
 * run it: at once (`runNow`: tests, previews, small inputs) or cooperatively
 * (`runSliced`: a scheduled run), giving the event loop a turn whenever a
 * time slice is used up, so /-/healthy and scrapes stay fast at any size.
 *
 * Why yields every `CHECK_EVERY` items and not a clock read per item: reading
 * the clock costs ~50-300 ns (measured, performance.now() on a loaded 2-core
 * machine), a generator step ~10 ns; every 256 items both vanish against the
 * ~0.3-3 µs per series of the work itself.
 */

/** Work that yields (nothing) at points where it may be paused, and returns T. */
export type Steps<T> = Generator<void, T, void>;

/** Items between two pause points in the loops of cooperative work (a power of two: `(i & MASK) === 0`). */
export const CHECK_EVERY = 256;
export const CHECK_MASK = CHECK_EVERY - 1;

/** Longest stretch of work between two turns of the event loop. */
export const SLICE_MS = 8;

/** Runs `steps` to the end without pausing. */
export function runNow<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** A macrotask turn: timers, I/O and other requests run before the work goes on. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs `steps`, yielding to the event loop (setImmediate, so I/O callbacks
 * and timers run, unlike with a microtask) each time `sliceMs` of wall time
 * has passed. Between slices `signal` is honoured: an abort stops the work
 * (the generator is closed) and rejects with the signal's reason.
 */
export async function runSliced<T>(steps: Steps<T>, signal?: AbortSignal, sliceMs = SLICE_MS): Promise<T> {
  try {
    signal?.throwIfAborted();
    let end = performance.now() + sliceMs;
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      if (performance.now() < end) continue;
      await turn();
      signal?.throwIfAborted();
      end = performance.now() + sliceMs;
    }
  } finally {
    steps.return(undefined as T);
  }
}

/** Keys sorted natively at once per run (a few ms each), before the runs are merged cooperatively. */
const SORT_RUN = 4096;

/**
 * Sorts strings in the order of `Array.prototype.sort()` without a comparator
 * (UTF-16 code units, the same order as `<`), pausing as it goes: the native
 * sort cannot be interrupted and takes 0.3-1.5 s for a million label texts.
 * Runs of SORT_RUN keys are sorted natively, then merged pairwise, bottom up.
 * Returns a sorted array: `keys` itself, or a second one of the same length.
 */
export function* sortStrings(keys: string[]): Steps<string[]> {
  const n = keys.length;
  if (n <= SORT_RUN) return keys.sort();
  for (let lo = 0; lo < n; lo += SORT_RUN) {
    const run = keys.slice(lo, lo + SORT_RUN).sort();
    for (let i = 0; i < run.length; i++) keys[lo + i] = run[i] as string;
    yield;
  }
  let from = keys;
  let to = keys.slice();
  for (let width = SORT_RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) yield* merge(from, to, lo, Math.min(lo + width, n), Math.min(lo + 2 * width, n));
    [from, to] = [to, from];
  }
  return from;
}

/** Merges the sorted `from[lo, mid)` and `from[mid, hi)` into `to[lo, hi)`. */
function* merge(from: string[], to: string[], lo: number, mid: number, hi: number): Steps<void> {
  // Already in order (a source that answers sorted): a copy, no comparisons.
  if (mid >= hi || (from[mid - 1] as string) <= (from[mid] as string)) {
    for (let k = lo; k < hi; k += SORT_RUN) {
      for (let m = k, end = Math.min(k + SORT_RUN, hi); m < end; m++) to[m] = from[m] as string;
      yield;
    }
    return;
  }
  const at = { i: lo, j: mid, k: lo };
  while (at.k < hi) {
    mergeSome(from, to, at, mid, hi, Math.min(at.k + SORT_RUN, hi));
    yield;
  }
}

/** Merges until `to[end)`: the hot loop in a plain function (cheaper than inside a generator, measured ~20%). */
function mergeSome(from: string[], to: string[], at: { i: number; j: number; k: number }, mid: number, hi: number, end: number): void {
  let { i, j, k } = at;
  while (k < end) {
    if (i < mid && (j >= hi || (from[i] as string) <= (from[j] as string))) to[k++] = from[i++] as string;
    else to[k++] = from[j++] as string;
  }
  at.i = i;
  at.j = j;
  at.k = k;
}
