import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BcryptPool } from './bcrypt-pool.js';

/** What a request's credentials earn: `busy` when they could not be checked now (too many checks waiting, or a check overran its deadline). */
export type AuthVerdict = 'ok' | 'denied' | 'busy';

/** Verified (user, password) pairs remembered per web configuration. */
const CACHE_MAX = 256;
/** 53 characters of salt and hash: any well-formed value costs a full comparison. */
const DUMMY_TAIL = 'qLq7FhAhd3ASYJCRf5F8MeJ0x0n1qm2Hh0m5vZ0yXQb4R2Y4Yx3aK';

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function costOf(hash: string): number {
  return Number(hash.slice(4, 6));
}

interface User {
  readonly name: Buffer;
  readonly hash: string;
  readonly cost: number;
}

/**
 * HTTP basic authentication against bcrypt hashes, compared on `pool` (worker
 * threads), never on the event loop.
 *
 * - Verified pairs are remembered (so a scrape does not pay a comparison) under
 *   an HMAC of user and password with a key drawn per instance: the cache holds
 *   no password or unkeyed hash of one. At most `CACHE_MAX` pairs, least
 *   recently used first out; a new web configuration is a new instance, so a
 *   changed or removed user is never let in from the cache.
 * - Unknown users are compared against a dummy hash of the highest configured
 *   cost, and a wrong password of a cheaper user is answered only after the
 *   time a comparison at that highest cost takes (estimated from the
 *   comparisons seen): a failure takes as long whoever the user is, so timing
 *   does not tell which users exist.
 */
export class BasicAuth {
  private readonly users: User[];
  private readonly maxCost: number;
  private readonly dummy: string;
  private readonly key = randomBytes(32);
  private readonly cache = new Map<string, true>();
  /** Estimated milliseconds of one bcrypt round (2^cost rounds a comparison). */
  private msPerRound: number | undefined;

  constructor(
    users: ReadonlyMap<string, string>,
    private readonly pool: BcryptPool,
  ) {
    this.users = [...users].map(([name, hash]) => ({ name: sha256(name), hash, cost: costOf(hash) }));
    this.maxCost = Math.max(4, ...this.users.map((u) => u.cost));
    this.dummy = `$2b$${String(this.maxCost).padStart(2, '0')}$${DUMMY_TAIL}`;
  }

  get enabled(): boolean {
    return this.users.length > 0;
  }

  /** Checks the `Authorization` header of a request. */
  async check(header: string | undefined): Promise<AuthVerdict> {
    const creds = parseBasic(header);
    if (!creds) return 'denied';
    const user = this.find(creds.user);
    const key = createHmac('sha256', this.key).update(`${creds.user}\u0000${creds.password}`, 'utf8').digest('base64');
    if (user && this.cache.delete(key)) {
      this.cache.set(key, true);
      return 'ok';
    }
    let ok: boolean;
    try {
      const done = await this.pool.verify(creds.password, user?.hash ?? this.dummy);
      this.calibrate(done.ms, user?.cost ?? this.maxCost);
      ok = done.ok && user !== undefined;
    } catch {
      // BcryptBusy (too many waiting), the deadline, or a worker that died: not a verdict on the password.
      return 'busy';
    }
    if (ok) {
      this.remember(key);
      return 'ok';
    }
    await this.padFailure(user);
    return 'denied';
  }

  /** The user of that name, every configured name compared in constant time. */
  private find(name: string): User | undefined {
    const wanted = sha256(name);
    let found: User | undefined;
    for (const u of this.users) if (timingSafeEqual(u.name, wanted) && found === undefined) found = u;
    return found;
  }

  private remember(key: string): void {
    if (this.cache.size >= CACHE_MAX) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, true);
  }

  private calibrate(ms: number, cost: number): void {
    const perRound = ms / 2 ** cost;
    this.msPerRound = this.msPerRound === undefined ? perRound : 0.8 * this.msPerRound + 0.2 * perRound;
  }

  /** Waits (without work) as long as a comparison at the highest cost takes longer than one at this user's. */
  private async padFailure(user: User | undefined): Promise<void> {
    if (!user || user.cost >= this.maxCost || this.msPerRound === undefined) return;
    const left = Math.min(this.msPerRound * (2 ** this.maxCost - 2 ** user.cost), 10_000);
    if (left > 1) await sleep(left);
  }
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (!header) return undefined;
  const m = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
