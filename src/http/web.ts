import { createHash, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { TlsSettings } from './tls.js';

/** The web configuration as the HTTP layer sees it (built from `--web.config.file`). */
export interface WebSettings {
  /** HTTPS when set. */
  readonly tls: TlsSettings | undefined;
  /** Added to every response. */
  readonly headers: Readonly<Record<string, string>>;
  /** User name → bcrypt hash. Empty: no authentication. */
  readonly users: ReadonlyMap<string, string>;
}

export const NO_WEB_SETTINGS: WebSettings = { tls: undefined, headers: {}, users: new Map() };

/** Paths that stay open without credentials, for liveness probes. */
export const OPEN_PATHS: ReadonlySet<string> = new Set(['/-/healthy', '/health']);

export const REALM = 'label-value-exporter';

const CACHE_MAX = 256;
/** Compared against when the user is unknown, so unknown users cost a bcrypt round too. */
const DUMMY_HASH = '$2b$10$s81kGcRx0Bh/bad.fhynkut8B1Yhix7V/GpDQD9Dw346qKY4RGdmu';

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/**
 * HTTP basic authentication against bcrypt hashes. User names are compared in
 * constant time (on their SHA-256); a successful (user, password) pair is
 * remembered by a hash of the attempt so that each scrape does not pay a
 * bcrypt round. A new instance (new users) starts with an empty cache.
 */
export class BasicAuth {
  private readonly users: { readonly name: Buffer; readonly hash: string }[];
  private readonly cache = new Set<string>();

  constructor(users: ReadonlyMap<string, string>) {
    this.users = [...users].map(([name, hash]) => ({ name: sha256(name), hash }));
  }

  get enabled(): boolean {
    return this.users.length > 0;
  }

  /** Whether the `Authorization` header carries valid credentials. */
  async check(header: string | undefined): Promise<boolean> {
    const creds = parseBasic(header);
    if (!creds) return false;
    const wanted = sha256(creds.user);
    let hash: string | undefined;
    for (const u of this.users) {
      if (timingSafeEqual(u.name, wanted) && hash === undefined) hash = u.hash;
    }
    const key = createHash('sha256').update(`${creds.user}\u0000${creds.password}\u0000${hash ?? ''}`, 'utf8').digest('base64');
    if (hash !== undefined && this.cache.has(key)) return true;
    const ok = await bcrypt.compare(creds.password, hash ?? DUMMY_HASH);
    if (!ok || hash === undefined) return false;
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.add(key);
    return true;
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

/** The web settings in force, swapped as a whole on reload. */
export class WebGate {
  private settings: WebSettings;
  private auth: BasicAuth;

  constructor(settings: WebSettings = NO_WEB_SETTINGS) {
    this.settings = settings;
    this.auth = new BasicAuth(settings.users);
  }

  get current(): WebSettings {
    return this.settings;
  }

  update(next: WebSettings): void {
    this.settings = next;
    this.auth = new BasicAuth(next.users);
  }

  /** True when the request may proceed (open path, auth disabled, or good credentials). */
  async allowed(path: string, authorization: string | undefined): Promise<boolean> {
    const auth = this.auth;
    if (!auth.enabled || OPEN_PATHS.has(path)) return true;
    return auth.check(authorization);
  }
}
