import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { once } from 'node:events';
import { loadConfig } from '../registry/load.js';
import type { ExporterConfig } from '../config/types.js';
import { redactedConfig } from '../registry/redact.js';
import { ConfigWatcher } from '../config/watcher.js';
import { loadWebConfig, type WebConfig } from '../config/web-config.js';
import { createHttpServer } from '../http/server.js';
import { applyTls } from '../http/tls.js';
import { WebGate } from '../http/web.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { RemoteWriter } from '../output/remote-writer.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { SelfMetrics } from '../selfmetrics/self-metrics.js';
import { SnapshotStore } from '../snapshot/store.js';
import { WHOLE, type Shard } from '../transform/shard.js';
import { formatListenAddress, type ListenAddress } from './listen.js';
import { Reloader, type ReloadResult } from './reload.js';
import { SHUTDOWN_DEADLINE_SECONDS, stopWithin } from './shutdown.js';
import { buildInfo } from './version.js';
import { DropLog } from './drop-log.js';
import type { ServeFlags } from './flags.js';

/** The running exporter: config → sources → transformations → snapshot → HTTP. */
export class App {
  readonly store = new SnapshotStore();
  readonly metrics = new SelfMetrics();
  private readonly scheduler: Scheduler;
  readonly remoteWriter: RemoteWriter;
  private readonly reloader: Reloader;
  private watcher: ConfigWatcher | undefined;
  private server: Server | undefined;
  private readonly info = buildInfo();
  private serving: { host: string; port: number; fromFlag: boolean } | undefined;
  private readonly gate: WebGate;
  private webConfig: WebConfig | undefined;
  private webWatcher: ConfigWatcher | undefined;
  private webLastAttempt: string | undefined;
  private webQueue: Promise<unknown> = Promise.resolve();
  private readonly drops = new DropLog();
  /** Set while the config file on disk failed to load (shown on the status page). */
  private configProblem: { readonly atMs: number; readonly message: string } | undefined;

  constructor(
    private config: ExporterConfig,
    readonly logger: Logger,
    private readonly web: { readonly config?: WebConfig | undefined; readonly maxConnections?: number | undefined } = {},
    /** `--shard.*`: which transformations (and series) this replica serves. */
    private readonly shard: Shard = WHOLE,
  ) {
    this.webConfig = web.config;
    this.webLastAttempt = web.config?.fingerprint;
    this.gate = new WebGate(web.config);
    const info = this.info;
    this.metrics.setBuildInfo({ version: info.version, revision: info.revision, branch: info.branch, nodeversion: process.version });
    this.metrics.configLoaded(true, Date.now());
    this.metrics.setShard(shard.index, shard.count);
    if (web.config) this.metrics.webConfigLoaded(true, Date.now());
    this.scheduler = new Scheduler({ store: this.store, metrics: this.metrics, logger, shard }, {
      request: (source, code, seconds) => this.metrics.sourceRequest(source, code, seconds),
    });
    this.remoteWriter = new RemoteWriter(this.store, { observer: this.metrics.remoteWrite, logger, userAgent: `label-value-exporter/${info.version}` });
    this.reloader = new Reloader(config.file, {
      current: () => this.config,
      apply: async (next) => {
        const summary = await this.scheduler.apply(next);
        await this.remoteWriter.apply(next.remoteWrite);
        this.config = next;
        return summary;
      },
      loaded: (ok, message) => {
        this.metrics.configLoaded(ok, Date.now());
        this.configProblem = ok ? undefined : { atMs: Date.now(), message: message ?? 'unknown error' };
      },
      serving: () => this.serving,
    }, logger);
  }

  reload(trigger: string, force: boolean): Promise<ReloadResult> {
    return this.reloader.reload(trigger, force);
  }

  /**
   * Re-reads `--web.config.file` (on change, SIGHUP, /-/reload). A bad file is
   * logged and the running web configuration stays; certificates are swapped
   * for new connections. Switching between HTTP and HTTPS needs a restart.
   */
  reloadWeb(trigger: string, force: boolean): Promise<ReloadResult> {
    const next = this.webQueue.then(() => this.runWebReload(trigger, force));
    this.webQueue = next.catch(() => undefined);
    return next;
  }

  private async runWebReload(trigger: string, force: boolean): Promise<ReloadResult> {
    const running = this.webConfig;
    if (!running) return { ok: true, message: 'no web config file' };
    let next: WebConfig;
    try {
      next = await loadWebConfig(running.file);
      refuseSilentAuthDrop(running, next);
    } catch (e) {
      const message = (e as Error).message;
      // Watch events repeat: report one failure per distinct broken content.
      const key = `error:${message}`;
      if (!force && key === this.webLastAttempt) return { ok: false, message };
      this.webLastAttempt = key;
      this.metrics.webConfigLoaded(false, Date.now());
      this.logger.error({ trigger, file: running.file, err: message }, 'web configuration reload failed; keeping the running web configuration');
      return { ok: false, message };
    }
    this.metrics.webConfigLoaded(true, Date.now());
    if (!force && next.fingerprint === this.webLastAttempt) return { ok: true, message: 'unchanged' };
    this.webLastAttempt = next.fingerprint;
    if (next.fingerprint === running.fingerprint) return { ok: true, message: 'web configuration unchanged' };
    const server = this.server;
    const wasTls = running.tls !== undefined;
    const tls = wasTls === (next.tls !== undefined) ? next.tls : running.tls;
    if (wasTls !== (next.tls !== undefined)) {
      this.logger.warn({ trigger, file: next.file, serving: wasTls ? 'https' : 'http' }, 'tls_server_config was added or removed: a restart is needed to switch between HTTP and HTTPS; keeping the current protocol');
    }
    if (running.users.size > 0 && next.users.size === 0) {
      this.logger.warn({ trigger, file: next.file }, 'basic authentication turned OFF by the web configuration (basic_auth_users: {}): every path is open');
    }
    const applied: WebConfig = { ...next, tls };
    if (server && tls) applyTls(server as unknown as HttpsServer, tls);
    this.gate.update(applied);
    this.webConfig = applied;
    this.logWeb(applied, trigger);
    return { ok: true, message: 'web configuration reloaded' };
  }

  /** Describes the web configuration without secrets (user count, header names, certificate paths); warns of a certificate out of its validity. */
  private logWeb(web: WebConfig, trigger: string | undefined): void {
    if (web.ignored.length > 0) this.logger.debug({ file: web.file, settings: web.ignored.join(',') }, 'web config settings accepted but without effect here');
    this.logger.info(
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
      this.logger.warn({ file: web.file, cert_file: web.tls.certFile, not_before: web.tls.certNotBefore?.toISOString(), not_after: web.tls.certNotAfter?.toISOString() }, `TLS server certificate ${problem}: clients that verify it will refuse to connect`);
    }
  }

  async start(listen: ListenAddress, watch: { debounceMs: number; pollIntervalMs: number }, fromFlag = false): Promise<ListenAddress> {
    this.serving = { host: listen.host, port: listen.port, fromFlag };
    await this.remoteWriter.apply(this.config.remoteWrite);
    this.scheduler.start(this.config);
    this.watcher = new ConfigWatcher(this.config.file, watch, () => void this.reload('file', false));
    this.watcher.start();
    const server = createHttpServer(
      {
        store: this.store,
        selfMetrics: (format) => this.metrics.render(format),
        scraped: (format) => this.metrics.scraped(format),
        refresh: (signal) => this.scheduler.refresh(signal),
        ready: () => this.scheduler.ready(),
        statuses: () => this.scheduler.statuses(),
        reload: async () => {
          void this.reloadWeb('http', true);
          return this.reload('http', true);
        },
        configProblem: () => this.configProblem,
        // The user's own keys when the text is at hand; the built config (internal field names) otherwise.
        configText: () => this.config.shownText ?? JSON.stringify(redactedConfig(this.config), null, 2),
        version: `label-value-exporter ${this.info.version} (revision ${this.info.revision}), Node ${process.version}`,
      },
      this.logger,
      {
        web: this.gate,
        ...(this.web.maxConnections !== undefined ? { maxConnections: this.web.maxConnections } : {}),
        onDrop: () => {
          this.metrics.connectionDropped();
          const n = this.drops.due(Date.now());
          if (n > 0) this.logger.warn({ dropped: n, max_connections: server.maxConnections }, 'connection limit reached: new connections are closed at once (--web.max-connections)');
        },
      },
    );
    this.server = server;
    if (this.webConfig) {
      this.logWeb(this.webConfig, undefined);
      this.webWatcher = new ConfigWatcher(this.webConfig.file, watch, () => void this.reloadWeb('file', false));
      this.webWatcher.start();
    }
    server.listen(listen.port, listen.host === '' ? undefined : listen.host);
    await once(server, 'listening');
    const addr = server.address();
    const bound = typeof addr === 'object' && addr ? { host: listen.host, port: addr.port } : listen;
    this.logger.info({ address: formatListenAddress(bound), scheme: this.webConfig?.tls ? 'https' : 'http', config: this.config.file, transformations: this.config.transformations.length, ...(this.shard.count > 1 ? { shard_index: this.shard.index, shard_count: this.shard.count, running: this.scheduler.statuses().filter((t) => t.shard?.owned !== false).length } : {}) }, 'listening');
    return bound;
  }

  async stop(): Promise<void> {
    this.watcher?.stop();
    this.webWatcher?.stop();
    await this.scheduler.stop();
    await this.remoteWriter.stop();
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), 2000);
    await closed;
    clearTimeout(force);
  }
}

/**
 * Throws when a reload would turn basic authentication off without saying so
 * (`basic_auth_users: {}`): a file cut short before its users, or that lost
 * them by mistake, must not open every path.
 */
function refuseSilentAuthDrop(running: WebConfig, next: WebConfig): void {
  if (running.users.size === 0 || next.users.size > 0 || next.authExplicitlyOff) return;
  throw new Error(`${next.file}: basic_auth_users is missing while ${running.users.size} user(s) are configured; refusing to turn authentication off on reload (write \`basic_auth_users: {}\` to do so on purpose)`);
}

/** "has expired on …" / "is not valid before …" / undefined when valid now. */
function certProblem(notBefore: Date | undefined, notAfter: Date | undefined, now: number): string | undefined {
  if (notAfter && notAfter.getTime() < now) return `has expired (not after ${notAfter.toISOString()})`;
  if (notBefore && notBefore.getTime() > now) return `is not valid yet (not before ${notBefore.toISOString()})`;
  return undefined;
}

/** Loads the config, starts serving, reloads on SIGHUP, stops cleanly on SIGTERM/SIGINT. */
export async function serve(flags: ServeFlags): Promise<number> {
  const logger = createLogger(flags.logLevel, flags.logFormat);
  let config: ExporterConfig;
  try {
    config = await loadConfig(flags.configFile);
  } catch (e) {
    logger.error({ file: flags.configFile }, 'invalid configuration');
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
  let web: WebConfig | undefined;
  if (flags.webConfigFile !== undefined) {
    try {
      web = await loadWebConfig(flags.webConfigFile);
    } catch (e) {
      logger.error({ file: flags.webConfigFile }, 'invalid web configuration');
      process.stderr.write(`${(e as Error).message}\n`);
      return 1;
    }
  }
  const app = new App(config, logger, { config: web, maxConnections: flags.maxConnections }, flags.shard);
  const listen = flags.listen ?? { host: config.listenHost, port: config.listenPort };
  try {
    await app.start(listen, { debounceMs: flags.reloadDebounceMs, pollIntervalMs: flags.reloadIntervalMs }, flags.listen !== undefined);
  } catch (e) {
    logger.error({ address: formatListenAddress(listen), err: (e as Error).message }, 'cannot listen');
    await app.stop();
    return 1;
  }
  const onHup = () => {
    void app.reload('SIGHUP', true);
    void app.reloadWeb('SIGHUP', true);
  };
  process.on('SIGHUP', onHup);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  process.off('SIGHUP', onHup);
  logger.info({ signal, deadline_seconds: SHUTDOWN_DEADLINE_SECONDS }, 'shutting down');
  const again = (second: NodeJS.Signals) => {
    logger.warn({ signal: second }, 'second signal while shutting down: exiting at once');
    process.exit(1);
  };
  process.once('SIGTERM', again);
  process.once('SIGINT', again);
  return (await stopWithin(() => app.stop(), SHUTDOWN_DEADLINE_SECONDS, logger)) ? 0 : 1;
}
