import { parser } from '@prometheus-io/lezer-promql';
import type { BuildContext } from './build-source.js';
import { METRIC_TYPES } from '../model/metric-types.js';
import type { PathSegment } from './locate.js';
import type { RawTransformation } from './schema.js';
import type { CollisionPolicy, SourceConfig } from './types.js';

/**
 * `query:` (docs/transformations.md "Queries") and projection pushdown (docs/transformations.md "Asking for
 * less"), checked and decided at load.
 */

/** A syntax problem in a query: `offset` is the 0-based character position in the expression. */
export interface QuerySyntaxError {
  readonly offset: number;
  readonly message: string;
  /** `syntax`: not PromQL (maybe MetricsQL); `type`: PromQL, but not an instant vector. */
  readonly kind: 'syntax' | 'type';
}

/** Result types a transformation cannot read: Prometheus answers them with a matrix, scalar or string. */
const NOT_A_VECTOR: Readonly<Record<string, string>> = {
  MatrixSelector: 'a range vector',
  SubqueryExpr: 'a range vector',
  NumberDurationLiteral: 'a scalar',
  NumberLiteral: 'a scalar',
  StringLiteral: 'a string',
};

function describeError(expr: string, offset: number): string {
  const where = `at character ${offset + 1}`;
  if (offset >= expr.length) return `unexpected end of the expression ${where}`;
  // The grammar knows every PromQL function: an unknown one fails at its "(".
  const fn = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(expr.slice(0, offset));
  if (fn && expr[offset] === '(') return `unknown function "${fn[1]}" ${where}`;
  const near = expr.slice(offset, offset + 20).replace(/\s+/g, ' ');
  return `unexpected ${JSON.stringify(near)} ${where}`;
}

/**
 * Checks `expr` with the official PromQL grammar (`@prometheus-io/lezer-promql`,
 * the parser of Prometheus' own UI). The grammar is error-tolerant: it always
 * gives a tree, with error nodes where the text did not parse; the first one is
 * reported. Null: valid PromQL that returns an instant vector (as far as the
 * top-level node tells; deeper type errors are left to the source).
 */
export function checkPromQL(expr: string): QuerySyntaxError | null {
  const tree = parser.parse(expr);
  let offset = -1;
  tree.iterate({
    enter: (n) => {
      if (offset >= 0) return false;
      if (n.type.isError) offset = n.from;
      return undefined;
    },
  });
  if (offset >= 0) return { offset, kind: 'syntax', message: `invalid PromQL: ${describeError(expr, offset)}` };
  const top = tree.topNode.firstChild;
  const kind = top ? NOT_A_VECTOR[top.name] : undefined;
  if (kind)
    return {
      offset: 0,
      kind: 'type',
      message: `the query returns ${kind}; a transformation needs an instant vector (one sample per series)`,
    };
  return null;
}

/**
 * `query:` of a transformation: exactly one of `source_metric` and `query`,
 * query-API sources only, and PromQL syntax checked unless every source speaks
 * MetricsQL. Returns the trimmed expression, or null when none is given.
 */
export function buildQuery(ctx: BuildContext, t: RawTransformation, path: PathSegment[], sources: readonly SourceConfig[]): string | null {
  // Neither source_metric nor query: a schema error (schema.ts), reported before this runs.
  if (t.query === undefined) return null;
  const at = [...path, 'query'];
  const expr = t.query.trim();
  if (t.source_metric !== undefined)
    ctx.problems.add(
      [...path, 'source_metric'],
      'set either source_metric or query, not both: query replaces source_metric and query_filter',
      true,
    );
  if (t.query_filter !== undefined)
    ctx.problems.add([...path, 'query_filter'], 'query_filter cannot be combined with query: put the label matchers into the query', true);
  if (expr === '') {
    ctx.problems.add(at, 'query is empty');
    return expr;
  }
  const other = sources.find((s) => ctx.capabilities(s).queryLanguage === null);
  if (other) {
    ctx.problems.add(
      at,
      `query needs query-API sources (type: prometheus); source "${other.name}" is of type ${other.type}: use source_metric and query_filter`,
    );
    return expr;
  }
  // VictoriaMetrics accepts MetricsQL, a superset of PromQL (label_value(), WITH
  // templates, keep_metric_names, ...) the PromQL grammar rejects: only sources
  // that are all Prometheus-flavored get the strict check. A bad MetricsQL query
  // fails its runs with the source's own message (logged once per cause).
  const strict = sources.some((s) => ctx.capabilities(s).queryLanguage === 'prometheus');
  if (strict) {
    const err = checkPromQL(expr);
    const hint =
      err?.kind === 'syntax' ? ' (the source is flavor: prometheus; for MetricsQL set flavor: victoriametrics on the source)' : '';
    if (err) ctx.problems.add(at, `${err.message}${hint}`);
  }
  return expr;
}

/**
 * Policies whose result neither depends on how often a (labels, value) pair
 * repeats nor on the order series arrive in (a grouped answer comes in another
 * order than the raw one).
 */
const DUPLICATE_INSENSITIVE: ReadonlySet<CollisionPolicy> = new Set(['min', 'max']);

/**
 * May the source be asked `group by (<labels read>) (<selector>)` instead of
 * `<selector>`? Grouping merges source series that agree on every label the
 * transformation reads (its projection: preserve_labels and value_from_label)
 * into one. Each of those series yields the same output label set and the same
 * value (both are functions of the labels read only; the sample value is not
 * used), so the output is unchanged exactly when repeating an identical
 * (labels, value) pair changes nothing:
 *  - true for on_collision max (the default) and min; false for sum and count
 *    (they count repeats), error (a repeat is the error), and first and last:
 *    two series with different labels read can still meet in one output
 *    series (a gauge's value label is not an output label), and which one is
 *    "first" depends on the order of the answer, which grouping changes;
 *  - only for the metric types whose table entry allows it (gauge and info; model/metric-types.ts): others (histograms count source
 *    series) are left out until shown to be repeat-insensitive;
 *  - never for `query:` (the user's expression is sent as written), and never
 *    without preserve_labels (all labels are read: nothing to save).
 * Fan-in is unaffected: each source is grouped on its own and its series carry
 * their source's name. Self-metrics that count source series (source_series,
 * collisions, skipped) then count grouped series.
 */
export function pushdownAllowed(t: RawTransformation, query: string | null): boolean {
  if (t.pushdown === false || query !== null || !t.preserve_labels) return false;
  if (!METRIC_TYPES[t.metric_type ?? 'gauge'].pushdown) return false;
  return DUPLICATE_INSENSITIVE.has(t.on_collision ?? 'max');
}
