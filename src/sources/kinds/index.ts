import type { SourceCapabilities, SourceConfig } from '../../config/types.js';
import type { ConfigOfKind, SourceKind } from '../kind.js';
import { fileKind } from './file.js';
import { jsonKind } from './json.js';
import { prometheusKind } from './prometheus.js';
import { scrapeKind } from './scrape.js';

/**
 * Every source type, each described in its own module. The loader's schema and
 * "did you mean", `check`, the status page, the scheduler and the runtime
 * registry read this list and nothing else; the shared contract test
 * (contract.test.ts) runs every kind in it.
 *
 * The order is the one "did you mean" has always seen the kinds' keys in (on
 * a tie the first key wins): keep it, and add a new kind at the end.
 */
export const SOURCE_KINDS = [prometheusKind, fileKind, scrapeKind, jsonKind] as const;

/** A `type:` no kind has. The types are listed in this message's own (historic) order: add a new kind to it. */
export const UNKNOWN_SOURCE_TYPE = 'expected a source with "type: prometheus", "scrape", "json" or "file"';

/** The typed config of any kind: a union told apart by `type`. */
export type AnySourceConfig = ConfigOfKind<(typeof SOURCE_KINDS)[number]>;
export type SourceType = AnySourceConfig['type'];

/** A kind as the generic code sees it (each kind checks its own config type where it is declared). */
type GenericKind = SourceKind<(typeof SOURCE_KINDS)[number]['schema'], SourceConfig>;

const BY_TYPE: ReadonlyMap<string, GenericKind> = new Map(SOURCE_KINDS.map((k) => [k.type, k as unknown as GenericKind]));

/** The kind of a config (or of a runtime source, by its `type`); throws for a type no kind has. */
export function kindOf(type: string): GenericKind {
  const kind = BY_TYPE.get(type);
  if (!kind) throw new Error(`internal: no source kind "${type}"`);
  return kind;
}

/** What a built source can do, from its kind. */
export function capabilitiesOf(cfg: SourceConfig): SourceCapabilities {
  return kindOf(cfg.type).capabilities(cfg);
}

/** A query API (projections and `query:` reach it), known from the type alone; false for a type no kind has. */
export function isQueryApi(type: string): boolean {
  return BY_TYPE.get(type)?.queryApi ?? false;
}
