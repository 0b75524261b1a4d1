import type { Server } from 'node:http';
import type { Logger } from '../logging/logger.js';
import { DeadlineExceeded, withDeadline } from '../model/deadline.js';

/**
 * SIGTERM and SIGINT wait this long for a clean stop (runs aborted, remote
 * write flushing its queue for up to 5 s, connections closed), then the
 * process exits anyway: a hung source or receiver never holds a shutdown.
 * Below Kubernetes' default grace period of 30 s.
 */
export const SHUTDOWN_DEADLINE_SECONDS = 10;

/** Runs `stop` within the shutdown deadline: true when it finished, false (logged) when it failed or the deadline fired first. */
export async function stopWithin(stop: () => Promise<void>, seconds: number, logger: Logger): Promise<boolean> {
  try {
    await withDeadline('shutdown deadline', seconds, undefined, () => stop());
    return true;
  } catch (e) {
    const message = e instanceof DeadlineExceeded ? `${e.message}; exiting without waiting for the rest` : 'shutdown failed; exiting';
    logger.error({ err: (e as Error)?.message ?? String(e) }, message);
    return false;
  }
}

/**
 * Runs until SIGTERM or SIGINT; `onHangup` is called on every SIGHUP meanwhile. Then logs the shutdown and makes a
 * second SIGTERM/SIGINT exit at once, while the caller stops within the deadline.
 */
export async function untilStopSignal(logger: Logger, onHangup: () => void): Promise<void> {
  process.on('SIGHUP', onHangup);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  process.off('SIGHUP', onHangup);
  logger.info({ signal, deadline_seconds: SHUTDOWN_DEADLINE_SECONDS }, 'shutting down');
  const again = (second: NodeJS.Signals) => {
    logger.warn({ signal: second }, 'second signal while shutting down: exiting at once');
    process.exit(1);
  };
  process.once('SIGTERM', again);
  process.once('SIGINT', again);
}

/** Closes the HTTP server: idle connections at once, busy ones when their answer is done or after 2 s. */
export async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const force = setTimeout(() => server.closeAllConnections(), 2000);
  await closed;
  clearTimeout(force);
}
