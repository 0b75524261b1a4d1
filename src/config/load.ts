import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../model/errors.js';
import { buildConfig } from './build.js';
import { redactedYaml } from './redact-yaml.js';
import type { PathSegment } from './locate.js';
import { basicAuth, configSchema, fileSource, jsonSource, prometheusSource, remoteWrite, remoteWriteQueue, scrapeSource, tlsConfig } from './schema.js';
import type { ExporterConfig } from './types.js';
import { validateYaml } from './yaml-validate.js';

/** Keys allowed at `path`, for "did you mean" hints. */
function knownKeys(path: readonly PathSegment[]): string[] {
  const names = path.filter((p): p is string => typeof p === 'string');
  const shape = (() => {
    const top = configSchema.shape;
    if (names.length === 0) return top;
    if (names[0] === 'metric_transformations') return top.metric_transformations.element.shape;
    if (names[0] === 'sources') {
      if (names[1] === 'basic_auth') return basicAuth.shape;
      if (names[1] === 'tls_config') return tlsConfig.shape;
      return { ...prometheusSource.shape, ...fileSource.shape, ...scrapeSource.shape, ...jsonSource.shape };
    }
    if (names[0] === 'remote_write') {
      if (names[1] === 'basic_auth') return basicAuth.shape;
      if (names[1] === 'tls_config') return tlsConfig.shape;
      if (names[1] === 'queue_config') return remoteWriteQueue.shape;
      return remoteWrite.shape;
    }
    return {};
  })();
  return Object.keys(shape);
}

/**
 * Parses and validates a whole configuration text. Throws `ConfigError` listing
 * every problem with file:line:column; never returns a partial config.
 */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): ExporterConfig {
  const { data, problems, file: abs } = validateYaml(text, file, configSchema, knownKeys);
  const hash = createHash('sha256').update(text).digest('hex');
  const config = buildConfig({ dir: dirname(abs), env, problems }, data, abs, hash);
  if (!problems.empty) throw new ConfigError(problems.list);
  // Redacted here, at once: the raw text (secrets and all) is never kept.
  return { ...config, shownText: redactedYaml(text) };
}

/** Reads and parses a configuration file. */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<ExporterConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError([{ file: resolve(file), line: 0, column: 0, path: '', message: `cannot read config file (${code})` }], { cause: e });
  }
  return parseConfig(text, file, env);
}
