import type { z } from 'zod';
import type { SourceKindConfig } from '../config/source-kind.js';
import type { SourceConfig } from '../config/types.js';
import type { Source, SourceObserver, SourceQuery } from './source.js';

/** How `check --probe` asks a source of this kind whether it answers. */
export interface SourceProbe {
  /** Read in full; every series is counted. */
  readonly query: SourceQuery;
  /** Set: an answer with no series fails the probe (`bad_response`) with this message. */
  readonly emptyMessage?: string;
}

/**
 * One source type, described in one place (src/sources/kinds/<type>.ts), in
 * the spirit of the OpenTelemetry Collector's component factories: its config
 * (schema, defaults, validation), what it can do, how `check` and the status
 * page show it, and its runtime. SOURCE_KINDS (kinds/index.ts) lists them all;
 * the loader, `check`, the status page and the scheduler read only that list.
 */
export interface SourceKind<Schema extends z.ZodObject = z.ZodObject, Cfg extends SourceConfig = SourceConfig> extends SourceKindConfig<
  Schema,
  Cfg
> {
  /** A query API: projections and `query:` can reach it. Known from the type alone (a runtime Source has only its type). */
  readonly queryApi: boolean;
  /** `check`'s one-line description after the name, e.g. `file /path` or `prometheus http://host:9090` (no secrets). */
  describe(cfg: Cfg): string;
  /** The status page's view of the config, every secret replaced by `<secret>`. */
  redact(cfg: Cfg): Record<string, unknown>;
  readonly probe: SourceProbe;
  /** The runtime source; errors are redacted of the URL's secrets by the registry (registry.ts), not here. */
  create(cfg: Cfg, observer: SourceObserver): Source;
}

/**
 * Declares a kind: the compiler names any member it forgot, and the config type it builds is the one its
 * runtime, description and redaction receive.
 */
export function defineSourceKind<Schema extends z.ZodObject, Cfg extends SourceConfig>(
  kind: SourceKind<Schema, Cfg>,
): SourceKind<Schema, Cfg> {
  return kind;
}

/** The typed config a kind builds. */
export type ConfigOfKind<K> = K extends SourceKind<z.ZodObject, infer Cfg> ? Cfg : never;
