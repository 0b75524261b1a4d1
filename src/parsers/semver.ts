import semver from 'semver';
import { z } from 'zod';
import { fail, guard, ok } from './outcome.js';
import { defineParser, ParserConfigError, parserSchema, type ValueParser } from './types.js';

/** `semver`: one part of a version, or `sortable` = major×1e6 + minor×1e3 + patch (the default). */
const schema = parserSchema('semver', { part: z.enum(['major', 'minor', 'patch', 'sortable']).optional() });
export type SemverSpec = z.infer<typeof schema>;
export type SemverPart = NonNullable<SemverSpec['part']>;

/**
 * `semver`: one number from a version string.
 *
 * Accepted forms: an optional URL-like scheme (`containerd://`, `cri-o://`,
 * `docker://`, as in kube-state-metrics' `container_runtime_version`), then an
 * optional `v`/`V` or `go` (Go's `go_info{version="go1.21.5"}`), then
 * `MAJOR[.MINOR[.PATCH]]`. A missing patch is 0 (`1.28` = 1.28.0). Anything
 * after the numeric core is ignored: build metadata (`+k3s2`), vendor suffixes
 * (`-eks-5e0fdde`, `-gke.1067004`), a fourth component (`10.0.17763.5122`).
 *
 * Prerelease tags (`1.29.0-rc.1`, `go1.22rc1`) do not lower the number: a
 * prerelease gives the same value as its release. SemVer orders 1.29.0-rc.1
 * before 1.29.0, but one number cannot express that without making every
 * value fractional, and vendor suffixes look exactly like prereleases.
 *
 * A bare number (`28`, `28+`, `v28`) is ambiguous: Kubernetes reports its
 * `minor` label that way (`kubernetes_build_info{minor="28+"}` on GKE/EKS),
 * yet as a version it would read as 28.0.0. It is the major for `part: major`
 * (it is the first component either way) and fails with `bare_number` for
 * minor, patch and sortable rather than guessing; for the Kubernetes `minor`
 * label use `parser: number`, which reads `28+` as 28.
 *
 * `sortable` (the default) is major×1e6 + minor×1e3 + patch, so versions
 * compare as numbers; a minor or patch of 1000 or more would overlap the next
 * part and fails with `out_of_range` (use `part: patch` for such versions).
 */

/** An optional scheme (`containerd://`), then an optional `v`, `V` or `go`. */
const PREFIX = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?(?:[vV]|go)?/;
/** The numeric core; what follows it is not read (see above). */
const CORE = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/;

interface Version {
  readonly major: number;
  /** Undefined for a bare number. */
  readonly minor: number | undefined;
  readonly patch: number;
}

/**
 * semver.parse (strict) is the reference for well-formed SemVer 2.0, including
 * prerelease and build identifiers, and rejects components beyond
 * Number.MAX_SAFE_INTEGER. Its loose mode is not used: it splits digits to
 * find a hyphen-less prerelease (`10.0.17763.5122` → patch 1776). It rejects
 * the other production forms (`1.28`, `go1.22rc1`, `22.04.3`, four
 * components), and semver.coerce would accept
 * numbers anywhere in any text (`rhel9` → 9.0.0) and cannot tell a bare `28`
 * from `28.0.0`; hence the small CORE matcher for the rest.
 */
function readVersion(trimmed: string): Version | 'not_a_version' | 'out_of_range' {
  const body = trimmed.replace(PREFIX, '');
  const full = semver.parse(body);
  if (full) return { major: full.major, minor: full.minor, patch: full.patch };
  const m = CORE.exec(body);
  if (!m) return 'not_a_version';
  const rest = body.slice(m[0].length);
  if (m[2] === undefined && rest !== '' && rest !== '+') return 'not_a_version';
  const [major, minor, patch] = [m[1], m[2], m[3]].map((d) => (d === undefined ? undefined : Number(d)));
  if (![major, minor, patch].every((n) => n === undefined || Number.isSafeInteger(n))) return 'out_of_range';
  return { major: major ?? 0, minor, patch: patch ?? 0 };
}

function pick(v: Version, part: SemverPart): number | string {
  if (part === 'major') return v.major;
  if (v.minor === undefined) return 'bare_number';
  if (part === 'minor') return v.minor;
  if (part === 'patch') return v.patch;
  if (v.minor >= 1000 || v.patch >= 1000) return 'out_of_range';
  const n = v.major * 1e6 + v.minor * 1e3 + v.patch;
  return Number.isSafeInteger(n) ? n : 'out_of_range';
}

const PARTS: readonly SemverPart[] = schema.shape.part.unwrap().options;

export function compileSemver(spec: SemverSpec): ValueParser {
  const part = spec.part ?? 'sortable';
  if (!PARTS.includes(part)) {
    throw new ParserConfigError('part', `part must be one of ${PARTS.join(', ')}`);
  }
  return guard((trimmed) => {
    const v = readVersion(trimmed);
    if (typeof v === 'string') return fail(v);
    const n = pick(v, part);
    return typeof n === 'number' ? ok(n) : fail(n);
  });
}

export const semverParser = defineParser(schema, compileSemver);
