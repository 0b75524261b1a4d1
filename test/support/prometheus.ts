import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { requireBinary } from './binaries.js';
import { ManagedProcess } from './process.js';
import { expectOk, instantQuery, type InstantSample } from './promql.js';
import { PortTakenError, startOnPort } from './server-start.js';
import { makeTempDir } from './temp.js';
import { waitFor, waitForHttp } from './wait.js';

export interface ScrapeConfig {
  jobName: string;
  /** host:port entries, e.g. '127.0.0.1:9100'. */
  targets: string[];
  /** Extra target labels for the static_config. */
  labels?: Record<string, string>;
  /** Prometheus 2.42 needs >= 1s in practice; default is the global interval. */
  scrapeInterval?: string;
  scrapeTimeout?: string;
  honorLabels?: boolean;
  metricsPath?: string;
  scheme?: string;
  params?: Record<string, string[]>;
  /** Raw scrape_config fields merged last (snake_case, as in prometheus.yml). */
  extra?: Record<string, unknown>;
}

export interface PrometheusOptions {
  scrapeConfigs?: ScrapeConfig[];
  extraArgs?: string[];
  /** Default '1s' (also used as evaluation_interval). */
  globalScrapeInterval?: string;
  /** Absolute paths of rule files to load. */
  ruleFiles?: string[];
  /** remote_write URLs, e.g. `${vm.url}/api/v1/write`. */
  remoteWriteUrls?: string[];
}

interface TargetInfo {
  scrapePool?: string;
  scrapeUrl?: string;
  labels?: Record<string, string>;
  health?: string;
  lastError?: string;
}

const READY_TIMEOUT_MS = 30_000;

function toYamlScrapeConfig(sc: ScrapeConfig): Record<string, unknown> {
  const staticConfig: Record<string, unknown> = { targets: sc.targets };
  if (sc.labels !== undefined) staticConfig['labels'] = sc.labels;
  const out: Record<string, unknown> = { job_name: sc.jobName, static_configs: [staticConfig] };
  if (sc.scrapeInterval !== undefined) out['scrape_interval'] = sc.scrapeInterval;
  if (sc.scrapeTimeout !== undefined) out['scrape_timeout'] = sc.scrapeTimeout;
  if (sc.honorLabels !== undefined) out['honor_labels'] = sc.honorLabels;
  if (sc.metricsPath !== undefined) out['metrics_path'] = sc.metricsPath;
  if (sc.scheme !== undefined) out['scheme'] = sc.scheme;
  if (sc.params !== undefined) out['params'] = sc.params;
  return { ...out, ...sc.extra };
}

/** prometheus.yml content. JSON is valid YAML, so no YAML library is needed. */
export function renderPrometheusConfig(opts: PrometheusOptions): string {
  const interval = opts.globalScrapeInterval ?? '1s';
  const config: Record<string, unknown> = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    scrape_configs: (opts.scrapeConfigs ?? []).map(toYamlScrapeConfig),
  };
  if (opts.ruleFiles !== undefined) config['rule_files'] = opts.ruleFiles;
  if (opts.remoteWriteUrls !== undefined) config['remote_write'] = opts.remoteWriteUrls.map((url) => ({ url }));
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** A real Prometheus server on 127.0.0.1 with a temp TSDB. */
export class Prometheus {
  readonly url: string;
  readonly port: number;
  readonly process: ManagedProcess;
  readonly configFile: string;
  readonly dir: string;
  #options: PrometheusOptions;

  constructor(init: { port: number; process: ManagedProcess; configFile: string; dir: string; options: PrometheusOptions }) {
    this.port = init.port;
    this.url = `http://127.0.0.1:${init.port}`;
    this.process = init.process;
    this.configFile = init.configFile;
    this.dir = init.dir;
    this.#options = init.options;
  }

  async stop(timeoutMs = 10_000): Promise<number | null> {
    return this.process.stop(timeoutMs);
  }

  /** Rewrite prometheus.yml with the given changes and POST /-/reload. */
  async reload(changes: Omit<PrometheusOptions, 'extraArgs'>): Promise<void> {
    this.#options = { ...this.#options, ...changes };
    await writeFile(this.configFile, renderPrometheusConfig(this.#options));
    await expectOk(await fetch(`${this.url}/-/reload`, { method: 'POST' }), 'Prometheus reload');
  }

  /** Instant query via POST /api/v1/query. time: unix seconds or RFC3339. */
  async query(expr: string, opts: { time?: number | string } = {}): Promise<InstantSample[]> {
    const params: Record<string, string> = {};
    if (opts.time !== undefined) params['time'] = String(opts.time);
    return instantQuery(this.url, expr, params);
  }

  /** Poll query(expr) until predicate(result) is true; returns that result. */
  async waitForQuery(expr: string, predicate: (result: InstantSample[]) => boolean, timeoutMs = 30_000): Promise<InstantSample[]> {
    let last: InstantSample[] | undefined;
    return waitFor(
      async () => {
        last = await this.query(expr);
        return predicate(last) ? last : undefined;
      },
      {
        timeoutMs,
        intervalMs: 250,
        what: `Prometheus query ${JSON.stringify(expr)} to match`,
        process: this.process,
        detail: () => `last result: ${JSON.stringify(last)}`,
      },
    );
  }

  async activeTargets(): Promise<TargetInfo[]> {
    const res = await fetch(`${this.url}/api/v1/targets?state=active`);
    const body = JSON.parse(await expectOk(res, 'Prometheus targets')) as { data?: { activeTargets?: TargetInfo[] } };
    return body.data?.activeTargets ?? [];
  }

  /** Poll /api/v1/targets until the job has at least one target and all are "up". */
  async waitForTargetsUp(jobName: string, timeoutMs = 30_000): Promise<void> {
    let last: TargetInfo[] = [];
    await waitFor(
      async () => {
        const all = await this.activeTargets();
        last = all.filter((t) => (t.scrapePool ?? t.labels?.['job']) === jobName);
        return last.length > 0 && last.every((t) => t.health === 'up');
      },
      {
        timeoutMs,
        intervalMs: 250,
        what: `all targets of job ${JSON.stringify(jobName)} to be up`,
        process: this.process,
        detail: () =>
          last.length === 0
            ? 'no active targets for this job'
            : `targets: ${last
                .map((t) => `${t.scrapeUrl ?? '?'} health=${t.health ?? '?'} lastError=${JSON.stringify(t.lastError ?? '')}`)
                .join(', ')}`,
      },
    );
  }
}

/** GET /-/ready == 200, and the server's storage.tsdb.path is ours (not another server on the port). */
async function prometheusReady(port: number, tsdbPath: string, proc: ManagedProcess): Promise<void> {
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/-/ready`, READY_TIMEOUT_MS, 200, { process: proc });
  let actual: string | undefined;
  try {
    const res = await fetch(`${url}/api/v1/status/flags`);
    const body = JSON.parse(await expectOk(res, 'Prometheus flags')) as { data?: Record<string, string> };
    actual = body.data?.['storage.tsdb.path'];
  } catch {
    actual = undefined;
  }
  if (actual !== tsdbPath) {
    throw new PortTakenError(`${url} is answered by another server, not ${proc.name} (tsdb path ${String(actual)})`);
  }
}

/** Write prometheus.yml to a temp dir, start Prometheus, wait for /-/ready. */
export async function startPrometheus(opts: PrometheusOptions = {}): Promise<Prometheus> {
  const binary = requireBinary('prometheus', 'prometheus');
  const dir = await makeTempDir('prometheus');
  const configFile = path.join(dir, 'prometheus.yml');
  await writeFile(configFile, renderPrometheusConfig(opts));
  const tsdbPath = path.join(dir, 'data');
  const env: NodeJS.ProcessEnv = { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };
  const { port, proc } = await startOnPort({
    launch: (p) =>
      ManagedProcess.start({
        name: `prometheus:${p}`,
        command: binary,
        cwd: dir,
        env,
        args: [
          `--config.file=${configFile}`,
          `--storage.tsdb.path=${tsdbPath}`,
          `--web.listen-address=127.0.0.1:${p}`,
          '--web.enable-lifecycle',
          '--web.enable-admin-api',
          ...(opts.extraArgs ?? []),
        ],
      }),
    ready: (p, pr) => prometheusReady(p, tsdbPath, pr),
  });
  return new Prometheus({ port, process: proc, configFile, dir, options: opts });
}
