import type { MetricType } from './series.js';

/**
 * Every name a family of this type and name occupies in either exposition
 * format: its sample names and its OpenMetrics family name. Two families
 * that share any of them cannot both be served (Prometheus would reject the
 * scrape), so config load and the exposition writer both check with this.
 */
export function claimedNames(name: string, type: MetricType): readonly string[] {
  switch (type) {
    case 'counter': {
      const base = name.endsWith('_total') ? name.slice(0, -'_total'.length) : name;
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
