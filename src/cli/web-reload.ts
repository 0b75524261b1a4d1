import type { Server as HttpsServer } from 'node:https';
import type { Server } from 'node:http';
import { loadWebConfig, type WebConfig } from '../config/web-config.js';
import type { Reading, ReloadResult, ReloadTarget } from '../config/watcher.js';
import { applyTls } from '../http/tls.js';
import type { WebGate } from '../http/web.js';
import type { Logger } from '../logging/logger.js';

/** What reloading `--web.config.file` works on. */
export interface WebReloadOptions {
  /** The web configuration loaded at start. */
  readonly initial: WebConfig;
  /** Where the HTTP layer reads the settings in force. */
  readonly gate: WebGate;
  readonly logger: Logger;
  /** The server, once created: its certificates are swapped on reload. */
  server(): Server | undefined;
  /** Counts a (re)load of the file (metrics). */
  loaded(ok: boolean): void;
}

/**
 * `--web.config.file` as a `FileReloader` target (on change, SIGHUP,
 * /-/reload). Its key is the fingerprint of the file and of the certificates
 * it names. A bad file is logged and the running web configuration stays;
 * certificates are swapped for new connections. Switching between HTTP and
 * HTTPS needs a restart.
 */
export class WebConfigReload implements ReloadTarget<WebConfig> {
  private running: WebConfig;

  constructor(private readonly opts: WebReloadOptions) {
    this.running = opts.initial;
  }

  get file(): string {
    return this.running.file;
  }

  /** The web configuration in force. */
  get current(): WebConfig {
    return this.running;
  }

  runningKey(): string {
    return this.running.fingerprint;
  }

  async read(): Promise<Reading<WebConfig>> {
    let next: WebConfig;
    try {
      next = await loadWebConfig(this.running.file);
      refuseSilentAuthDrop(this.running, next);
    } catch (e) {
      const message = (e as Error).message;
      return { error: message, key: `error:${message}` };
    }
    this.opts.loaded(true);
    return { key: next.fingerprint, parse: () => next };
  }

  unchanged(): ReloadResult {
    return { ok: true, message: 'web configuration unchanged' };
  }

  async apply(next: WebConfig, trigger: string): Promise<string> {
    const running = this.running;
    const { logger } = this.opts;
    const server = this.opts.server();
    const wasTls = running.tls !== undefined;
    const tls = wasTls === (next.tls !== undefined) ? next.tls : running.tls;
    if (wasTls !== (next.tls !== undefined)) {
      logger.warn(
        { trigger, file: next.file, serving: wasTls ? 'https' : 'http' },
        'tls_server_config was added or removed: a restart is needed to switch between HTTP and HTTPS; keeping the current protocol',
      );
    }
    if (running.users.size > 0 && next.users.size === 0) {
      logger.warn(
        { trigger, file: next.file },
        'basic authentication turned OFF by the web configuration (basic_auth_users: {}): every path is open',
      );
    }
    const applied: WebConfig = { ...next, tls };
    if (server && tls) applyTls(server as unknown as HttpsServer, tls);
    this.opts.gate.update(applied);
    this.running = applied;
    this.log(trigger);
    return 'web configuration reloaded';
  }

  failed(trigger: string, message: string): void {
    this.opts.loaded(false);
    this.opts.logger.error(
      { trigger, file: this.running.file, err: message },
      'web configuration reload failed; keeping the running web configuration',
    );
  }

  /**
   * Describes the web configuration in force without secrets (user count, header names, certificate paths); warns of a
   * certificate out of its validity. `trigger`: undefined at start.
   */
  log(trigger?: string): void {
    const web = this.running;
    const { logger } = this.opts;
    if (web.ignored.length > 0)
      logger.debug({ file: web.file, settings: web.ignored.join(',') }, 'web config settings accepted but without effect here');
    logger.info(
      {
        ...(trigger ? { trigger } : {}),
        file: web.file,
        tls: web.tls ? `${web.tls.clientAuth},min=${web.tls.minVersion}` : 'off',
        ...(web.tls ? { cert_file: web.tls.certFile } : {}),
        basic_auth_users: web.users.size,
        headers: Object.keys(web.headers).join(','),
      },
      trigger ? 'web configuration reloaded' : 'web configuration loaded',
    );
    const problem = web.tls && certProblem(web.tls.certNotBefore, web.tls.certNotAfter, Date.now());
    if (web.tls && problem) {
      logger.warn(
        {
          file: web.file,
          cert_file: web.tls.certFile,
          not_before: web.tls.certNotBefore?.toISOString(),
          not_after: web.tls.certNotAfter?.toISOString(),
        },
        `TLS server certificate ${problem}: clients that verify it will refuse to connect`,
      );
    }
  }
}

/**
 * Throws when a reload would turn basic authentication off without saying so
 * (`basic_auth_users: {}`): a file cut short before its users, or that lost
 * them by mistake, must not open every path.
 */
function refuseSilentAuthDrop(running: WebConfig, next: WebConfig): void {
  if (running.users.size === 0 || next.users.size > 0 || next.authExplicitlyOff) return;
  throw new Error(
    `${next.file}: basic_auth_users is missing while ${running.users.size} user(s) are configured; refusing to turn authentication off on reload (write \`basic_auth_users: {}\` to do so on purpose)`,
  );
}

/** "has expired on …" / "is not valid before …" / undefined when valid now. */
function certProblem(notBefore: Date | undefined, notAfter: Date | undefined, now: number): string | undefined {
  if (notAfter && notAfter.getTime() < now) return `has expired (not after ${notAfter.toISOString()})`;
  if (notBefore && notBefore.getTime() > now) return `is not valid yet (not before ${notBefore.toISOString()})`;
  return undefined;
}
