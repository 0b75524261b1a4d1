import type { Server } from 'node:http';
import { once } from 'node:events';
import { loadConfig } from '../config/load.js';
import type { ExporterConfig } from '../config/types.js';
import { redactedConfig } from '../config/redact.js';
import { ConfigWatcher } from '../config/watcher.js';
import { createHttpServer } from '../http/server.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { SelfMetrics } from '../selfmetrics/self-metrics.js';
import { SnapshotStore } from '../snapshot/store.js';
import { formatListenAddress, type ListenAddress } from './listen.js';
import { Reloader, type ReloadResult } from './reload.js';
import { buildInfo } from './version.js';
import type { ServeFlags } from './flags.js';

/** The running exporter: config → sources → transformations → snapshot → HTTP. */
export class App {
  readonly store = new SnapshotStore();
  readonly metrics = new SelfMetrics();
  private readonly scheduler: Scheduler;
  private readonly reloader: Reloader;
  private watcher: ConfigWatcher | undefined;
  private server: Server | undefined;
  private readonly info = buildInfo();
  private serving: { host: string; port: number; fromFlag: boolean } | undefined;

  constructor(
    private config: ExporterConfig,
    readonly logger: Logger,
  ) {
    const info = this.info;
    this.metrics.setBuildInfo({ version: info.version, revision: info.revision, branch: info.branch, nodeversion: process.version });
    this.metrics.configLoaded(true, Date.now());
    this.scheduler = new Scheduler({ store: this.store, metrics: this.metrics, logger }, {
      request: (source, code, seconds) => this.metrics.sourceRequest(source, code, seconds),
    });
    this.reloader = new Reloader(config.file, {
      current: () => this.config,
      apply: async (next) => {
        const summary = await this.scheduler.apply(next);
        this.config = next;
        return summary;
      },
      loaded: (ok) => this.metrics.configLoaded(ok, Date.now()),
      serving: () => this.serving,
    }, logger);
  }

  reload(trigger: string, force: boolean): Promise<ReloadResult> {
    return this.reloader.reload(trigger, force);
  }

  async start(listen: ListenAddress, watch: { debounceMs: number; pollIntervalMs: number }, fromFlag = false): Promise<ListenAddress> {
    this.serving = { host: listen.host, port: listen.port, fromFlag };
    this.scheduler.start(this.config);
    this.watcher = new ConfigWatcher(this.config.file, watch, () => void this.reload('file', false));
    this.watcher.start();
    const server = createHttpServer(
      {
        store: this.store,
        selfMetrics: (format) => this.metrics.render(format),
        scraped: (format) => this.metrics.scraped(format),
        ready: () => this.scheduler.ready(),
        statuses: () => this.scheduler.statuses(),
        reload: () => this.reload('http', true),
        configText: () => JSON.stringify(redactedConfig(this.config), null, 2),
        version: `label-value-exporter ${this.info.version} (revision ${this.info.revision}), Node ${process.version}`,
      },
      this.logger,
    );
    this.server = server;
    server.listen(listen.port, listen.host === '' ? undefined : listen.host);
    await once(server, 'listening');
    const addr = server.address();
    const bound = typeof addr === 'object' && addr ? { host: listen.host, port: addr.port } : listen;
    this.logger.info({ address: formatListenAddress(bound), config: this.config.file, transformations: this.config.transformations.length }, 'listening');
    return bound;
  }

  async stop(): Promise<void> {
    this.watcher?.stop();
    await this.scheduler.stop();
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), 2000);
    await closed;
    clearTimeout(force);
  }
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
  const app = new App(config, logger);
  const listen = flags.listen ?? { host: config.listenHost, port: config.listenPort };
  try {
    await app.start(listen, { debounceMs: flags.reloadDebounceMs, pollIntervalMs: flags.reloadIntervalMs }, flags.listen !== undefined);
  } catch (e) {
    logger.error({ address: formatListenAddress(listen), err: (e as Error).message }, 'cannot listen');
    await app.stop();
    return 1;
  }
  const onHup = () => void app.reload('SIGHUP', true);
  process.on('SIGHUP', onHup);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  process.off('SIGHUP', onHup);
  logger.info({ signal }, 'shutting down');
  await app.stop();
  return 0;
}
