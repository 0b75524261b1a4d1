/**
 * Value parsers turn one label value into one sample value. Each is compiled
 * once from its options (`ParserSpec`, plain data as it comes from YAML after
 * validation) into a `ValueParser`, which is pure, never throws and never hangs.
 */

/**
 * The result of parsing one label value. `reason` is a short, stable
 * snake_case word used as a self-metric label value (`empty`, `not_a_number`,
 * `no_match`, `unknown_value`, `not_a_version`, `out_of_range`, ...).
 */
export type ParseOutcome =
  | { readonly ok: true; readonly value: number }
  | { readonly ok: false; readonly reason: string };

export type ValueParser = (raw: string) => ParseOutcome;

/** `number`: the core's lenient rules (`28`, `28+`, `v28`, whitespace), or `strict`: a plain literal only. */
export interface NumberSpec {
  readonly parser: 'number';
  readonly strict?: boolean;
}

export type SemverPart = 'major' | 'minor' | 'patch' | 'sortable';

/** `semver`: one part of a version, or `sortable` = major×1e6 + minor×1e3 + patch (the default). */
export interface SemverSpec {
  readonly parser: 'semver';
  readonly part?: SemverPart;
}

/** `regex`: the first match anywhere in the value; the capture group (default 1) is parsed strictly. */
export interface RegexSpec {
  readonly parser: 'regex';
  readonly pattern: string;
  readonly group?: number | string;
}

/** `map`: a string → number table; unknown values give `default` when set. */
export interface MapSpec {
  readonly parser: 'map';
  readonly values: Readonly<Record<string, number>>;
  readonly default?: number;
  readonly case_insensitive?: boolean;
}

/** `boolean`: true/false, yes/no, on/off, 1/0, y/n, t/f, enabled/disabled → 1/0. */
export interface BooleanSpec {
  readonly parser: 'boolean';
}

/** `duration`: Prometheus (`1h30m`, `1d`) and Go (`1.5s`, `300ms`) durations → seconds. */
export interface DurationSpec {
  readonly parser: 'duration';
}

/** `bytes`: SI, IEC and Kubernetes quantities (`512Mi`, `1G`, `250m`) → base units. */
export interface BytesSpec {
  readonly parser: 'bytes';
}

export type TimestampUnit = 'auto' | 's' | 'ms';

/** `timestamp`: RFC 3339 / ISO 8601 dates and Unix seconds or milliseconds → Unix seconds. */
export interface TimestampSpec {
  readonly parser: 'timestamp';
  readonly unit?: TimestampUnit;
}

/**
 * `version`: a dotted version as one number in version order: the first
 * `parts` numbers (default 3), `digits` digits (default 3) for each after the
 * first (1.28.3 → 1028003); `prefix`, a regex removed from the start.
 */
export interface VersionSpec {
  readonly parser: 'version';
  readonly parts?: number;
  readonly digits?: number;
  readonly prefix?: string;
}

export type ParserSpec =
  | NumberSpec
  | SemverSpec
  | VersionSpec
  | RegexSpec
  | MapSpec
  | BooleanSpec
  | DurationSpec
  | BytesSpec
  | TimestampSpec;

export type ParserName = ParserSpec['parser'];

/** The spec type of one parser name. */
export type SpecFor<N extends ParserName> = Extract<ParserSpec, { parser: N }>;

/**
 * A problem found while compiling a parser (a bad regex, a clashing map key).
 * `field` names the option inside the parser spec (`pattern`, `group`,
 * `values`, ...), so the config loader can point at the exact location.
 */
export class ParserConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ParserConfigError';
  }
}
