import type { ManagedProcess } from './process.js';

const TAIL_CHARS = 8 * 1024;

/** The last maxChars of a process's output, framed with its name, PID and state. */
export function formatLogTail(proc: ManagedProcess, maxChars = TAIL_CHARS): string {
  const all = proc.logs();
  const tail = all.length > maxChars ? `[...${all.length - maxChars} chars cut...]\n${all.slice(-maxChars)}` : all;
  const info = proc.exitInfo();
  const state = info === undefined ? 'running' : `exited code=${String(info.code)} signal=${String(info.signal)}`;
  return `----- ${proc.name} (pid ${proc.pid}, ${state}) last output -----\n${tail.trimEnd() || '(no output)'}\n----- end ${proc.name} -----`;
}

/**
 * Run fn; if it throws, append the tail of each process's logs to the error
 * message and rethrow, so a failing e2e test shows what the servers said.
 */
export async function withLogs<T>(procs: Array<ManagedProcess | undefined>, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const present = procs.filter((p): p is ManagedProcess => p !== undefined);
    if (present.length === 0) throw err;
    const logText = present.map((p) => formatLogTail(p)).join('\n');
    if (err instanceof Error) {
      err.message = `${err.message}\n\n${logText}`;
      // Keep the stack consistent with the message (node:test prints the stack).
      if (err.stack !== undefined) {
        const firstFrame = err.stack.indexOf('\n    at ');
        const frames = firstFrame >= 0 ? err.stack.slice(firstFrame) : '';
        err.stack = `${err.name}: ${err.message}${frames}`;
      }
      throw err;
    }
    throw new Error(`${String(err)}\n\n${logText}`, { cause: err });
  }
}
