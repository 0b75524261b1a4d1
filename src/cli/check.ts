import { loadOrReport } from './load-or-report.js';
import type { ExporterConfig, SourceConfig } from '../config/types.js';
import { SourceError } from '../model/errors.js';
import { redactUrl, redactUrlsInText } from '../model/url.js';
import { createSource } from '../sources/registry.js';
import { assignmentText } from './shard-assignment.js';
import { probeTransformations } from './probe-transformations.js';

async function probe(cfg: SourceConfig): Promise<string> {
  const source = createSource(cfg, { request: () => undefined });
  const started = performance.now();
  let n = 0;
  try {
    // `vector(1)` answers on every Prometheus-compatible API; other sources are
    // read and parsed in full (a JSON document as one record).
    const query = { metric: cfg.type === 'prometheus' ? 'vector(1)' : '', filter: '', labels: null, json: { records: '$', labels: [] } };
    await source.collect(query, () => n++, AbortSignal.timeout(('http' in cfg ? cfg.http.timeoutSeconds : 30) * 1000));
    if (cfg.type === 'prometheus' && n === 0) throw new SourceError('bad_response', 'answered, but vector(1) returned no series');
    return `ok (${Math.round(performance.now() - started)} ms)`;
  } finally {
    await source.close();
  }
}

function describe(config: ExporterConfig): string {
  const sources = [...config.sources.values()].map((s) => (s.type === 'file' ? `${s.name} (file ${s.path})` : `${s.name} (${s.type} ${redactUrl(s.http.url)})`));
  return `${config.file}: valid; ${config.transformations.length} transformation(s), source(s): ${sources.join(', ')}\n`;
}

/** `check`: validates the config (exit 0/1, start-up's messages); `--probe` also asks each source once. */
export async function check(configFile: string, withProbe: boolean, out = process.stdout, err = process.stderr, shardCount?: number): Promise<number> {
  const config = await loadOrReport(configFile, err);
  if (!config) return 1;
  out.write(describe(config));
  if (shardCount !== undefined) out.write(assignmentText(config.transformations, shardCount));
  if (!withProbe) return 0;
  let failed = 0;
  for (const cfg of config.sources.values()) {
    try {
      out.write(`source ${cfg.name}: ${await probe(cfg)}\n`);
    } catch (e) {
      failed++;
      const reason = e instanceof SourceError ? `${e.reason}: ` : '';
      out.write(`source ${cfg.name}: FAILED ${reason}${redactUrlsInText((e as Error).message, 'http' in cfg ? [cfg.http.url] : [])}\n`);
    }
  }
  // Each transformation's own query: an empty or degraded answer fails the probe like a source that does not answer.
  failed += await probeTransformations(config, out);
  return failed === 0 ? 0 : 1;
}
