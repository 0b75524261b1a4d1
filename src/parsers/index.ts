import { z } from 'zod';
import { booleanParser } from './boolean.js';
import { bytesParser } from './bytes.js';
import { durationParser } from './duration.js';
import { mapParser } from './map.js';
import { numberParser } from './number.js';
import { regexParser } from './regex.js';
import { semverParser } from './semver.js';
import { timestampParser } from './timestamp.js';
import { versionParser } from './version.js';
import { ParserConfigError, type ParserDefinition, type ValueParser } from './types.js';

export type { ParseOutcome, ParserDefinition, ValueParser } from './types.js';
export { ParserConfigError } from './types.js';
export { MAX_INPUT_LENGTH } from './outcome.js';

/**
 * Every value parser, in documentation order, like blackbox_exporter's prober
 * map. Adding a parser means writing src/parsers/<name>.ts (its schema and
 * compile step, see ParserDefinition) and adding it here: the `value:` schema,
 * its error text, PARSER_NAMES, ParserSpec and compileParser follow.
 */
const PARSERS = [
  numberParser,
  semverParser,
  versionParser,
  regexParser,
  mapParser,
  booleanParser,
  durationParser,
  bytesParser,
  timestampParser,
] as const;

type Parsers = typeof PARSERS;
/** The schemas of a list of parsers, as a (mutable) tuple: what z.discriminatedUnion takes. */
type Schemas<T extends readonly unknown[]> = { -readonly [K in keyof T]: T[K] extends { readonly schema: infer S } ? S : never };

/** The options of any parser, as validated by `valueSchema`. */
export type ParserSpec = z.infer<Parsers[number]['schema']>;
export type ParserName = ParserSpec['parser'];

/** The parser names a config may use, in documentation order. */
export const PARSER_NAMES: readonly ParserName[] = Object.freeze(PARSERS.map((p) => p.name));

/** `a, b or c`. */
function oneOf(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/**
 * The `value:` block of a transformation: which parser turns the label value
 * into a number, and its options. Shapes only; options are checked further
 * when the parser is compiled at load (a bad regex, say).
 */
export const valueSchema = z.discriminatedUnion(
  'parser',
  // The list as the tuple type zod wants, one schema per parser.
  PARSERS.map((p) => p.schema) as unknown as Schemas<Parsers>,
  { error: `expected parser: ${oneOf(PARSER_NAMES)}` },
);

/** By name; a Map, so `toString` or `__proto__` is no parser. */
const BY_NAME: ReadonlyMap<string, ParserDefinition> = new Map(PARSERS.map((p) => [p.name, p as unknown as ParserDefinition]));

/**
 * Compiles a parser once, at config load. Throws ParserConfigError (with the
 * offending field) for an unknown parser name or bad options; the returned
 * function never throws.
 */
export function compileParser(spec: ParserSpec): ValueParser {
  const name: unknown = (spec as { parser?: unknown }).parser;
  const parser = typeof name === 'string' ? BY_NAME.get(name) : undefined;
  if (!parser) {
    throw new ParserConfigError('parser', `unknown parser ${JSON.stringify(name)}; known: ${PARSER_NAMES.join(', ')}`);
  }
  return parser.compile(spec);
}
