import type { z } from 'zod';
import { fail, guard, ok } from './outcome.js';
import { defineParser, parserSchema, type ValueParser } from './types.js';

/** `boolean`: true/false, yes/no, on/off, 1/0, y/n, t/f, enabled/disabled → 1/0. */
const schema = parserSchema('boolean', {});
export type BooleanSpec = z.infer<typeof schema>;

/**
 * Words compared after trimming and lower-casing. Anything else, including
 * other numbers (`2`, `-1`) and words like `unknown` or `none`, fails with
 * `not_a_boolean`, so the transformation's default/skip rule decides.
 */
const WORDS: ReadonlyMap<string, number> = new Map([
  ...['true', 'yes', 'on', '1', 'y', 't', 'enabled'].map((w): [string, number] => [w, 1]),
  ...['false', 'no', 'off', '0', 'n', 'f', 'disabled'].map((w): [string, number] => [w, 0]),
]);

export function compileBoolean(_spec: BooleanSpec): ValueParser {
  return guard((trimmed) => {
    const v = WORDS.get(trimmed.toLowerCase());
    return v === undefined ? fail('not_a_boolean') : ok(v);
  });
}

export const booleanParser = defineParser(schema, compileBoolean);
