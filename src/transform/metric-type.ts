import { isValidMetricName, RESERVED_METRIC_PREFIXES } from '../config/names.js';
import type { NameTemplate } from '../config/types.js';
import type { LabelSet } from '../model/series.js';

const NOT_NAME_CHARS = /[^a-zA-Z0-9_:]/g;

/**
 * Fills a dynamic name from one source series: each `{{label}}` becomes the
 * label's value with every character a metric name cannot hold replaced by
 * `_` (`ingress-nginx` → `ingress_nginx`, as the seed's collector did).
 * Returns null when the result is still no valid name (an empty or missing
 * label, a leading digit) or takes the exporter's own prefixes.
 */
export function fillName(template: NameTemplate, labels: LabelSet): string | null {
  let name = '';
  for (const part of template) {
    if (typeof part === 'string') {
      name += part;
      continue;
    }
    const v = Object.hasOwn(labels, part.label) ? labels[part.label] : undefined;
    if (typeof v !== 'string' || v === '') return null;
    name += v.replace(NOT_NAME_CHARS, '_');
  }
  if (!isValidMetricName(name) || RESERVED_METRIC_PREFIXES.some((p) => name.startsWith(p))) return null;
  return name;
}

/** Index of the bucket a value falls into (`v <= bounds[i]`); `bounds.length` for +Inf only. */
export function bucketIndex(bounds: readonly number[], v: number): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= (bounds[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
