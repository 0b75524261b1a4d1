import { RE2JS } from 're2js';

/**
 * Prometheus and VictoriaMetrics compile label-matcher regexes with Go's
 * regexp package (RE2 syntax); this exporter matches local sources with
 * JavaScript's RegExp. A regex must compile under both, or it passes `check`
 * here and fails at the server (or the other way round). re2js is a port of
 * the Go/RE2 parser: its error messages are Go's own ("error parsing regexp:
 * invalid or unsupported Perl syntax: `(?=`").
 */

/** What JavaScript-only syntax to write instead, by the start of RE2's complaint. */
const HINTS: ReadonlyArray<readonly [RegExp, string]> = [
  [
    /\(\?<?[=!]/,
    'lookahead and lookbehind ((?=, (?!, (?<=, (?<!) are not supported by RE2: match the wanted values directly, or use a != / !~ matcher for the excluded ones',
  ],
  [/\\[1-9]|\\k</, 'backreferences (\\1, \\k<name>) are not supported by RE2'],
  [/\(\?>/, 'atomic groups (?>…) are not supported by RE2 (it never backtracks, so they are not needed)'],
  [/[*+?}][+]/, 'possessive quantifiers (*+, ++, ?+) are not supported by RE2 (it never backtracks, so they are not needed)'],
];

function hintFor(value: string): string {
  const hit = HINTS.find(([re]) => re.test(value));
  return hit ? `; ${hit[1]}` : '';
}

/**
 * The JavaScript RegExp that matches like Prometheus' `^(?s:value)$`. A
 * leading `(?i)` (common: `=~"(?i)worker.*"`) becomes the `i` flag; other
 * inline flags have no JavaScript form and fail to compile.
 */
export function localRegExp(value: string): RegExp {
  const ci = value.startsWith('(?i)');
  return new RegExp(`^(?:${ci ? value.slice(4) : value})$`, ci ? 'si' : 's');
}

/**
 * Null when `value` compiles under RE2 and, for sources that match locally,
 * as a JavaScript RegExp; else the reason.
 */
export function regexProblem(value: string, local: boolean): string | null {
  try {
    RE2JS.compile(value);
  } catch (e) {
    return `regex ${JSON.stringify(value)} is not valid RE2 syntax (what Prometheus and VictoriaMetrics use): ${(e as Error).message}${hintFor(value)}`;
  }
  if (!local) return null;
  try {
    localRegExp(value);
  } catch (e) {
    return `regex ${JSON.stringify(value)} is valid RE2 but this exporter cannot match it for a scrape or file source: ${(e as Error).message}`;
  }
  return null;
}
