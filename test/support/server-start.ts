import { formatLogTail } from './logs.js';
import { freePort } from './ports.js';
import type { ManagedProcess } from './process.js';

const MAX_ATTEMPTS = 3;
const PORT_IN_USE = /address already in use|bind: address/i;

/**
 * Start a server process on a port and wait until it is ready. When the port was
 * picked by freePort() and another process grabbed it first, retry on a new port.
 * On failure, the process is stopped and its log tail is included in the error.
 */
export async function startOnPort(opts: {
  fixedPort?: number | undefined;
  launch: (port: number) => Promise<ManagedProcess>;
  ready: (port: number, proc: ManagedProcess) => Promise<void>;
}): Promise<{ port: number; proc: ManagedProcess }> {
  for (let attempt = 1; ; attempt++) {
    const port = opts.fixedPort ?? (await freePort());
    const proc = await opts.launch(port);
    try {
      await opts.ready(port, proc);
      return { port, proc };
    } catch (err) {
      await proc.stop();
      const retryable = opts.fixedPort === undefined && attempt < MAX_ATTEMPTS && PORT_IN_USE.test(proc.logs());
      if (retryable) continue;
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`${proc.describe()} did not become ready: ${message}\n\n${formatLogTail(proc)}`, { cause: err });
    }
  }
}
