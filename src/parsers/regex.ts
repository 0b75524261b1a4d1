import { parseStrictNumber } from './number.js';
import { z } from 'zod';
import { fail, guard, ok } from './outcome.js';
import { defineParser, ParserConfigError, parserSchema, type ValueParser } from './types.js';

/** `regex`: the first match anywhere in the value; the capture group (default 1) is parsed strictly. */
const schema = parserSchema('regex', { pattern: z.string(), group: z.union([z.number().int().nonnegative(), z.string()]).optional() });
export type RegexSpec = z.infer<typeof schema>;

/**
 * `regex`: the pattern (JavaScript syntax, no flags) is searched anywhere in
 * the trimmed label value, like RegExp.exec and unlike Prometheus' fully
 * anchored relabel regexes: add `^`/`$` to anchor. The capture group (default
 * 1; 0 is the whole match; a string names a `(?<name>...)` group) is parsed
 * as a strict number literal (`5.15`, `1051`, no `v`, no whitespace).
 *
 * `5.15.0-1051-azure` with `^(\d+\.\d+)` → 5.15, with `-(\d+)-` → 1051.
 *
 * Failures: `no_match` (no match, or the group took no part in it) and
 * `not_a_number` (the group's text is not a literal).
 *
 * The pattern is the user's, and JavaScript regexes backtrack: a quantified
 * group that itself contains a quantifier (`(a+)+`, `(\w*)*`, `(a|aa){2,}`)
 * can take exponential time even on short values, which would stall every
 * scrape. Such patterns are rejected at load (a heuristic: rewrite them
 * without the nesting, which always exists for label-value extraction).
 */

/** A group with a quantifier inside, itself followed by a quantifier: `( ...+... )+`. */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*(?:[+*]|\{\d+,\d*\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,\d*\})/;
/** A quantified group of alternatives: `(a|aa)+`. */
const QUANTIFIED_ALTERNATION = /\((?:[^()\\]|\\.)*\|(?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,\d*\})/;

/** True for patterns that can backtrack exponentially (also used for relabel regexes). */
export function backtracksExponentially(pattern: string): boolean {
  return NESTED_QUANTIFIER.test(pattern) || QUANTIFIED_ALTERNATION.test(pattern);
}

function compilePattern(pattern: string): RegExp {
  if (typeof pattern !== 'string') throw new ParserConfigError('pattern', 'pattern must be a string');
  if (backtracksExponentially(pattern)) {
    throw new ParserConfigError(
      'pattern',
      'a repeated group that contains a repetition or alternation (like (a+)+ or (a|aa)*) can take exponential time; write it without the nesting',
    );
  }
  try {
    return new RegExp(pattern);
  } catch (e) {
    const hint = pattern.includes('(?P<') ? ' (named groups are written (?<name>...) in JavaScript, not (?P<name>...))' : '';
    throw new ParserConfigError('pattern', `invalid regular expression: ${(e as Error).message}${hint}`);
  }
}

/**
 * The pattern's groups, found by matching the empty string against
 * `pattern|`: the empty alternative always matches and the result still
 * has one slot per group and a key per named group.
 */
function groupsOf(re: RegExp): { count: number; names: readonly string[] } {
  const m = new RegExp(`${re.source}|`).exec('');
  return { count: m ? m.length - 1 : 0, names: Object.keys(m?.groups ?? {}) };
}

function checkGroup(re: RegExp, group: number | string): void {
  const { count, names } = groupsOf(re);
  if (typeof group === 'number') {
    if (!Number.isInteger(group) || group < 0 || group > count) {
      throw new ParserConfigError('group', `group ${group} does not exist: the pattern has ${count} capture group(s)`);
    }
  } else if (typeof group !== 'string' || !names.includes(group)) {
    const known = names.length > 0 ? names.join(', ') : 'none';
    throw new ParserConfigError('group', `the pattern has no group named ${JSON.stringify(group)} (named groups: ${known})`);
  }
}

export function compileRegex(spec: RegexSpec): ValueParser {
  const re = compilePattern(spec.pattern);
  const group = spec.group ?? 1;
  checkGroup(re, group);
  return guard((trimmed) => {
    const m = re.exec(trimmed);
    const text = m === null ? undefined : typeof group === 'number' ? m[group] : m.groups?.[group];
    if (text === undefined) return fail('no_match');
    const n = parseStrictNumber(text);
    return n === undefined ? fail('not_a_number') : ok(n);
  });
}

export const regexParser = defineParser(schema, compileRegex);
