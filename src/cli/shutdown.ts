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
