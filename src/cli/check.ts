import { DEFAULTS } from '../config/defaults.js';
import { decimalVersionWarnings } from '../config/decimal-version.js';
import { nameCollisionWarnings } from '../config/name-collisions.js';
import { loadOrReport } from './load-or-report.js';
import { hasHttp, type ExporterConfig, type SourceConfig } from '../config/types.js';
import { DeadlineExceeded, withDeadline } from '../model/deadline.js';
import { SourceError } from '../model/errors.js';
import { redactUrlsInText } from '../model/url.js';
import { kindOf } from '../sources/kinds/index.js';
import { createSource } from '../sources/registry.js';
import { assignmentText } from './shard-assignment.js';
import { probeTransformations } from './probe-transformations.js';

async function probe(cfg: SourceConfig): Promise<string> {
  const source = createSource(cfg, { request: () => undefined });
  const { query, emptyMessage } = kindOf(cfg.type).probe;
  const started = performance.now();
  let n = 0;
  try {
    // The request's own timeout names itself; this deadline, a second later, holds even if it did not.
    const seconds = (hasHttp(cfg) ? cfg.http.timeoutSeconds : 30) + 1;
    await withDeadline('probe deadline', seconds, undefined, (signal) => source.collect(query, () => n++, signal)).catch((e: unknown) => {
      throw e instanceof DeadlineExceeded ? new SourceError('timeout', e.message) : e;
    });
    if (emptyMessage !== undefined && n === 0) throw new SourceError('bad_response', emptyMessage);
    return `ok (${Math.round(performance.now() - started)} ms)`;
  } finally {
    await source.close();
  }
}

function describe(config: ExporterConfig): string {
  const sources = [...config.sources.values()].map((s) => `${s.name} (${kindOf(s.type).describe(s)})`);
  return `${config.file}: valid; ${config.transformations.length} transformation(s), source(s): ${sources.join(', ')}\n`;
}

/**
 * The sources some transformation reads. The loader always defines `default`
 * (the prototype's victoriametrics_url, or http://localhost:8428): a config
 * with only named sources does not use it, and probing it would fail a
 * correct file.
 */
function usedSources(config: ExporterConfig): Map<string, SourceConfig> {
  const names = new Set(config.transformations.flatMap((t) => t.sources));
  return new Map([...config.sources].filter(([name]) => names.has(name)));
}

/** Mistakes that load but are likely wrong: an output name the config also reads, a version read as a decimal, a defined source nothing reads. */
function warnings(config: ExporterConfig, used: ReadonlyMap<string, SourceConfig>): string[] {
  const unused = [...config.sources.keys()].filter((name) => !used.has(name) && name !== DEFAULTS.defaultSourceName);
  return [
    ...nameCollisionWarnings(config),
    ...decimalVersionWarnings(config),
    ...unused.map((name) => `source "${name}" is not read by any transformation`),
  ];
}

/** `check`: validates the config (exit 0/1, start-up's messages); `--probe` also asks each source in use once. */
export async function check(
  configFile: string,
  withProbe: boolean,
  out = process.stdout,
  err = process.stderr,
  shardCount?: number,
): Promise<number> {
  const config = await loadOrReport(configFile, err);
  if (!config) return 1;
  const used = usedSources(config);
  out.write(describe({ ...config, sources: used }));
  for (const w of warnings(config, used)) err.write(`warning: ${w}\n`);
  if (shardCount !== undefined) out.write(assignmentText(config.transformations, shardCount));
  if (!withProbe) return 0;
  let failed = 0;
  for (const cfg of used.values()) {
    try {
      out.write(`source ${cfg.name}: ${await probe(cfg)}\n`);
    } catch (e) {
      failed++;
      const reason = e instanceof SourceError ? `${e.reason}: ` : '';
      out.write(`source ${cfg.name}: FAILED ${reason}${redactUrlsInText((e as Error).message, hasHttp(cfg) ? [cfg.http.url] : [])}\n`);
    }
  }
  // Each transformation's own query: an empty or degraded answer fails the probe like a source that does not answer.
  failed += await probeTransformations(config, out);
  return failed === 0 ? 0 : 1;
}
