import { escapeLabelValue } from './label-text.js';
import type { MetricType, OutputSeries } from './series.js';

/**
 * The metric types, one entry each: how a type names its family and samples,
 * which label it reserves, what config it checks, how it is declared in each
 * exposition format and how one output series expands into samples. Config
 * load, the renderer, remote write and the name checks read this table instead
 * of branching on the type; a new type is one more entry here (plus its
 * accumulation in transform/transformer.ts and its name in config/schema.ts).
 */

/** The two exposition formats we serve (re-exported by exposition/format.ts). */
export type ExpositionFormat = 'text' | 'openmetrics';

/** Sample value spelling shared by both formats. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/**
 * A bucket bound as Go's `strconv.FormatFloat(v, 'g', -1, 64)` plus `.0` for
 * integers, which is what client_golang writes and the canonical form
 * OpenMetrics parsers insist on (`le="1.0"`, not `le="1"`).
 */
export function formatBound(v: number): string {
  const s = formatValue(v);
  return Number.isInteger(v) && !s.includes('e') ? `${s}.0` : s;
}

/** A counter's samples end in `_total`; the configured name may or may not. */
export function counterBase(name: string): string {
  return name.endsWith('_total') ? name.slice(0, -'_total'.length) : name;
}

/** What rendering and expanding a transformation's output needs to know of it. */
export interface FamilyShape {
  /** The configured name (for a dynamic name, unused: each series carries its own). */
  readonly name: string;
  readonly type: MetricType;
  readonly dynamicNames: boolean;
  /** Stateset: the states in index order and the label that names them. */
  readonly states?: { readonly values: readonly string[]; readonly label: string } | null;
  /** Histogram: the bucket upper bounds (+Inf is implied). */
  readonly buckets?: readonly number[] | null;
}

/** One value of the label a type adds to some of its samples (`le="1.0"`, a state), as data and as exposition text. */
export interface TypeLabel {
  readonly name: string;
  /** The value as a receiver reads it back (unescaped). */
  readonly value: string;
  /** `name="escaped value"`, as written between the braces. */
  readonly text: string;
}

/**
 * Receives the samples of one output series (its labels are the series'
 * label text, plus `extra` when given). The renderer writes them as text,
 * remote write collects them (exposition/samples.ts).
 */
export interface SampleEmitter {
  sample(name: string, extra: TypeLabel | undefined, value: number): void;
}

/** Per family name: the sample names and type labels `expand` uses (computed once per family, not per series). */
export interface FamilyParts {
  readonly names: readonly string[];
  readonly typeLabels: readonly TypeLabel[];
}

/** The config key a type needs (and no other type accepts). */
export type TypeParameter = 'states' | 'buckets';

export interface MetricTypeEntry {
  /**
   * Every name a family of this type and name occupies in either exposition
   * format: its sample names and its OpenMetrics family name. Two families
   * that share any of them cannot both be served (Prometheus would reject the
   * scrape), so config load and the exposition writer both check with this.
   */
  claimedNames(name: string): readonly string[];
  /** The sample names it serves (a counter `x` serves `x_total`, a histogram `x_bucket`, `x_sum`, `x_count`). */
  servedNames(name: string): readonly string[];
  /** Why a family of this type clashes with another (the higher `rank` of the two explains). */
  readonly clash: { readonly rank: number; readonly reason: string } | null;
  /** `# TYPE` per format: the family name and type declared. */
  header(name: string, stateLabel: string | undefined, format: ExpositionFormat): readonly [family: string, type: string];
  /**
   * The label the type adds to every output series: `le` for a histogram,
   * the state label for a stateset. Output series may not carry a label of
   * that name from elsewhere (config load rejects it; in all-labels mode the
   * source label of that name is left out).
   */
  typeLabel(stateLabel: string | undefined): string | null;
  /** The config error's reason when that label is used otherwise. */
  reservedWhy(label: string): string;
  /** The config key the type needs (`states`, `buckets`), or null. */
  readonly parameter: TypeParameter | null;
  /** Smallest `default_value` allowed, with the config error; null: any. */
  readonly minDefault: { readonly value: number; readonly message: string } | null;
  /** May the source be asked `group by` (pushdown)? Only for types whose output ignores repeated source series. */
  readonly pushdown: boolean;
  /** The sample names and type labels of one family named `name`. */
  parts(name: string, shape: FamilyShape): FamilyParts;
  /** The samples of one output series. Hand-written and allocation-free: it runs over every output series. */
  expand(parts: FamilyParts, s: OutputSeries, out: SampleEmitter): void;
}

const NO_TYPE_LABELS: readonly TypeLabel[] = [];

/** One sample named like the family, with the series' value. */
function single(parts: FamilyParts, s: OutputSeries, out: SampleEmitter): void {
  out.sample(parts.names[0] as string, undefined, s.value);
}

const gauge: MetricTypeEntry = {
  claimedNames: (name) => [name],
  servedNames: (name) => [name],
  clash: null,
  header: (name) => [name, 'gauge'],
  typeLabel: () => null,
  reservedWhy: () => '',
  parameter: null,
  minDefault: null,
  pushdown: true,
  parts: (name) => ({ names: [name], typeLabels: NO_TYPE_LABELS }),
  expand: single,
};

/**
 * An info family is `info` in OpenMetrics only when its name ends in `_info`
 * (OpenMetrics requires the suffix on the samples); otherwise it is declared a
 * gauge, so the series names are the same in both formats.
 */
const info: MetricTypeEntry = {
  ...gauge,
  claimedNames: (name) => (name.endsWith('_info') ? [name, name.slice(0, -'_info'.length)] : [name]),
  clash: { rank: 1, reason: 'an info metric "x_info" is the OpenMetrics family "x"' },
  header: (name, _stateLabel, format) =>
    format === 'openmetrics' && name.endsWith('_info') ? [name.slice(0, -'_info'.length), 'info'] : [name, 'gauge'],
};

/**
 * A stateset is a gauge in the text format, which has no such type, and in
 * OpenMetrics unless its state label is the family's name (as OpenMetrics
 * requires of a stateset). One sample per state: 1 for the current one.
 */
const stateset: MetricTypeEntry = {
  ...gauge,
  header: (name, stateLabel, format) => [name, format === 'openmetrics' && stateLabel === name ? 'stateset' : 'gauge'],
  typeLabel: (stateLabel) => stateLabel ?? null,
  reservedWhy: (label) => `the stateset adds the label "${label}" (state_label)`,
  parameter: 'states',
  pushdown: false,
  parts: (name, shape) => {
    const label = shape.states?.label;
    const typeLabels = (shape.states?.values ?? []).map((v) => {
      const text = `${label}="${escapeLabelValue(v)}"`;
      // What a receiver reads back from the text: lone surrogates became U+FFFD when escaped.
      return { name: label ?? '', value: v.replace(/\p{Cs}/gu, '\uFFFD'), text };
    });
    return { names: [name], typeLabels };
  },
  expand(parts, s, out) {
    const name = parts.names[0] as string;
    const states = parts.typeLabels;
    for (let i = 0; i < states.length; i++) out.sample(name, states[i], i === s.value ? 1 : 0);
  },
};

/** A counter's family is `x_total` in the text format (as client_golang writes it) and `x` in OpenMetrics. */
const counter: MetricTypeEntry = {
  ...gauge,
  claimedNames: (name) => {
    const base = counterBase(name);
    return [base, `${base}_total`];
  },
  servedNames: (name) => [`${counterBase(name)}_total`],
  clash: { rank: 2, reason: 'a counter "x" is served as "x_total" (OpenMetrics family "x")' },
  header: (name, _stateLabel, format) => [format === 'text' ? `${counterBase(name)}_total` : counterBase(name), 'counter'],
  minDefault: { value: 0, message: 'a counter cannot be negative' },
  pushdown: false,
  parts: (name) => ({ names: [`${counterBase(name)}_total`], typeLabels: NO_TYPE_LABELS }),
};

const le = (bound: string): TypeLabel => ({ name: 'le', value: bound, text: `le="${bound}"` });

/** A histogram `x` serves `x_bucket` (one per bound and +Inf, cumulative), `x_sum` and `x_count`; the value is the count. */
const histogram: MetricTypeEntry = {
  ...gauge,
  claimedNames: (name) => [name, `${name}_bucket`, `${name}_sum`, `${name}_count`],
  servedNames: (name) => ['_bucket', '_sum', '_count'].map((s) => `${name}${s}`),
  clash: { rank: 3, reason: 'a histogram "x" also serves "x_bucket", "x_sum" and "x_count"' },
  header: (name) => [name, 'histogram'],
  typeLabel: () => 'le',
  reservedWhy: () => 'a histogram adds the label "le"',
  parameter: 'buckets',
  pushdown: false,
  parts: (name, shape) => ({
    names: [`${name}_bucket`, `${name}_sum`, `${name}_count`],
    typeLabels: [...(shape.buckets ?? []).map((b) => le(formatBound(b))), le('+Inf')],
  }),
  expand(parts, s, out) {
    const [bucket, sum, count] = parts.names as [string, string, string];
    const h = s.histogram;
    const bounds = parts.typeLabels;
    const last = bounds.length - 1;
    for (let i = 0; i < last; i++) out.sample(bucket, bounds[i], h?.buckets[i] ?? 0);
    out.sample(bucket, bounds[last], s.value);
    out.sample(sum, undefined, h?.sum ?? 0);
    out.sample(count, undefined, s.value);
  },
};

/** The table: one entry per metric type. */
export const METRIC_TYPES: Readonly<Record<MetricType, MetricTypeEntry>> = { gauge, info, stateset, counter, histogram };

/** Why two families of these types clash: the reason of the type that claims more names. */
export function clashReason(a: MetricType, b: MetricType): string {
  const ea = METRIC_TYPES[a].clash;
  const eb = METRIC_TYPES[b].clash;
  const top = (ea?.rank ?? 0) >= (eb?.rank ?? 0) ? ea : eb;
  return (top ?? info.clash)?.reason ?? '';
}
