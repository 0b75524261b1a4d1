/**
 * Deadlines that fire whatever the garbage collector does.
 *
 * Why our own: on Node 20, `AbortSignal.timeout()` holds its timer weakly, so a
 * timeout signal reachable only through `AbortSignal.any()` can be collected
 * and then never fires (a stalled source then holds its run for ever). Here a
 * plain `setTimeout` owns the controller: the event loop's timer list keeps
 * both alive until the deadline fires or is disposed.
 */

/** The reason a `Deadline` aborts with: which deadline fired, and its length. */
export class DeadlineExceeded extends Error {
  constructor(
    /** What the deadline bounds, e.g. `run deadline (timeout)`, `request timeout`. */
    readonly what: string,
    readonly seconds: number,
  ) {
    super(`${what} of ${formatSeconds(seconds)} exceeded`);
    this.name = 'DeadlineExceeded';
  }
}

export function formatSeconds(s: number): string {
  return Number.isInteger(s) ? `${s}s` : `${Math.round(s * 1000)}ms`;
}

/**
 * An abort signal that fires after `seconds`, or when `parent` aborts (with
 * the parent's reason). Call `dispose()` when the work ends, so the timer and
 * the parent listener go away. The timer is ref'd on purpose: a pending
 * deadline keeps the process alive until it fires, as a deadline must.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onParentAbort: (() => void) | undefined;

  constructor(
    readonly what: string,
    readonly seconds: number,
    private readonly parent?: AbortSignal,
  ) {
    const c = this.controller;
    this.timer = setTimeout(() => c.abort(new DeadlineExceeded(what, seconds)), Math.max(0, seconds * 1000));
    if (parent) {
      if (parent.aborted) c.abort(parent.reason);
      else {
        this.onParentAbort = () => c.abort(parent.reason);
        parent.addEventListener('abort', this.onParentAbort, { once: true });
      }
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True when this deadline itself fired (not the parent). */
  get expired(): boolean {
    return this.controller.signal.reason instanceof DeadlineExceeded && this.controller.signal.reason.what === this.what;
  }

  dispose(): void {
    clearTimeout(this.timer);
    if (this.onParentAbort) this.parent?.removeEventListener('abort', this.onParentAbort);
  }
}

/** Runs `work` under a deadline and always disposes of it. */
export async function withDeadline<T>(
  what: string,
  seconds: number,
  parent: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const d = new Deadline(what, seconds, parent);
  try {
    return await abandonOnAbort(work(d.signal), d.signal);
  } finally {
    d.dispose();
  }
}

/**
 * Settles with `promise`, or rejects with the signal's reason as soon as the
 * signal aborts, even if `promise` never settles (work that ignores its
 * signal is abandoned, never waited for). The last line of defence: whatever
 * a dependency does, the caller's deadline holds.
 */
export function abandonOnAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => undefined);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}
