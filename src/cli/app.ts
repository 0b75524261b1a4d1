import type { Server } from 'node:http';
import { loadConfig } from '../registry/load.js';
import type { ExporterConfig } from '../config/types.js';
import { redactedConfig } from '../registry/redact.js';
import { FileReloader, type ReloadResult, type WatchOptions } from '../config/watcher.js';
import { loadWebConfig, type WebConfig } from '../config/web-config.js';
import { createHttpServer } from '../http/server.js';
import { WebGate } from '../http/web.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { Outputs } from '../output/outputs.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { SelfMetrics } from '../selfmetrics/self-metrics.js';
import { SnapshotStore } from '../snapshot/store.js';
import { WHOLE, type Shard } from '../transform/shard.js';
import { formatListenAddress, listenOn, type ListenAddress } from './listen.js';
import { configReloadTarget } from './reload.js';
import { closeServer, SHUTDOWN_DEADLINE_SECONDS, stopWithin, untilStopSignal } from './shutdown.js';
import { buildInfo } from './version.js';
import { dropReporter } from './drop-log.js';
import { loadOrLog } from './load-or-report.js';
import type { ServeFlags } from './flags.js';
import { WebConfigReload } from './web-reload.js';

/** What the exporter runs from: the loaded files and the command line's choices. */
export interface AppOptions {
  readonly config: ExporterConfig;
  readonly logger: Logger;
  /** `--web.config.file`, loaded; undefined: plain HTTP, no authentication. */
  readonly web?: WebConfig | undefined;
  /** `--web.max-connections`. */
  readonly maxConnections?: number | undefined;
  /** `--shard.*`: which transformations (and series) this replica serves. */
  readonly shard?: Shard | undefined;
}

export interface StartOptions {
  readonly listen: ListenAddress;
  /** Whether `--web.listen-address` chose the address (then the config's does not matter on reload). */
  readonly fromFlag?: boolean;
  /** How the config files are watched (`--config.reload-*`). */
  readonly watch: WatchOptions;
}

/**
 * The running exporter: config → sources → transformations → snapshot → HTTP. Only builds the parts and wires them
 * together; what each part does lives in its own module.
 */
export class App {
  readonly store = new SnapshotStore();
  readonly metrics = new SelfMetrics();
  readonly logger: Logger;
  /** Remote write and every other output of OUTPUT_KINDS (src/output/outputs.ts). */
  readonly outputs: Outputs;
  private config: ExporterConfig;
  private readonly shard: Shard;
  private readonly maxConnections: number | undefined;
  private readonly scheduler: Scheduler;
  private readonly gate: WebGate;
  private readonly configReloader: FileReloader<ExporterConfig>;
  private readonly web: WebConfigReload | undefined;
  private readonly webReloader: FileReloader<WebConfig> | undefined;
  private server: Server | undefined;
  private readonly info = buildInfo();
  private serving: { host: string; port: number; fromFlag: boolean } | undefined;
  /** Set while the config file on disk failed to load (shown on the status page). */
  private configProblem: { readonly atMs: number; readonly message: string } | undefined;

  constructor(opts: AppOptions) {
    const { logger, web } = opts;
    this.config = opts.config;
    this.logger = logger;
    this.shard = opts.shard ?? WHOLE;
    this.maxConnections = opts.maxConnections;
    this.gate = new WebGate(web);
    const info = this.info;
    this.metrics.setBuildInfo({ version: info.version, revision: info.revision, branch: info.branch, nodeversion: process.version });
    this.metrics.configLoaded(true, Date.now());
    this.metrics.setShard(this.shard.index, this.shard.count);
    if (web) this.metrics.webConfigLoaded(true, Date.now());
    this.scheduler = new Scheduler(
      { store: this.store, metrics: this.metrics, logger, shard: this.shard },
      { request: (source, code, seconds) => this.metrics.sourceRequest(source, code, seconds) },
    );
    this.outputs = new Outputs(this.store, { observers: this.metrics, logger, userAgent: `label-value-exporter/${info.version}` });
    this.configReloader = new FileReloader(
      configReloadTarget({
        logger,
        current: () => this.config,
        apply: async (next) => {
          const summary = await this.scheduler.apply(next);
          await this.outputs.reload(next);
          this.config = next;
          return summary;
        },
        loaded: (ok, message) => {
          this.metrics.configLoaded(ok, Date.now());
          this.configProblem = ok ? undefined : { atMs: Date.now(), message: message ?? 'unknown error' };
        },
        serving: () => this.serving,
      }),
    );
    if (web) {
      this.web = new WebConfigReload({
        initial: web,
        gate: this.gate,
        logger,
        server: () => this.server,
        loaded: (ok) => this.metrics.webConfigLoaded(ok, Date.now()),
      });
      this.webReloader = new FileReloader(this.web);
    }
  }

  /** SIGHUP and POST /-/reload: re-reads the config file and the web config file; answers with the config file's result. */
  reload(trigger: string): Promise<ReloadResult> {
    const answer = this.configReloader.reload(trigger, true);
    void this.webReloader?.reload(trigger, true);
    return answer;
  }

  async start(opts: StartOptions): Promise<ListenAddress> {
    const { listen, watch } = opts;
    this.serving = { host: listen.host, port: listen.port, fromFlag: opts.fromFlag ?? false };
    await this.outputs.reload(this.config);
    this.scheduler.start(this.config);
    this.configReloader.start(watch);
    const server = createHttpServer(
      {
        store: this.store,
        selfMetrics: (format) => this.metrics.render(format),
        scraped: (format) => this.metrics.scraped(format),
        refresh: (signal) => this.scheduler.refresh(signal),
        ready: () => this.scheduler.ready(),
        statuses: () => this.scheduler.statuses(),
        reload: () => this.reload('http'),
        configProblem: () => this.configProblem,
        // The user's own keys when the text is at hand; the built config (internal field names) otherwise.
        configText: () => this.config.shownText ?? JSON.stringify(redactedConfig(this.config), null, 2),
        version: `label-value-exporter ${this.info.version} (revision ${this.info.revision}), Node ${process.version}`,
      },
      this.logger,
      {
        web: this.gate,
        ...(this.maxConnections !== undefined ? { maxConnections: this.maxConnections } : {}),
        onDrop: dropReporter({
          logger: this.logger,
          count: () => this.metrics.connectionDropped(),
          maxConnections: () => server.maxConnections,
        }),
      },
    );
    this.server = server;
    if (this.web) {
      this.web.log();
      this.webReloader?.start(watch);
    }
    const bound = await listenOn(server, listen);
    const shard = this.shard;
    const sharded =
      shard.count > 1
        ? {
            shard_index: shard.index,
            shard_count: shard.count,
            running: this.scheduler.statuses().filter((t) => t.shard?.owned !== false).length,
          }
        : {};
    this.logger.info(
      {
        address: formatListenAddress(bound),
        scheme: this.web?.current.tls ? 'https' : 'http',
        config: this.config.file,
        transformations: this.config.transformations.length,
        ...sharded,
      },
      'listening',
    );
    return bound;
  }

  async stop(): Promise<void> {
    this.configReloader.stop();
    this.webReloader?.stop();
    await this.scheduler.stop();
    await this.outputs.stop();
    if (this.server) await closeServer(this.server);
  }
}

/** Loads the config, starts serving, reloads on SIGHUP, stops cleanly on SIGTERM/SIGINT. */
export async function serve(flags: ServeFlags): Promise<number> {
  const logger = createLogger(flags.logLevel, flags.logFormat);
  const config = await loadOrLog(loadConfig, flags.configFile, logger, 'invalid configuration');
  if (!config) return 1;
  let web: WebConfig | undefined;
  if (flags.webConfigFile !== undefined) {
    web = await loadOrLog(loadWebConfig, flags.webConfigFile, logger, 'invalid web configuration');
    if (!web) return 1;
  }
  const app = new App({ config, logger, web, maxConnections: flags.maxConnections, shard: flags.shard });
  const listen = flags.listen ?? { host: config.listenHost, port: config.listenPort };
  try {
    await app.start({
      listen,
      watch: { debounceMs: flags.reloadDebounceMs, pollIntervalMs: flags.reloadIntervalMs },
      fromFlag: flags.listen !== undefined,
    });
  } catch (e) {
    logger.error({ address: formatListenAddress(listen), err: (e as Error).message }, 'cannot listen');
    await app.stop();
    return 1;
  }
  await untilStopSignal(logger, () => void app.reload('SIGHUP'));
  return (await stopWithin(() => app.stop(), SHUTDOWN_DEADLINE_SECONDS, logger)) ? 0 : 1;
}
