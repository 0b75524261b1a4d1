import { z } from 'zod';
import { parsePromDuration } from './duration.js';
import { isValidLabelName, isValidMetricName } from './names.js';
import { valueSchema } from './schema-value.js';

/**
 * The shape of the YAML file, validated strictly: unknown keys are errors.
 * This checks structure and names only; `build.ts` turns the result into the
 * typed `ExporterConfig` (defaults, env expansion, cross-references).
 * Every key of the Python prototype's format is accepted unchanged.
 */

const metricName = z
  .string()
  .refine(isValidMetricName, { message: 'invalid metric name: must match [a-zA-Z_:][a-zA-Z0-9_:]*' });

const labelName = z.string().refine(isValidLabelName, {
  message: 'invalid label name: must match [a-zA-Z_][a-zA-Z0-9_]* and not start with "__"',
});

/** Seconds as a number (the prototype's form) or a Prometheus duration string. */
const seconds = z.union([
  z.number().positive({ message: 'must be a positive number of seconds' }),
  z.string().refine((s) => (parsePromDuration(s) ?? 0) > 0, {
    message: 'expected seconds (e.g. 300) or a duration such as "30s", "5m", "1h"',
  }),
]);

export const tlsConfig = z.strictObject({
  ca_file: z.string().optional(),
  cert_file: z.string().optional(),
  key_file: z.string().optional(),
  server_name: z.string().optional(),
  insecure_skip_verify: z.boolean().optional(),
});

export const basicAuth = z.strictObject({
  username: z.string(),
  password: z.string().optional(),
  password_file: z.string().optional(),
});

const httpOptions = {
  url: z.string(),
  timeout: seconds.optional(),
  basic_auth: basicAuth.optional(),
  bearer_token: z.string().optional(),
  bearer_token_file: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  tls_config: tlsConfig.optional(),
  max_response_bytes: z.number().int().positive().optional(),
};

export const prometheusSource = z.strictObject({
  name: z.string().min(1),
  type: z.literal('prometheus'),
  ...httpOptions,
  // Query language of the source (README "Queries"): how strictly `query:` is checked at load.
  flavor: z.enum(['prometheus', 'victoriametrics']).optional(),
  // Projection pushdown (README "Asking for less"); false: always send the plain selector.
  pushdown: z.boolean().optional(),
});

export const fileSource = z.strictObject({
  name: z.string().min(1),
  type: z.literal('file'),
  path: z.string().min(1),
  format: z.enum(['prometheus', 'json']).optional(),
});

export const scrapeSource = z.strictObject({
  name: z.string().min(1),
  type: z.literal('scrape'),
  ...httpOptions,
});

export const jsonSource = z.strictObject({
  name: z.string().min(1),
  type: z.literal('json'),
  method: z.enum(['GET', 'POST']).optional(),
  body: z.string().optional(),
  ...httpOptions,
});

const source = z.discriminatedUnion('type', [prometheusSource, fileSource, scrapeSource, jsonSource], {
  error: 'expected a source with "type: prometheus", "scrape", "json" or "file"',
});

const jsonMapping = z.strictObject({
  records: z.string().min(1),
  labels: z.record(labelName, z.string().min(1)),
});

const relabelRule = z.strictObject({
  source_label: labelName,
  regex: z.string().optional(),
  replacement: z.string().optional(),
  target_label: labelName.optional(),
});

const transformation = z.strictObject({
  name: metricName,
  description: z.string().optional(),
  source_metric: metricName.optional(),
  metric_type: z.enum(['gauge', 'info']).optional(),
  value_from_label: labelName,
  preserve_labels: z.array(labelName).optional(),
  default_value: z.number().refine(Number.isFinite, { message: 'must be a finite number' }).optional(),
  query_filter: z.string().optional(),
  clear_stale_metrics: z.boolean().optional(),
  skip_empty_labels: z.boolean().optional(),
  // Additions to the prototype's format.
  source: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  source_label: labelName.optional(),
  json: jsonMapping.optional(),
  interval: seconds.optional(),
  timeout: seconds.optional(),
  max_staleness: seconds.optional(),
  value: valueSchema.optional(),
  // Label shaping (README "Label shaping").
  drop_labels: z.array(labelName).optional(),
  // Keys are checked as label names in build-transformation.ts, to report them at the key.
  rename_labels: z.record(z.string(), labelName).optional(),
  static_labels: z.record(z.string(), z.string().min(1, { message: 'a static label needs a non-empty value' })).optional(),
  relabel: z.array(relabelRule).optional(),
  keep_value_label: z.boolean().optional(),
  on_collision: z.enum(['first', 'last', 'min', 'max', 'sum', 'count', 'error']).optional(),
  // Queries (README "Queries"): a PromQL/MetricsQL expression instead of source_metric + query_filter.
  query: z.string().optional(),
  pushdown: z.boolean().optional(),
  max_series: z.number().int({ message: 'must be a positive integer' }).positive({ message: 'must be a positive integer' }).optional(),
}).refine((t) => t.source_metric !== undefined || t.query !== undefined, {
  // Checked even when other keys of the transformation are invalid, so every problem is listed at once.
  when: (payload) => typeof payload.value === 'object' && payload.value !== null,
  path: ['source_metric'],
  message: 'missing required field: set source_metric (with an optional query_filter) or query',
});

export const configSchema = z.strictObject({
  victoriametrics_url: z.string().optional(),
  scrape_interval: seconds.optional(),
  exporter_port: z.number().int().min(1).max(65535).optional(),
  // Keys of the prototype's re-creation (shared/baselines/seed_exporter.py).
  exporter_address: z.string().optional(),
  query_timeout: seconds.optional(),
  metric_transformations: z.array(transformation),
  // Additions to the prototype's format.
  sources: z.array(source).optional(),
  max_staleness: seconds.optional(),
  max_concurrent_requests: z.number().int().positive().optional(),
});

export type RawConfig = z.infer<typeof configSchema>;
export type RawTransformation = z.infer<typeof transformation>;
export type RawSource = z.infer<typeof source>;
export type RawHttpOptions = Omit<z.infer<typeof prometheusSource>, 'type'>;
