/** Starts the built CLI (dist/src/cli/main.js) as a real process for end-to-end tests. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSampleLine } from '../../src/sources/exposition-parser.js';
import { ManagedProcess } from './process.js';
import { startOnPort } from './server-start.js';
import { makeTempDir } from './temp.js';
import { waitFor, waitForHttp } from './wait.js';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = path.join(REPO, 'dist/src/cli/main.js');

export class Exporter {
  constructor(
    readonly proc: ManagedProcess,
    readonly port: number,
    readonly configFile: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async metricsText(headers: Record<string, string> = {}): Promise<string> {
    const res = await fetch(`${this.url}/metrics`, { headers });
    if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
    return res.text();
  }

  /** `/metrics` as a map from `name{labels}` (labels in served order) to value. */
  async samples(): Promise<Map<string, number>> {
    return parseExposition(await this.metricsText());
  }

  /** Waits until `/metrics` satisfies `predicate`, returning the samples. */
  async waitForSamples(predicate: (s: Map<string, number>) => boolean, what: string, timeoutMs = 20_000): Promise<Map<string, number>> {
    let last: Map<string, number> | undefined;
    return waitFor(
      async () => {
        last = await this.samples();
        return predicate(last) ? last : undefined;
      },
      {
        timeoutMs,
        intervalMs: 100,
        what,
        process: this.proc,
        detail: () =>
          `last: ${[...(last ?? [])]
            .filter(([k]) => !k.startsWith('process_') && !k.startsWith('nodejs_'))
            .map(([k, v]) => `${k} ${v}`)
            .join('\n')}`,
      },
    );
  }

  stop(): Promise<number | null> {
    return this.proc.stop(10_000);
  }
}

export function parseExposition(body: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const s = parseSampleLine(line);
    const labels = Object.entries(s.labels)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(',');
    out.set(labels ? `${s.name}{${labels}}` : s.name, s.value);
  }
  return out;
}

/** Writes `yaml` to a temp dir and starts the exporter on a free port. */
export async function startExporter(yaml: string, extraArgs: string[] = [], files: Record<string, string> = {}): Promise<Exporter> {
  const dir = await makeTempDir('exporter');
  const configFile = path.join(dir, 'config.yml');
  await writeFile(configFile, yaml);
  for (const [name, body] of Object.entries(files)) await writeFile(path.join(dir, name), body);
  return startExporterWithFile(configFile, extraArgs);
}

export async function startExporterWithFile(configFile: string, extraArgs: string[] = []): Promise<Exporter> {
  const { port, proc } = await startOnPort({
    launch: (p) =>
      ManagedProcess.start({
        name: 'label-value-exporter',
        command: process.execPath,
        args: [CLI, '--config.file', configFile, '--web.listen-address', `127.0.0.1:${p}`, '--log.level', 'debug', ...extraArgs],
      }),
    ready: (p, proc) => waitForHttp(`http://127.0.0.1:${p}/-/healthy`, 15_000, 200, { process: proc }),
  });
  return new Exporter(proc, port, configFile);
}
