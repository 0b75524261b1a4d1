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

/** `{{label}}` (spaces allowed inside the braces) in a dynamic metric name. */
export const NAME_PLACEHOLDER_RE = /\{\{\s*([^{}\s]*)\s*\}\}/g;

/** A plain metric name, or a template that becomes one with every `{{label}}` filled with letters. */
export function isValidMetricNameTemplate(name: string): boolean {
  if (!name.includes('{{')) return isValidMetricName(name);
  let ok = true;
  const filled = name.replace(NAME_PLACEHOLDER_RE, (_, label: string) => {
    if (!isValidLabelName(label)) ok = false;
    return 'x';
  });
  return ok && isValidMetricName(filled);
}
