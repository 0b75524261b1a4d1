import type { z } from 'zod';
import type { BuildContext } from './build-source.js';
import type { PathSegment } from './locate.js';
import type { HttpClientConfig, SourceCapabilities, SourceConfig } from './types.js';

/**
 * The config half of a source kind: what the loader needs to read one
 * `sources:` entry. Each kind implements it next to its runtime
 * (src/sources/kinds/); the loader gets the list from the composition root
 * (src/registry/), so config/ never names a source type.
 */
export interface SourceKindConfig<Schema extends z.ZodObject = z.ZodObject, Cfg extends SourceConfig = SourceConfig> {
  /** The value of `type:` that selects this kind. */
  readonly type: Cfg['type'];
  /** Its `sources:` entry, strict (unknown keys are errors), with `type: z.literal(type)`. */
  readonly schema: Schema;
  /**
   * The typed config from the schema-checked entry: defaults applied, `${ENV}` expanded, problems reported at
   * `path` (the entry). `timeout` is the top level's query_timeout (or its default).
   */
  build(ctx: BuildContext, raw: z.infer<Schema>, path: PathSegment[], timeout: number): Cfg;
  /** What stages after the loader may know about a built source (they never switch on `type`). */
  capabilities(cfg: Cfg): SourceCapabilities;
}

/** What the loader is given by the composition root. */
export interface LoaderKinds {
  /** In the order "did you mean" sees their keys (on a tie the first key wins). */
  readonly kinds: readonly SourceKindConfig[];
  /** The message for a `type:` no kind has. */
  readonly unknownTypeMessage: string;
  /** The prototype's implicit source `default` from `victoriametrics_url` (or its default URL). */
  implicitDefault(name: string, http: HttpClientConfig): SourceConfig;
}
