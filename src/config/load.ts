import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../model/errors.js';
import { buildConfig } from './build.js';
import { redactedYaml } from './redact-yaml.js';
import type { PathSegment } from './locate.js';
import { basicAuth, configSchemaWith, remoteWrite, remoteWriteQueue, tlsConfig, type RawSource } from './schema.js';
import type { LoaderKinds } from './source-kind.js';
import type { ExporterConfig, SourceCapabilities, SourceConfig } from './types.js';
import { validateYaml } from './yaml-validate.js';

/**
 * The loader, given the source kinds by the composition root (src/registry/load.ts, where `parseConfig` and
 * `loadConfig` are bound to SOURCE_KINDS): config/ holds the machinery and names no source type.
 */
export interface ConfigLoader {
  /**
   * Parses and validates a whole configuration text. Throws `ConfigError` listing
   * every problem with file:line:column; never returns a partial config.
   */
  parseConfig(text: string, file: string, env?: NodeJS.ProcessEnv): ExporterConfig;
  /** Reads and parses a configuration file. */
  loadConfig(file: string, env?: NodeJS.ProcessEnv): Promise<ExporterConfig>;
}

/** `sources:` entries: one schema per kind, told apart by `type:`. */
function sourceSchema(loader: LoaderKinds): z.ZodType<RawSource> {
  const options = loader.kinds.map((k) => k.schema) as unknown as [z.ZodObject, ...z.ZodObject[]];
  return z.discriminatedUnion('type', options, { error: loader.unknownTypeMessage }) as unknown as z.ZodType<RawSource>;
}

/** Keys allowed at `path`, for "did you mean" hints. */
function knownKeysWith(loader: LoaderKinds, top: ReturnType<typeof configSchemaWith>['shape']) {
  // Merged in the kinds' order: a key two kinds share keeps its first place (suggest() takes the first of equals).
  const sourceKeys = Object.keys(Object.assign({}, ...loader.kinds.map((k) => k.schema.shape)) as object);
  return (path: readonly PathSegment[]): string[] => {
    const names = path.filter((p): p is string => typeof p === 'string');
    const shape = (() => {
      if (names.length === 0) return top;
      if (names[0] === 'metric_transformations') return top.metric_transformations.element.shape;
      if (names[0] === 'sources') {
        if (names[1] === 'basic_auth') return basicAuth.shape;
        if (names[1] === 'tls_config') return tlsConfig.shape;
        return Object.fromEntries(sourceKeys.map((k) => [k, true]));
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
  };
}

/** The loader for these source kinds. */
export function configLoader(loader: LoaderKinds): ConfigLoader {
  const schema = configSchemaWith(sourceSchema(loader));
  const knownKeys = knownKeysWith(loader, schema.shape);
  const byType = new Map(loader.kinds.map((k) => [k.type, k]));
  const capabilities = (s: SourceConfig): SourceCapabilities => {
    const kind = byType.get(s.type);
    if (!kind) throw new Error(`internal: no source kind "${s.type}"`);
    return kind.capabilities(s);
  };
  const parseConfig = (text: string, file: string, env: NodeJS.ProcessEnv = process.env): ExporterConfig => {
    const { data, problems, file: abs } = validateYaml(text, file, schema, knownKeys);
    const hash = createHash('sha256').update(text).digest('hex');
    const config = buildConfig({ dir: dirname(abs), env, problems, capabilities }, loader, data, abs, hash);
    if (!problems.empty) throw new ConfigError(problems.list);
    // Redacted here, at once: the raw text (secrets and all) is never kept.
    return { ...config, shownText: redactedYaml(text) };
  };
  const loadConfig = async (file: string, env: NodeJS.ProcessEnv = process.env): Promise<ExporterConfig> => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      throw new ConfigError([{ file: resolve(file), line: 0, column: 0, path: '', message: `cannot read config file (${code})` }], {
        cause: e,
      });
    }
    return parseConfig(text, file, env);
  };
  return { parseConfig, loadConfig };
}
