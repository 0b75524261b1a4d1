import { parseLenientNumber } from './lenient-number.js';
import { z } from 'zod';
import { fail, guard, ok } from './outcome.js';
import { defineParser, parserSchema, type ValueParser } from './types.js';

/** `number`: the core's lenient rules (`28`, `28+`, `v28`, whitespace), or `strict`: a plain literal only. */
const schema = parserSchema('number', { strict: z.boolean().optional() });
export type NumberSpec = z.infer<typeof schema>;

/**
 * A plain decimal or float literal, as Go's strconv and Prometheus print them:
 * an optional `-`, digits, an optional fraction with digits on both sides of
 * the dot, an optional exponent. No `v`, no leading or trailing `+`, no
 * whitespace (not even around the value: strict means exactly a literal).
 */
const STRICT_RE = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** The strict literal's value (possibly ±Infinity for `1e999`), or `undefined`. */
export function parseStrictNumber(s: string): number | undefined {
  return STRICT_RE.test(s) ? Number(s) : undefined;
}

export function compileNumber(spec: NumberSpec): ValueParser {
  if (spec.strict === true) {
    return guard((_trimmed, raw) => {
      const n = parseStrictNumber(raw);
      return n === undefined ? fail('not_a_number') : ok(n);
    });
  }
  return guard((trimmed) => {
    const n = parseLenientNumber(trimmed);
    return n === undefined ? fail('not_a_number') : ok(n);
  });
}

export const numberParser = defineParser(schema, compileNumber);
