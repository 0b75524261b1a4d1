import { backtracksExponentially } from './regex.js';
import { z } from 'zod';
import { fail, guard, ok } from './outcome.js';
import { defineParser, ParserConfigError, parserSchema, type ValueParser } from './types.js';

const MAX_PARTS = 6;
const MAX_DIGITS = 6;
/** digits × (parts − 1) at most this, so 2^53 leaves a major of up to 9007. */
const MAX_LOW_DIGITS = 12;

/**
 * `version`: a dotted version as one number in version order: the first
 * `parts` numbers (default 3), `digits` digits (default 3) for each after the
 * first (1.28.3 → 1028003); `prefix`, a regex removed from the start.
 */
const schema = parserSchema('version', {
  parts: z.number().int().min(1).max(MAX_PARTS).optional(),
  digits: z.number().int().min(1).max(MAX_DIGITS).optional(),
  prefix: z.string().optional(),
});
export type VersionSpec = z.infer<typeof schema>;

/**
 * `version`: any dotted version as one number whose order is the version
 * order, e.g. kernel `5.15.0-91-generic`, Go `go1.20.3`, os-release
 * `VERSION_ID` (`12`, `22.04`, `8.10`, `2023.1`), Kubernetes
 * `v1.28.3-eks-e71965b`, runtimes `containerd://1.7.11`.
 *
 * Encoding: the first `parts` (default 3) dot-separated numbers, each part
 * after the first given `digits` (default 3) decimal digits:
 * value = Σ partᵢ × 10^(digits × (parts − 1 − i)). With the defaults
 * 1.28.3 → 1028003, 5.10 → 5010000, 12 → 12000000 — the same number as
 * `semver`'s `sortable`, so the two parsers agree wherever both read a value.
 * An integer, not a fraction like 1.028003: it is exact (no binary rounding,
 * so `x == 1028003` holds), a PromQL threshold is written by padding each part
 * (`x < 1028000` is "before 1.28.0"), and Grafana shows it in full with unit
 * "none" (a fraction would be rounded to 1.03 by its default decimals).
 *
 * Missing parts are 0 (`12` = 12.0.0, so 12 < 12.1); parts beyond `parts`
 * are not read (`parts: 2` keeps major.minor; 5.15.0-91 → 5015). Whatever
 * follows the numbers is ignored: `-91-generic`, `+k3s2`, `rc1`; a
 * prerelease counts as its release, as in `semver`.
 *
 * A part after the first that needs more than `digits` digits would overflow
 * into the part before it (1.1000 would equal 2.0): such a value is skipped
 * with reason `out_of_range`, never wrapped or clamped (both would report a
 * wrong version as a plausible one). So is a value above 2^53, where floats
 * stop being exact. At load, `digits × (parts − 1)` is limited to 12, which
 * leaves room for any major up to 9007.
 *
 * Where the version starts: by default after an optional scheme
 * (`containerd://`, `cri-o://`, `docker://`) and an optional `v`, `V` or `go`.
 * `prefix` replaces that with a regular expression (anchored at the start)
 * whose match is removed first, e.g. `'\D*'` to skip any text before the first
 * digit (`Ubuntu 22.04.3 LTS` → 22004003) or `'release-'`.
 */

/** The default prefix: an optional scheme, then an optional `v`, `V` or `go`. */
const DEFAULT_PREFIX = '(?:[A-Za-z][A-Za-z0-9+.-]*://)?(?:[vV]|go)?';
/** The numeric core: digits, then any number of `.digits`. */
const CORE = /^\d+(?:\.\d+)*/;

function checkInt(field: 'parts' | 'digits', v: unknown, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
    throw new ParserConfigError(field, `${field} must be a whole number from 1 to ${max}`);
  }
  return v;
}

function compilePrefix(prefix: string | undefined): RegExp {
  if (prefix === undefined) return new RegExp(`^${DEFAULT_PREFIX}`);
  if (typeof prefix !== 'string') throw new ParserConfigError('prefix', 'prefix must be a string (a regular expression)');
  if (backtracksExponentially(prefix)) {
    throw new ParserConfigError(
      'prefix',
      'a repeated group that contains a repetition or alternation (like (a+)+ or (a|aa)*) can take exponential time; write it without the nesting',
    );
  }
  try {
    return new RegExp(`^(?:${prefix})`);
  } catch (e) {
    throw new ParserConfigError('prefix', `invalid regular expression: ${(e as Error).message}`);
  }
}

/** The encoded value, or the failure reason. */
export function encodeVersion(numbers: readonly string[], parts: number, digits: number): number | 'out_of_range' {
  const base = 10 ** digits;
  let value = 0;
  for (let i = 0; i < parts; i++) {
    const n = Number(numbers[i] ?? '0');
    if (i > 0 && n >= base) return 'out_of_range';
    value = value * base + n;
  }
  return Number.isSafeInteger(value) ? value : 'out_of_range';
}

export function compileVersion(spec: VersionSpec): ValueParser {
  const parts = checkInt('parts', spec.parts ?? 3, MAX_PARTS);
  const digits = checkInt('digits', spec.digits ?? 3, MAX_DIGITS);
  if (digits * (parts - 1) > MAX_LOW_DIGITS) {
    throw new ParserConfigError(
      'digits',
      `parts: ${parts} with digits: ${digits} leaves no room for the major below 2^53: keep digits × (parts − 1) at most ${MAX_LOW_DIGITS}`,
    );
  }
  const prefix = compilePrefix(spec.prefix);
  return guard((trimmed) => {
    const body = trimmed.replace(prefix, '');
    const core = CORE.exec(body);
    if (!core) return fail('not_a_version');
    const v = encodeVersion(core[0].split('.'), parts, digits);
    return typeof v === 'number' ? ok(v) : fail(v);
  });
}

export const versionParser = defineParser(schema, compileVersion);
