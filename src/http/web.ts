import { BasicAuth, type AuthVerdict } from './basic-auth.js';
import { BcryptPool } from './bcrypt-pool.js';
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

/** The web settings in force, swapped as a whole on reload. */
export class WebGate {
  private settings: WebSettings;
  private auth: BasicAuth;

  constructor(
    settings: WebSettings = NO_WEB_SETTINGS,
    /** Where passwords are compared; shared by every configuration this gate holds. */
    private readonly pool = new BcryptPool(),
  ) {
    this.settings = settings;
    this.auth = new BasicAuth(settings.users, pool);
  }

  get current(): WebSettings {
    return this.settings;
  }

  update(next: WebSettings): void {
    this.settings = next;
    // A new instance: an empty cache of verified credentials.
    this.auth = new BasicAuth(next.users, this.pool);
  }

  /** `ok` when the request may proceed (open path, auth disabled, or good credentials). */
  async allowed(path: string, authorization: string | undefined): Promise<AuthVerdict> {
    const auth = this.auth;
    if (!auth.enabled || OPEN_PATHS.has(path)) return 'ok';
    return auth.check(authorization);
  }

  /** Stops the password-checking threads (they do not hold the process open either way). */
  close(): Promise<void> {
    return this.pool.close();
  }
}
