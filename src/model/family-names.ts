import type { MetricType } from './series.js';

/** A counter's samples end in `_total`; the configured name may or may not. */
export function counterBase(name: string): string {
  return name.endsWith('_total') ? name.slice(0, -'_total'.length) : name;
}

/**
 * Every name a family of this type and name occupies in either exposition
 * format: its sample names and its OpenMetrics family name. Two families
 * that share any of them cannot both be served (Prometheus would reject the
 * scrape), so config load and the exposition writer both check with this.
 */
export function claimedNames(name: string, type: MetricType): readonly string[] {
  switch (type) {
    case 'counter': {
      const base = counterBase(name);
      return [base, `${base}_total`];
    }
    case 'histogram':
      return [name, `${name}_bucket`, `${name}_sum`, `${name}_count`];
    case 'info':
      return name.endsWith('_info') ? [name, name.slice(0, -'_info'.length)] : [name];
    default:
      return [name];
  }
}

/**
 * The label a metric type adds to every output series: `le` for a histogram,
 * the state label for a stateset. Output series may not carry a label of
 * that name from elsewhere (config load rejects it; in all-labels mode the
 * source label of that name is left out).
 */
export function typeLabel(type: MetricType, stateLabel: string | undefined): string | null {
  if (type === 'histogram') return 'le';
  return type === 'stateset' ? (stateLabel ?? null) : null;
}
