import { compileBoolean } from './boolean.js';
import { compileBytes } from './bytes.js';
import { compileDuration } from './duration.js';
import { compileMap } from './map.js';
import { compileNumber } from './number.js';
import { compileRegex } from './regex.js';
import { compileSemver } from './semver.js';
import { compileTimestamp } from './timestamp.js';
import { compileVersion } from './version.js';
import { ParserConfigError } from './types.js';
import type { ParserName, ParserSpec, SpecFor, ValueParser } from './types.js';

export type { ParseOutcome, ParserName, ParserSpec, ValueParser } from './types.js';
export { ParserConfigError } from './types.js';
export { MAX_INPUT_LENGTH } from './outcome.js';

/**
 * One compile function per parser name, like blackbox_exporter's prober map:
 * adding a parser means adding its spec to ParserSpec and one line here
 * (`satisfies` fails the build when a name has no compiler or a wrong one).
 */
const COMPILERS = {
  number: compileNumber,
  semver: compileSemver,
  version: compileVersion,
  regex: compileRegex,
  map: compileMap,
  boolean: compileBoolean,
  duration: compileDuration,
  bytes: compileBytes,
  timestamp: compileTimestamp,
} satisfies { [N in ParserName]: (spec: SpecFor<N>) => ValueParser };

/** The parser names a config may use, in documentation order. */
export const PARSER_NAMES: readonly ParserName[] = Object.freeze(Object.keys(COMPILERS) as ParserName[]);

/**
 * Compiles a parser once, at config load. Throws ParserConfigError (with the
 * offending field) for an unknown parser name or bad options; the returned
 * function never throws.
 */
export function compileParser(spec: ParserSpec): ValueParser {
  const name: unknown = (spec as { parser?: unknown }).parser;
  if (typeof name !== 'string' || !Object.hasOwn(COMPILERS, name)) {
    throw new ParserConfigError('parser', `unknown parser ${JSON.stringify(name)}; known: ${PARSER_NAMES.join(', ')}`);
  }
  // TypeScript cannot correlate spec.parser with the union member; the map's `satisfies` does.
  const compile = COMPILERS[spec.parser] as (s: ParserSpec) => ValueParser;
  return compile(spec);
}
