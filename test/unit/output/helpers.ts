/** Shared by the remote-write unit tests: config, captured logs, self-metric values, samples. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { parseConfig } from '../../../src/registry/load.js';
import type { RemoteWriteConfig } from '../../../src/config/types.js';
import type { RemoteSample } from '../../../src/output/remote-write/protobuf.js';
import type { SelfMetrics } from '../../../src/selfmetrics/self-metrics.js';
import { parseSampleLine } from '../../../src/sources/exposition-parser.js';

export const TOKEN = 's3cr3t-token-value';

/** One endpoint `fake` at `url`; `queue` and `endpoint` are YAML lines of queue_config and of the endpoint. */
export function remoteConfig(
  url: string,
  queue: string[] = ['min_backoff: 10ms', 'max_backoff: 50ms'],
  endpoint: string[] = ['timeout: 2s'],
): RemoteWriteConfig {
  const yaml = `metric_transformations: []
remote_write:
  - name: fake
    url: "${url}"
    bearer_token: "${TOKEN}"
${endpoint.map((l) => `    ${l}\n`).join('')}    queue_config:
${queue.map((l) => `      ${l}\n`).join('')}`;
  const c = parseConfig(yaml, '/tmp/remote-write-test.yml').remoteWrite[0];
  assert.ok(c);
  return c;
}

export class Logs extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _e: BufferEncoding, done: () => void): void {
    this.lines.push(
      ...chunk
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== ''),
    );
    done();
  }
  entries(msg: string): Array<Record<string, unknown>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e['msg'] === msg);
  }
  count(msg: string): number {
    return this.entries(msg).length;
  }
}

/** The value of one self-metric series, written as `name{a="x",b="y"}` with labels sorted. */
export async function metric(m: SelfMetrics, series: string): Promise<number | undefined> {
  for (const line of (await m.render('text')).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const s = parseSampleLine(line);
    const labels = Object.entries(s.labels)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}="${v}"`)
      .join(',');
    if (`${s.name}{${labels}}` === series) return s.value;
  }
  return undefined;
}

/** `n` series m{i="from".."from+n-1"} with value i, stamped `ts + i`. */
export function samples(from: number, n: number, ts = 1_700_000_000_000): RemoteSample[] {
  return Array.from({ length: n }, (_, i) => ({
    labels: [
      ['__name__', 'm'],
      ['i', String(from + i)],
    ] as const,
    value: from + i,
    stale: false,
    timestampMs: ts + from + i,
  }));
}

/** The same `n` series m{i="0".."n-1"} with value `value`, all stamped `ts` (one run's push). */
export function run(n: number, value: number, ts: number): RemoteSample[] {
  return Array.from({ length: n }, (_, i) => ({
    labels: [
      ['__name__', 'm'],
      ['i', String(i)],
    ] as const,
    value,
    stale: false,
    timestampMs: ts,
  }));
}
