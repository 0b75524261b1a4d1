import { backtracksExponentially } from '../parsers/regex.js';
import type { BuildContext } from './build-source.js';
import { DEFAULTS } from './defaults.js';
import { labelPlan } from './label-plan.js';
import type { PathSegment } from './locate.js';
import { isValidLabelName, LABEL_NAME_RE } from './names.js';
import type { RawTransformation } from './schema.js';
import type { LabelShaping, RelabelRule, ReplacementPart } from './types.js';

/** Label shaping of a transformation (drop, relabel, rename, static), checked and compiled at load. */

const DEFAULT_RELABEL_REGEX = '(.*)';
const DEFAULT_RELABEL_REPLACEMENT = '$1';

/** A relabel option that cannot be compiled; `field` is the key to report it at. */
class RelabelConfigError extends Error {
  constructor(
    readonly field: 'regex' | 'replacement',
    message: string,
  ) {
    super(message);
  }
}

/** Compiles `regex` anchored (`^(?:regex)$`) as the transformer will, rejecting nested quantifiers. */
function compileRelabelRegex(regex: string): RegExp {
  if (backtracksExponentially(regex)) {
    throw new RelabelConfigError(
      'regex',
      'a repeated group that contains a repetition or alternation (like (a+)+ or (a|aa)*) can take exponential time; write it without the nesting',
    );
  }
  try {
    return new RegExp(`^(?:${regex})$`);
  } catch (e) {
    const hint = regex.includes('(?P<') ? ' (named groups are written (?<name>...) in JavaScript, not (?P<name>...))' : '';
    // Name the user's pattern, not the anchored wrapper.
    const msg = (e as Error).message.replace(`/^(?:${regex})$/`, `/${regex}/`);
    throw new RelabelConfigError('regex', `invalid regular expression: ${msg}${hint}`);
  }
}

/** Group count and names of a regex (matching `re|` against the empty string). */
function groupsOf(re: RegExp): { count: number; names: readonly string[] } {
  const m = new RegExp(`${re.source}|`).exec('');
  return { count: m ? m.length - 1 : 0, names: Object.keys(m?.groups ?? {}) };
}

/**
 * Parses a replacement as Go's `Regexp.Expand` does (Prometheus' rules):
 * `$1`, `${1}`, `$name`, `${name}`, `$$` for a literal `$`. The name after a
 * bare `$` is the longest run of `[A-Za-z0-9_]`, so `$1x` means group "1x":
 * write `${1}x`. Unlike Go, a group the regex lacks is an error at load.
 */
function parseReplacement(replacement: string, re: RegExp): ReplacementPart[] {
  const { count, names } = groupsOf(re);
  const parts: ReplacementPart[] = [];
  let lit = '';
  const tokens = /\$(?:\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))|\$/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = tokens.exec(replacement)) !== null) {
    lit += replacement.slice(last, m.index);
    last = tokens.lastIndex;
    if (m[0] === '$$') {
      lit += '$';
      continue;
    }
    const ref = m[1] ?? m[2];
    if (ref === undefined) throw new RelabelConfigError('replacement', 'a lone "$" in the replacement: write $$ for a literal dollar sign');
    if (lit !== '') parts.push(lit);
    lit = '';
    if (/^\d+$/.test(ref)) {
      const n = Number(ref);
      if (n > count)
        throw new RelabelConfigError('replacement', `the replacement refers to group ${n}, but the regex has ${count} capture group(s)`);
      parts.push(n);
    } else if (names.includes(ref)) {
      parts.push({ group: ref });
    } else {
      const digits = /^\d+/.exec(ref)?.[0];
      const hint = digits ? ` (write \${${digits}}${ref.slice(digits.length)} to follow group ${digits} with text)` : '';
      throw new RelabelConfigError('replacement', `the replacement refers to group "${ref}", which the regex does not have${hint}`);
    }
  }
  lit += replacement.slice(last);
  if (lit !== '') parts.push(lit);
  return parts;
}

/**
 * Label shaping (drop, relabel, rename, static, keep_value_label), checked as
 * a whole: names that would collide in the output are load errors, regexes are
 * compiled now. Null when nothing is configured, so the transformer keeps its
 * plain path.
 */
export function buildShaping(
  ctx: BuildContext,
  t: RawTransformation,
  path: PathSegment[],
  sourceLabel: string | null,
): LabelShaping | null {
  const drop = t.drop_labels ?? [];
  const renames = [...(t.rename_labels ?? new Map<string, string>())];
  const statics = [...(t.static_labels ?? new Map<string, string>())];
  const rawRules = t.relabel ?? [];
  const keepValue = t.keep_value_label ?? false;
  if (drop.length === 0 && renames.length === 0 && statics.length === 0 && rawRules.length === 0 && !keepValue) return null;
  const at = (...rest: PathSegment[]): PathSegment[] => [...path, ...rest];
  const metricType = t.metric_type ?? DEFAULTS.metricType;
  if (keepValue && metricType === 'info')
    ctx.problems.add(at('keep_value_label'), 'keep_value_label is for gauges: info series always carry the value label');
  const preserve = t.preserve_labels ?? null;
  // The transformer's own rule (config/label-plan.ts), so load checks what the runs will do.
  const plan = labelPlan({
    metricType,
    valueFromLabel: t.value_from_label,
    preserveLabels: preserve,
    sourceLabel,
    dropLabels: drop,
    keepValueLabel: keepValue,
  });

  // preserve → drop
  drop.forEach((l, k) => {
    if (drop.indexOf(l) !== k) ctx.problems.add(at('drop_labels', k), `label "${l}" is listed twice`);
    else if (preserve?.includes(l)) ctx.problems.add(at('drop_labels', k), `label "${l}" is both preserved and dropped`);
  });
  /** Labels known to be in the output at the current step; null: all of the source's (unknown at load). */
  const known: Set<string> | null = plan.preserved && new Set(plan.preserved);

  // relabel
  const relabel: RelabelRule[] = [];
  const relabelTargets = new Set<string>();
  rawRules.forEach((r, k) => {
    const regex = r.regex ?? DEFAULT_RELABEL_REGEX;
    const replacement = r.replacement ?? DEFAULT_RELABEL_REPLACEMENT;
    let expansion: ReplacementPart[] = [];
    try {
      expansion = parseReplacement(replacement, compileRelabelRegex(regex));
    } catch (e) {
      if (!(e instanceof RelabelConfigError)) throw e;
      if (e.field === 'replacement' && r.replacement === undefined)
        ctx.problems.add(at('relabel', k), `replacement (default ${DEFAULT_RELABEL_REPLACEMENT}): ${e.message}`);
      else ctx.problems.add(at('relabel', k, e.field), e.message);
    }
    const rule: RelabelRule = { sourceLabel: r.source_label, regex, replacement, targetLabel: r.target_label ?? r.source_label, expansion };
    const available = known ? known.has(rule.sourceLabel) || relabelTargets.has(rule.sourceLabel) : !drop.includes(rule.sourceLabel);
    if (!available) {
      ctx.problems.add(
        at('relabel', k, 'source_label'),
        `label "${rule.sourceLabel}" is not in the output when relabeling runs (relabel reads the labels left after preserve_labels and drop_labels)`,
      );
    }
    if (rule.targetLabel === sourceLabel)
      ctx.problems.add(
        at('relabel', k, r.target_label === undefined ? 'source_label' : 'target_label'),
        `label "${rule.targetLabel}" is the source_label, which is set last and would overwrite it`,
      );
    relabel.push(rule);
    relabelTargets.add(rule.targetLabel);
    known?.add(rule.targetLabel);
  });

  // A renamed label is read from the source, where any name may occur (a
  // scraped `__proto__`); names written to the output may not start with "__".
  for (const [from] of renames) {
    if (from === '__name__')
      ctx.problems.add(at('rename_labels', from), '__name__ is the metric name, not a label: it cannot be renamed', true);
    else if (!LABEL_NAME_RE.test(from))
      ctx.problems.add(at('rename_labels', from), 'invalid label name: must match [a-zA-Z_][a-zA-Z0-9_]*', true);
  }
  for (const [name] of statics) {
    if (!isValidLabelName(name))
      ctx.problems.add(at('static_labels', name), 'invalid label name: must match [a-zA-Z_][a-zA-Z0-9_]* and not start with "__"', true);
  }

  // rename
  const froms = new Set(renames.map(([from]) => from));
  const targets = new Map<string, string>();
  for (const [from, to] of renames) {
    const p = at('rename_labels', from);
    if (to === from) ctx.problems.add(p, `label "${from}" is renamed to itself`);
    else if (targets.has(to)) ctx.problems.add(p, `rename target "${to}" is already the target of rename_labels.${targets.get(to)}`);
    else if (froms.has(to)) ctx.problems.add(p, `rename target "${to}" is itself renamed; renames apply at once and do not chain`);
    else if (to === sourceLabel) ctx.problems.add(p, `rename target "${to}" is the source_label, which is set last and would overwrite it`);
    else if (known?.has(to) || relabelTargets.has(to)) ctx.problems.add(p, `rename target "${to}" collides with the output label "${to}"`);
    targets.set(to, from);
  }
  if (known) {
    for (const [from, to] of renames) {
      if (known.delete(from)) known.add(to);
    }
  }

  // static
  for (const [name] of statics) {
    const p = at('static_labels', name);
    if (name === sourceLabel) ctx.problems.add(p, `static label "${name}" clashes with the source_label`, true);
    else if (targets.has(name)) ctx.problems.add(p, `static label "${name}" clashes with rename_labels.${targets.get(name)}`, true);
    else if (relabelTargets.has(name)) ctx.problems.add(p, `static label "${name}" clashes with a relabel target_label`, true);
    else if (known?.has(name) || (plan.carriesValue && name === t.value_from_label))
      ctx.problems.add(p, `static label "${name}" clashes with the preserved label "${name}"`, true);
  }

  return { dropLabels: drop, relabel, renameLabels: renames, staticLabels: statics, keepValueLabel: keepValue };
}
