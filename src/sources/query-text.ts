import { selectorText, type SourceQuery } from './source.js';

/**
 * The expression a query-API source sends for `q`:
 *  - the user's `query:` as written (never rewritten);
 *  - else, with pushdown allowed by both the transformation and the source,
 *    `group by (<labels read>) (<selector>)`: the source then serialises only
 *    the labels we read, one series per distinct combination (measured in
 *    bench/PUSHDOWN.md); the transformation decided this is safe
 *    (config/build-query.ts `pushdownAllowed`);
 *  - else, on VictoriaMetrics when asked (`keep`), `label_keep(<selector>,
 *    "<label>", ...)`: the same series with only the labels read, no
 *    aggregation (measured at 1M series: 9.1 s instead of 12.4 s for the raw
 *    fetch, 162 MB instead of 383 MB); VictoriaMetrics answers with an error
 *    when that would make two series equal, never with merged data;
 *  - else the plain selector `metric{filter}`.
 * Label names were validated at load ([a-zA-Z_][a-zA-Z0-9_]*). PromQL and
 * MetricsQL accept most keywords (`on`, `offset`, `by`, `sum`) as grouping
 * labels, but Prometheus 2.42 rejects `inf`, `nan` (numbers, any case) and
 * `without` there (tried against the real server): with one of those the plain
 * selector is sent.
 */
const NOT_A_GROUPING_LABEL = /^(?:inf|nan|without)$/i;

export function queryText(q: SourceQuery, sourceAllowsPushdown: boolean, victoriaMetrics = false): string {
  if (q.expr) return q.expr;
  const selector = selectorText(q);
  if (sourceAllowsPushdown && victoriaMetrics && q.keep === true && q.labels && q.labels.length > 0) {
    return `label_keep(${selector}, ${q.labels.map((l) => JSON.stringify(l)).join(', ')})`;
  }
  if (sourceAllowsPushdown && q.pushdown === true && q.labels && q.labels.length > 0 && !q.labels.some((l) => NOT_A_GROUPING_LABEL.test(l)))
    return `group by (${q.labels.join(', ')}) (${selector})`;
  return selector;
}
