/** Prometheus data-model name rules, applied at config load. */
export const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function isValidMetricName(name: string): boolean {
  return METRIC_NAME_RE.test(name);
}

/** Valid and not reserved (`__`-prefixed names are internal to Prometheus). */
export function isValidLabelName(name: string): boolean {
  return LABEL_NAME_RE.test(name) && !name.startsWith('__');
}

/** Prefixes of the exporter's own metrics; user metrics may not use them. */
export const RESERVED_METRIC_PREFIXES = ['label_value_exporter_', 'process_', 'nodejs_'] as const;
