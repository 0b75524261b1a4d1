import type { Logger } from '../logging/logger.js';

/** At most one warning per this long about dropped connections. */
const QUIET_MS = 60_000;

/**
 * Rate limit for the "connection limit reached" warning: the first drop is
 * logged at once, later ones are summed and logged at most once a minute, so
 * a flood of connections cannot flood the log (the counter has every drop).
 */
export class DropLog {
  private lastLogAtMs = -Infinity;
  private pending = 0;

  /** Records a drop; returns how many drops to log now (0: stay quiet). */
  due(nowMs: number): number {
    this.pending++;
    if (nowMs - this.lastLogAtMs < QUIET_MS) return 0;
    this.lastLogAtMs = nowMs;
    const n = this.pending;
    this.pending = 0;
    return n;
  }
}

/** What the connection-drop reporter works on. */
export interface DropReporterOptions {
  readonly logger: Logger;
  /** Counts one dropped connection (metrics). */
  count(): void;
  /** The server's limit, for the log. */
  maxConnections(): number;
}

/** The HTTP server's `onDrop`: counts every connection closed at the limit, and logs them at most once a minute. */
export function dropReporter(opts: DropReporterOptions): () => void {
  const drops = new DropLog();
  return () => {
    opts.count();
    const n = drops.due(Date.now());
    if (n > 0)
      opts.logger.warn(
        { dropped: n, max_connections: opts.maxConnections() },
        'connection limit reached: new connections are closed at once (--web.max-connections)',
      );
  };
}
