import { configLoader } from '../config/load.js';
import type { ExporterConfig as GenericExporterConfig } from '../config/types.js';
import { SOURCE_KINDS, UNKNOWN_SOURCE_TYPE, type AnySourceConfig } from '../sources/kinds/index.js';
import { prototypeDefaultSource } from '../sources/kinds/prometheus.js';

/**
 * The composition root of the configuration: the loader (config/) given the
 * source kinds (sources/kinds/). config/ may not import sources/, so this
 * layer above both binds them; cli/ and tests import the loader from here.
 */
const loader = configLoader({ kinds: SOURCE_KINDS, unknownTypeMessage: UNKNOWN_SOURCE_TYPE, implicitDefault: prototypeDefaultSource });

/** The loaded configuration, its sources typed as the union of the kinds' configs. */
export type ExporterConfig = GenericExporterConfig<AnySourceConfig>;
export type SourceConfig = AnySourceConfig;
export type { HttpClientConfig, TransformationConfig } from '../config/types.js';

/**
 * Parses and validates a whole configuration text. Throws `ConfigError` listing
 * every problem with file:line:column; never returns a partial config.
 */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): ExporterConfig {
  // Every source was built by the kind its `type:` names: the union holds.
  return loader.parseConfig(text, file, env) as ExporterConfig;
}

/** Reads and parses a configuration file. */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<ExporterConfig> {
  return (await loader.loadConfig(file, env)) as ExporterConfig;
}
