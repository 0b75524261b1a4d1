import type { ManagedProcess } from './process.js';

export interface WaitOptions {
  timeoutMs: number;
  /** Delay between attempts (default 100 ms). */
  intervalMs?: number;
  /** What we are waiting for; named in the timeout error. */
  what: string;
  /** Fail immediately (instead of at timeout) when this process has exited. */
  process?: ManagedProcess | undefined;
  /** Extra detail appended to the timeout error (e.g. the last observed value). */
  detail?: () => string;
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Call fn until it returns something other than undefined/false, and return that.
 * Errors thrown by fn count as "not yet" and the last one is reported on timeout.
 */
export async function waitFor<T>(fn: () => Promise<T | undefined | false>, opts: WaitOptions): Promise<T> {
  const intervalMs = opts.intervalMs ?? 100;
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      const result = await fn();
      if (result !== undefined && result !== false) return result;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    const proc = opts.process;
    if (proc !== undefined && !proc.isRunning()) {
      const info = proc.exitInfo();
      throw new Error(`${proc.name} exited (code ${String(info?.code)}, signal ${String(info?.signal)}) while waiting for ${opts.what}`);
    }
    if (Date.now() >= deadline) {
      const parts = [`timed out after ${opts.timeoutMs} ms (${attempts} attempts) waiting for ${opts.what}`];
      if (lastError !== undefined) parts.push(`last error: ${errorText(lastError)}`);
      if (opts.detail) parts.push(opts.detail());
      throw new Error(parts.join('; '));
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

/** Poll url with GET until it answers expectStatus. */
export async function waitForHttp(
  url: string,
  timeoutMs: number,
  expectStatus = 200,
  opts: { process?: ManagedProcess | undefined } = {},
): Promise<void> {
  let lastStatus = 'no response';
  await waitFor(
    async () => {
      const res = await fetch(url, { signal: AbortSignal.timeout(Math.min(2000, timeoutMs)) });
      await res.arrayBuffer();
      lastStatus = `HTTP ${res.status}`;
      return res.status === expectStatus;
    },
    {
      timeoutMs,
      intervalMs: 100,
      what: `${url} to answer HTTP ${expectStatus}`,
      process: opts.process,
      detail: () => `last status: ${lastStatus}`,
    },
  );
}
