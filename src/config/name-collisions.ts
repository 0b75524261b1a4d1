import { parser } from '@prometheus-io/lezer-promql';
import { METRIC_TYPES } from '../model/metric-types.js';
import { NAME_PLACEHOLDER_RE } from './names.js';
import type { ExporterConfig, TransformationConfig } from './types.js';

/**
 * Output names that equal a metric the same config reads. When the source a
 * transformation reads also scrapes the exporter (the usual set-up: one
 * Prometheus or VictoriaMetrics for everything), a transformation reading
 * `x` picks up our own `x` next to the original, and one name holds two
 * shapes. Warned about by `check`, not refused: a deliberate chain (deriving
 * from a derived metric under another name) never triggers it.
 */

/** A node of the PromQL syntax tree (its type from the parser, without importing @lezer/common). */
type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

/** What a query reads: metric names, and `__name__=~"..."` patterns. */
interface Reads {
  readonly names: Set<string>;
  readonly patterns: RegExp[];
}

function unquote(literal: string): string {
  try {
    return literal.startsWith('"') ? (JSON.parse(literal) as string) : literal.slice(1, -1);
  } catch {
    return literal.slice(1, -1);
  }
}

/** A `__name__` matcher: an exact name, or an anchored pattern for `=~`. */
function nameMatcher(expr: string, m: SyntaxNode, reads: Reads): void {
  const label = m.getChild('LabelName');
  const op = m.getChild('MatchOp');
  const value = m.getChild('StringLiteral');
  if (!label || !op || !value || expr.slice(label.from, label.to) !== '__name__') return;
  const text = unquote(expr.slice(value.from, value.to));
  const operator = expr.slice(op.from, op.to);
  if (operator === '=') reads.names.add(text);
  else if (operator === '=~') {
    try {
      reads.patterns.push(new RegExp(`^(?:${text})$`));
    } catch {
      // Not a JavaScript regex (RE2 syntax it lacks): nothing to compare with.
    }
  }
}

/** Metric names a PromQL/MetricsQL query reads, from the PromQL grammar (error-tolerant: MetricsQL parses far enough). */
export function metricsInQuery(expr: string, reads: Reads = { names: new Set(), patterns: [] }): Reads {
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') reads.names.add(expr.slice(node.from, node.to));
      else if (node.name === 'UnquotedLabelMatcher') nameMatcher(expr, node.node, reads);
    },
  });
  return reads;
}

/** A dynamic name `{{label}}_version` as a pattern over the names it can produce. */
function namePattern(t: TransformationConfig): RegExp | null {
  if (!t.name.includes('{{')) return null;
  const parts = t.name.split(NAME_PLACEHOLDER_RE).map((p, i) => (i % 2 === 1 ? '[a-zA-Z0-9_:]*' : p.replace(/[^a-zA-Z0-9_:]/g, '\\$&')));
  return new RegExp(`^${parts.join('')}$`);
}

function collides(t: TransformationConfig, reads: Reads): string | undefined {
  const dynamic = namePattern(t);
  for (const served of METRIC_TYPES[t.metricType].servedNames(t.name)) {
    if (dynamic === null && (reads.names.has(served) || reads.patterns.some((p) => p.test(served)))) return served;
  }
  if (dynamic) return [...reads.names].find((n) => dynamic.test(n));
  return undefined;
}

/** One warning per transformation whose output is a metric the config reads. */
export function nameCollisionWarnings(config: ExporterConfig): string[] {
  const reads: Reads = { names: new Set(), patterns: [] };
  const readers = new Map<string, string[]>();
  const note = (metric: string, by: string) => readers.set(metric, [...(readers.get(metric) ?? []), by]);
  for (const t of config.transformations) {
    if (t.query !== null) {
      const own = metricsInQuery(t.query);
      own.names.forEach((n) => note(n, t.name));
      metricsInQuery(t.query, reads);
    } else if (t.sourceMetric !== '') {
      reads.names.add(t.sourceMetric);
      note(t.sourceMetric, t.name);
    }
  }
  const warnings: string[] = [];
  for (const t of config.transformations) {
    const name = collides(t, reads);
    if (name === undefined) continue;
    const by = readers.get(name);
    const who = by ? `transformation(s) ${by.join(', ')} read` : 'a query reads';
    warnings.push(
      `"${t.name}" serves ${name}, a metric ${who}: where the source also scrapes this exporter, that read picks up this output too, and one name holds two shapes; choose another name`,
    );
  }
  return warnings;
}
