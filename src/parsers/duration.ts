import type { z } from 'zod';
import { fail, guard, ok, scale } from './outcome.js';
import { defineParser, parserSchema, type ValueParser } from './types.js';

/** `duration`: Prometheus (`1h30m`, `1d`) and Go (`1.5s`, `300ms`) durations → seconds. */
const schema = parserSchema('duration', {});
export type DurationSpec = z.infer<typeof schema>;

/**
 * `duration` → seconds. One grammar covers both families:
 * - Prometheus (`model.ParseDuration`): `1h30m`, `90s`, `1d`, `1w`, `1y`, `500ms`;
 *   `d` = 24h, `w` = 7d, `y` = 365d.
 * - Go (`time.ParseDuration`): `1.5s`, `300ms`, `2h45m0.5s`, `1µs`, `1μs`,
 *   `1us`, `100ns`, `-1.5h`.
 * A value is an optional sign, then one or more number+unit pairs, summed
 * (like Go, in any order). Units are case-sensitive (`m` is minutes, `M` is
 * nothing). `0` alone is zero, as in both; any other bare number fails with
 * `not_a_duration`: seconds or milliseconds would be a guess.
 */

const SECONDS: Readonly<Record<string, number>> = {
  y: 365 * 86400,
  w: 7 * 86400,
  d: 86400,
  h: 3600,
  m: 60,
  s: 1,
  ms: 1e-3,
  us: 1e-6,
  µs: 1e-6, // U+00B5 MICRO SIGN, what Go prints
  μs: 1e-6, // U+03BC GREEK SMALL LETTER MU, also accepted by Go
  ns: 1e-9,
};

/** One number+unit pair, matched at `lastIndex` (sticky). Two-letter units come first. */
const PAIR = /(\d+(?:\.\d*)?|\.\d+)(ms|us|µs|μs|ns|[ywdhms])/y;

function parseDuration(s: string): number | undefined {
  const sign = s[0] === '-' ? -1 : 1;
  let i = s[0] === '-' || s[0] === '+' ? 1 : 0;
  if (s.slice(i) === '0') return 0;
  if (i === s.length) return undefined;
  let total = 0;
  while (i < s.length) {
    PAIR.lastIndex = i;
    const m = PAIR.exec(s);
    const unit = m?.[2] === undefined ? undefined : SECONDS[m[2]];
    if (!m || unit === undefined) return undefined;
    total += scale(Number(m[1]), unit);
    i = PAIR.lastIndex;
  }
  return sign * total;
}

export function compileDuration(_spec: DurationSpec): ValueParser {
  return guard((trimmed) => {
    const n = parseDuration(trimmed);
    return n === undefined ? fail('not_a_duration') : ok(n);
  });
}

export const durationParser = defineParser(schema, compileDuration);
