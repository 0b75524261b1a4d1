import { requireBinary } from './binaries.js';
import { ManagedProcess } from './process.js';
import { expectOk, instantQuery, type InstantSample } from './promql.js';
import { PortTakenError, startOnPort } from './server-start.js';
import { makeTempDir } from './temp.js';
import { waitFor, waitForHttp } from './wait.js';

export interface VictoriaMetricsOptions {
  /** Reuse an existing storage dir (default: fresh temp dir, removed at process exit). */
  dataDir?: string;
  /** Fixed port (default: a free one). */
  port?: number;
  /** Extra single-dash flags, e.g. ['-maxLabelsPerTimeseries=100']. */
  extraArgs?: string[];
}

const READY_TIMEOUT_MS = 30_000;

function vmArgs(port: number, dataDir: string, extraArgs: string[]): string[] {
  return [
    `-httpListenAddr=127.0.0.1:${port}`,
    `-storageDataPath=${dataDir}`,
    '-retentionPeriod=100y',
    // Default is 30s: samples newer than that would be invisible to queries.
    '-search.latencyOffset=0s',
    '-search.disableCache',
    '-search.maxUniqueTimeseries=10000000',
    '-search.maxSeries=10000000',
    ...extraArgs,
  ];
}

/** A real single-node VictoriaMetrics on 127.0.0.1. */
export class VictoriaMetrics {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly #binary: string;
  readonly #extraArgs: string[];
  #process: ManagedProcess;

  constructor(init: { binary: string; port: number; dataDir: string; extraArgs: string[]; process: ManagedProcess }) {
    this.#binary = init.binary;
    this.port = init.port;
    this.url = `http://127.0.0.1:${init.port}`;
    this.dataDir = init.dataDir;
    this.#extraArgs = init.extraArgs;
    this.#process = init.process;
  }

  /** The current process (replaced by restart()). */
  get process(): ManagedProcess {
    return this.#process;
  }

  /** Stop by PID (SIGTERM, then SIGKILL). Keeps dataDir so restart() finds the data. */
  async stop(timeoutMs = 10_000): Promise<number | null> {
    return this.#process.stop(timeoutMs);
  }

  /** Stop if running, then start again with the same port and data dir and wait until healthy. */
  async restart(): Promise<void> {
    await this.stop();
    const { proc } = await startOnPort({
      fixedPort: this.port,
      launch: (port) => launchVm(this.#binary, port, this.dataDir, this.#extraArgs),
      ready: (port, p) => vmReady(port, this.dataDir, p),
    });
    this.#process = proc;
  }

  /** Make freshly ingested samples searchable. */
  async flush(): Promise<void> {
    await expectOk(await fetch(`${this.url}/internal/force_flush`), 'VictoriaMetrics force_flush');
  }

  /** POST Prometheus text exposition (timestamps optional) to /api/v1/import/prometheus, then flush. */
  async importPrometheus(text: string): Promise<void> {
    const res = await fetch(`${this.url}/api/v1/import/prometheus`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: text,
    });
    await expectOk(res, 'VictoriaMetrics import');
    await this.flush();
  }

  /**
   * Instant query (POST /api/v1/query, nocache=1). time: unix seconds or RFC3339.
   * Default time is the exact current time in ms: VM 1.79 truncates its own default
   * "now" to whole seconds, which hides samples ingested within the current second.
   */
  async query(expr: string, opts: { time?: number | string } = {}): Promise<InstantSample[]> {
    const time = opts.time ?? (Date.now() / 1000).toFixed(3);
    return instantQuery(this.url, expr, { nocache: '1', time: String(time) });
  }

  /** Number of series expr currently selects (0 when none). */
  async countSeries(expr: string): Promise<number> {
    const result = await this.query(`count(${expr})`);
    const first = result[0];
    return first === undefined ? 0 : Number(first.value[1]);
  }

  /** Poll count(expr) until it equals count. */
  async waitForSeries(expr: string, count: number, timeoutMs = 30_000): Promise<void> {
    let last: number | undefined;
    await waitFor(
      async () => {
        // Also as a client sees it (no nocache=1, no time): VictoriaMetrics 1.79
        // truncates the default query time to whole seconds, so a plain query
        // sees samples ingested without a timestamp only ~0-1 s later than
        // query() (which passes the exact time in ms) does.
        last = await this.countSeries(expr);
        return last === count && (await instantQuery(this.url, expr)).length === count;
      },
      {
        timeoutMs,
        intervalMs: 200,
        what: `count(${expr}) == ${count} in VictoriaMetrics ${this.url}`,
        process: this.#process,
        detail: () => `last count: ${String(last)}`,
      },
    );
  }

  /** Delete all series matching the selector(s) via /api/v1/admin/tsdb/delete_series. */
  async deleteSeries(match: string | string[]): Promise<void> {
    const body = new URLSearchParams();
    for (const m of Array.isArray(match) ? match : [match]) body.append('match[]', m);
    const res = await fetch(`${this.url}/api/v1/admin/tsdb/delete_series`, { method: 'POST', body });
    await expectOk(res, `VictoriaMetrics delete_series ${JSON.stringify(match)}`);
  }
}

function launchVm(binary: string, port: number, dataDir: string, extraArgs: string[]): Promise<ManagedProcess> {
  return ManagedProcess.start({
    name: `victoria-metrics:${port}`,
    command: binary,
    args: vmArgs(port, dataDir, extraArgs),
  });
}

/** GET /health == 200, and /flags shows our storageDataPath (not some other server on the port). */
async function vmReady(port: number, dataDir: string, proc: ManagedProcess): Promise<void> {
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`, READY_TIMEOUT_MS, 200, { process: proc });
  const flags = await expectOk(await fetch(`${url}/flags`), 'VictoriaMetrics /flags');
  if (!flags.includes(`-storageDataPath=${JSON.stringify(dataDir)}`)) {
    throw new PortTakenError(`${url} is answered by another server, not ${proc.name} (storageDataPath ${dataDir})`);
  }
}

/** Start VictoriaMetrics on 127.0.0.1 and wait until GET /health returns 200. */
export async function startVictoriaMetrics(opts: VictoriaMetricsOptions = {}): Promise<VictoriaMetrics> {
  const binary = requireBinary('victoria-metrics', 'victoria-metrics');
  const dataDir = opts.dataDir ?? (await makeTempDir('vm'));
  const extraArgs = opts.extraArgs ?? [];
  const { port, proc } = await startOnPort({
    fixedPort: opts.port,
    launch: (p) => launchVm(binary, p, dataDir, extraArgs),
    ready: (p, pr) => vmReady(p, dataDir, pr),
  });
  return new VictoriaMetrics({ binary, port, dataDir, extraArgs, process: proc });
}
