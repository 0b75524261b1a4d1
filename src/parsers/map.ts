import { z } from 'zod';
import { fail, guard, MAX_INPUT_LENGTH, ok } from './outcome.js';
import { defineParser, ParserConfigError, parserSchema, type ValueParser } from './types.js';

/** `map`: a string → number table; unknown values give `default` when set. */
const schema = parserSchema('map', {
  values: z.record(z.string(), z.number()),
  default: z.number().optional(),
  case_insensitive: z.boolean().optional(),
});
export type MapSpec = z.infer<typeof schema>;

function checkKey(key: string): void {
  if (key.trim() !== key || key === '') {
    throw new ParserConfigError(
      'values',
      `key ${JSON.stringify(key)} is empty or has surrounding whitespace: it could never match a trimmed label value`,
    );
  }
  if (key.length > MAX_INPUT_LENGTH) {
    throw new ParserConfigError('values', `a key is longer than ${MAX_INPUT_LENGTH} characters: it could never match`);
  }
}

/** The lookup table; with `case_insensitive`, keys differing only in case must agree on their value. */
function buildTable(spec: MapSpec): Map<string, number> {
  const fold = spec.case_insensitive === true;
  const table = new Map<string, number>();
  for (const [key, value] of Object.entries(spec.values)) {
    checkKey(key);
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ParserConfigError('values', `the value of ${JSON.stringify(key)} is not a finite number`);
    }
    const k = fold ? key.toLowerCase() : key;
    const prev = table.get(k);
    if (prev !== undefined && prev !== value) {
      throw new ParserConfigError(
        'values',
        `keys equal to ${JSON.stringify(k)} ignoring case map to different values (${prev} and ${value})`,
      );
    }
    table.set(k, value);
  }
  return table;
}

/**
 * `map`: looks the trimmed label value up in `values` (a Map, so keys like
 * `__proto__` are ordinary keys). An unknown value gives `default` when it is
 * set, otherwise fails with `unknown_value`. An empty value fails with `empty`
 * even when a default is set: emptiness follows the core's rules.
 */
export function compileMap(spec: MapSpec): ValueParser {
  const table = buildTable(spec);
  const fallback = spec.default;
  if (fallback !== undefined && (typeof fallback !== 'number' || !Number.isFinite(fallback))) {
    throw new ParserConfigError('default', 'default is not a finite number');
  }
  const fold = spec.case_insensitive === true;
  return guard((trimmed) => {
    const v = table.get(fold ? trimmed.toLowerCase() : trimmed) ?? fallback;
    return v === undefined ? fail('unknown_value') : ok(v);
  });
}

export const mapParser = defineParser(schema, compileMap);
