import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

interface Conn {
  /** When the last request on it ended (or when it connected). */
  lastActive: number;
  /** Whether a request ever completed its headers on it (keep-alive client) or never did (idle, slow, half-open). */
  served: boolean;
  /** Requests in progress. */
  busy: number;
}

/** How long a connection must have been idle before it may be closed to make room. */
export const EVICT_IDLE_MS = 1_000;

/** How often a full table is checked again for connections that have become idle long enough. */
const RETRY_MS = 200;

/**
 * Keeps one connection slot free for newcomers (a liveness probe above all)
 * at the connection cap. Without it, 1,024 connections that sent nothing held
 * every slot until the 10 s header timeout closed them, and `/-/healthy`
 * was refused for ~11 s. While every slot is taken (checked at each new or
 * refused connection, and every `RETRY_MS` while full), the connection idle longest (never a request in
 * progress, never one younger than `EVICT_IDLE_MS`) is closed: first those
 * that never sent a whole request, oldest first, then idle keep-alive ones.
 */
export class ConnectionGuard {
  private readonly conns = new Map<Socket, Conn>();
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly max: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.admit(socket));
    server.on('drop', () => this.makeRoom());
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.track(req, res));
  }

  private admit(socket: Socket): void {
    this.conns.set(socket, { lastActive: this.now(), served: false, busy: 0 });
    socket.once('close', () => this.conns.delete(socket));
    this.makeRoom();
  }

  /** At the cap: frees a slot now, or as soon as a connection has been idle long enough. */
  private makeRoom(): void {
    if (this.conns.size < this.max || this.evict() || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.makeRoom();
    }, RETRY_MS);
    this.retry.unref();
  }

  private track(req: IncomingMessage, res: ServerResponse): void {
    // Over TLS the request's socket is the TLSSocket; the raw one (seen at 'connection') is its parent.
    const socket = req.socket as Socket & { _parent?: Socket };
    const conn = this.conns.get(socket) ?? (socket._parent ? this.conns.get(socket._parent) : undefined);
    if (!conn) return;
    conn.served = true;
    conn.busy++;
    res.once('close', () => {
      conn.busy--;
      conn.lastActive = this.now();
    });
  }

  /** Closes the connection idle longest, if one may be closed; says whether one was. */
  private evict(): boolean {
    const now = this.now();
    let victim: Socket | undefined;
    let victimIdle = -1;
    for (const [socket, c] of this.conns) {
      const idle = now - c.lastActive;
      if (c.busy > 0 || idle < EVICT_IDLE_MS) continue;
      // Map order is connection order: the first never-served one is the oldest.
      if (!c.served) {
        victim = socket;
        break;
      }
      if (idle > victimIdle) {
        victim = socket;
        victimIdle = idle;
      }
    }
    if (!victim) return false;
    this.conns.delete(victim);
    victim.destroy();
    return true;
  }
}
