/** A problem in a configuration file, with where it is. */
export interface ConfigProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Dotted field path, e.g. `metric_transformations[0].value_from_label`. */
  readonly path: string;
  readonly message: string;
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  return p.path ? `${where}: ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

/** The configuration could not be loaded; `problems` lists every finding. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[], options?: ErrorOptions) {
    const sorted = [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
    super(sorted.map(formatProblem).join('\n'), options);
    this.name = 'ConfigError';
    this.problems = sorted;
  }
}

/**
 * Why a source could not deliver. Used as the `reason` label of failure
 * counters, so keep the set small and stable.
 */
export type SourceFailureReason =
  | 'connection'
  | 'timeout'
  | 'http_status'
  | 'error_envelope'
  | 'bad_response'
  | 'too_large'
  | 'io'
  | 'parse'
  | 'empty_result'
  /** Two source series produced one output series under `on_collision: error`. */
  | 'collision'
  /** More output series than the transformation's `max_series`. */
  | 'too_many_series'
  /** A dynamic name produced more distinct metric names than `max_names`. */
  | 'too_many_names';

/** A source failed to deliver a complete, valid response. */
export class SourceError extends Error {
  readonly reason: SourceFailureReason;
  /** HTTP status code, when the failure came with one. */
  readonly status: number | undefined;
  constructor(reason: SourceFailureReason, message: string, options?: ErrorOptions & { status?: number }) {
    super(message, options);
    this.name = 'SourceError';
    this.reason = reason;
    this.status = options?.status;
  }
}
