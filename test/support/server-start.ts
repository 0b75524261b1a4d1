import { formatLogTail } from './logs.js';
import { freePort, isPortFree } from './ports.js';
import type { ManagedProcess } from './process.js';

const MAX_ATTEMPTS = 3;
const PORT_IN_USE = /address already in use/i;

/** Thrown by a readiness check when the port is answered by some other server. */
export class PortTakenError extends Error {
  override name = 'PortTakenError';
}

/**
 * Start a server process on a port and wait until it is ready. `ready` should also
 * verify that the server answering is the one we started (throw PortTakenError if
 * not). When the port was picked by freePort() and got taken, retry on a new port.
 * On failure the process is stopped and its log tail is included in the error.
 */
export async function startOnPort(opts: {
  fixedPort?: number | undefined;
  launch: (port: number) => Promise<ManagedProcess>;
  ready: (port: number, proc: ManagedProcess) => Promise<void>;
}): Promise<{ port: number; proc: ManagedProcess }> {
  for (let attempt = 1; ; attempt++) {
    const port = opts.fixedPort ?? (await freePort());
    const canRetry = opts.fixedPort === undefined && attempt < MAX_ATTEMPTS;
    if (!(await isPortFree(port))) {
      if (canRetry) continue;
      throw new PortTakenError(`127.0.0.1:${port} is already in use`);
    }
    const proc = await opts.launch(port);
    try {
      await opts.ready(port, proc);
      return { port, proc };
    } catch (err) {
      await proc.stop();
      if (canRetry && (err instanceof PortTakenError || PORT_IN_USE.test(proc.logs()))) continue;
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`${proc.describe()} did not become ready: ${message}\n\n${formatLogTail(proc)}`, { cause: err });
    }
  }
}
