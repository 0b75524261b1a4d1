import { z } from 'zod';
import { METRIC_TYPES } from '../model/metric-types.js';
import type { MetricType } from '../model/series.js';
import { isValidLabelName, isValidMetricName, isValidMetricNameTemplate } from './names.js';
import { checkJsonPath } from './jsonpath.js';
import { finiteNumberSchema, nullMeansUnset, portSchema, secondsSchema } from './schema-number.js';
import { valueSchema } from '../parsers/index.js';

/**
 * The shape of the YAML file, validated strictly: unknown keys are errors.
 * This checks structure and names only; `build.ts` turns the result into the
 * typed `ExporterConfig` (defaults, env expansion, cross-references).
 * Every key of the Python prototype's format is accepted unchanged.
 */

/** A metric name, or a template whose `{{label}}` parts are filled from each source series at run time. */
const metricNameOrTemplate = z.string().refine(isValidMetricNameTemplate, {
  message: 'invalid metric name: must match [a-zA-Z_:][a-zA-Z0-9_:]* (a dynamic name may contain {{label}} parts)',
});

/** `kube_node_info{cluster="a"}`: a selector where a metric name belongs. */
const SELECTOR = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{(.*)\}\s*$/s;

/** Why a source_metric is not a metric name, with the fix when the mistake is a common one. */
function sourceMetricProblem(s: string): string {
  const sel = SELECTOR.exec(s);
  if (sel) {
    const matchers = (sel[2] ?? '').trim();
    const filter = matchers === '' ? '' : ` and query_filter: '${matchers.replace(/'/g, "''")}'`;
    return `source_metric is a metric name, not a selector: write source_metric: ${sel[1]}${filter}`;
  }
  if (s.includes('(') || s.includes('['))
    return 'source_metric is a metric name, not an expression: use query: for a PromQL/MetricsQL expression';
  return 'invalid metric name: must match [a-zA-Z_:][a-zA-Z0-9_:]*';
}

const sourceMetric = z.string().superRefine((s, ctx) => {
  if (!isValidMetricName(s)) ctx.addIssue({ code: 'custom', message: sourceMetricProblem(s) });
});

const labelName = z.string().refine(isValidLabelName, {
  message: 'invalid label name: must match [a-zA-Z_][a-zA-Z0-9_]* and not start with "__"',
});

/**
 * A YAML mapping keyed by label names, as a Map: label names are data, and
 * `__proto__` or `constructor` are label names. (z.record builds a plain
 * object, where a `__proto__` key sets the prototype and vanishes.)
 */
function labelMap<T extends z.ZodType>(value: T) {
  const toMap = (v: unknown): unknown =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Map) ? new Map(Object.entries(v)) : v;
  return z.preprocess(toMap, z.map(z.string(), value, { error: 'expected a mapping of label names' }));
}

/** Seconds as a number (the prototype's form), a quoted number or a Prometheus duration string. */
export const seconds = secondsSchema(false);

/** Like `seconds`, but 0 is allowed (`cache: 0`: share runs in flight only). */
const secondsOrZero = secondsSchema(true);

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

/** The HTTP client options of http sources (and, without max_response_bytes, of remote_write). */
export const httpOptions = {
  url: z.string(),
  timeout: seconds.optional(),
  basic_auth: basicAuth.optional(),
  bearer_token: z.string().optional(),
  bearer_token_file: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  tls_config: tlsConfig.optional(),
  max_response_bytes: z.number().int().positive().optional(),
  // Response compression asked for (docs/configuration.md "Sources"): auto = none on loopback, gzip elsewhere.
  compression: z.enum(['auto', 'gzip', 'none']).optional(),
};

// A longer label value in an answer fails the run (docs/configuration.md "Sources").
export const maxLabelValueBytes = z.number().int().positive().optional();

/** `name:` of a `sources:` entry; each kind's schema (src/sources/kinds/) has it, its `type:` literal and its own keys. */
export const sourceName = z.string().min(1);

/** A JSONPath with RFC 9535's `[-1]` made to work and the forms that would match nothing refused (jsonpath.ts). */
const jsonPath = z
  .string()
  .min(1)
  .transform((s, ctx) => {
    const r = checkJsonPath(s);
    if ('path' in r) return r.path;
    ctx.addIssue({ code: 'custom', message: `invalid JSONPath: ${r.error}` });
    return z.NEVER;
  });

const jsonMapping = z.strictObject({
  records: jsonPath,
  labels: z.record(labelName, jsonPath),
});

const relabelRule = z.strictObject({
  source_label: labelName,
  regex: z.string().optional(),
  replacement: z.string().optional(),
  target_label: labelName.optional(),
});

export const transformation = z
  .strictObject({
    name: metricNameOrTemplate,
    description: z.string().optional(),
    source_metric: sourceMetric.optional(),
    // The types of the metric-type table (model/metric-types.ts), in its order.
    metric_type: z.enum(Object.keys(METRIC_TYPES) as [MetricType, ...MetricType[]]).optional(),
    value_from_label: labelName,
    // The prototype's keys also take what it accepted: an empty key is unset, a quoted number a number (schema-number.ts).
    preserve_labels: nullMeansUnset(z.array(labelName)),
    default_value: nullMeansUnset(finiteNumberSchema),
    query_filter: nullMeansUnset(z.string()),
    clear_stale_metrics: z.boolean().optional(),
    skip_empty_labels: z.boolean().optional(),
    // Additions to the prototype's format.
    source: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    source_label: labelName.optional(),
    json: jsonMapping.optional(),
    interval: seconds.optional(),
    timeout: seconds.optional(),
    max_staleness: seconds.optional(),
    // Sharding (docs/operations.md "Sharding"): whole transformations per replica, or its output series split.
    shard_by: z.enum(['transformation', 'series']).optional(),
    value: valueSchema.optional(),
    // Label shaping (docs/transformations.md "Label shaping").
    drop_labels: z.array(labelName).optional(),
    // Keys are checked as label names in build-shaping.ts, to report them at the key.
    rename_labels: labelMap(labelName).optional(),
    static_labels: labelMap(z.string().min(1, { message: 'a static label needs a non-empty value' })).optional(),
    relabel: z.array(relabelRule).optional(),
    keep_value_label: z.boolean().optional(),
    on_collision: z.enum(['first', 'last', 'min', 'max', 'sum', 'count', 'error']).optional(),
    // Queries (docs/transformations.md "Queries"): a PromQL/MetricsQL expression instead of source_metric + query_filter.
    query: z.string().optional(),
    pushdown: z.union([z.boolean(), z.literal('auto')], { error: 'expected auto, true or false' }).optional(),
    max_series: z.number().int({ message: 'must be a positive integer' }).positive({ message: 'must be a positive integer' }).optional(),
    // Metric types (docs/transformations.md "Metric types") and dynamic names.
    states: z
      .array(z.string().min(1, { message: 'a state needs a non-empty name' }))
      .min(1, { message: 'a stateset needs at least one state' })
      .optional(),
    state_label: labelName.optional(),
    buckets: z
      .array(z.number().refine(Number.isFinite, { message: 'must be a finite number (+Inf is always added)' }))
      .min(1, { message: 'a histogram needs at least one bucket bound' })
      .optional(),
    max_names: z.number().int({ message: 'must be a positive integer' }).positive({ message: 'must be a positive integer' }).optional(),
    // Schedule (docs/transformations.md "Querying at scrape time").
    mode: z.enum(['interval', 'on_scrape']).optional(),
    cache: secondsOrZero.optional(),
  })
  .refine((t) => t.source_metric !== undefined || t.query !== undefined, {
    // Checked even when other keys of the transformation are invalid, so every problem is listed at once.
    when: (payload) => typeof payload.value === 'object' && payload.value !== null,
    path: ['source_metric'],
    message: 'missing required field: set source_metric (with an optional query_filter) or query',
  });

/** `queue_config` of a remote-write endpoint (key names as in Prometheus' remote_write). */
export const remoteWriteQueue = z.strictObject({
  capacity: z.number().int({ message: 'must be a positive integer' }).positive({ message: 'must be a positive integer' }).optional(),
  max_samples_per_send: z
    .number()
    .int({ message: 'must be a positive integer' })
    .positive({ message: 'must be a positive integer' })
    .optional(),
  min_backoff: seconds.optional(),
  max_backoff: seconds.optional(),
  max_shards: z
    .number()
    .int({ message: 'must be a positive integer' })
    .positive({ message: 'must be a positive integer' })
    .max(64, { message: 'must be at most 64' })
    .optional(),
});

/** One `remote_write` endpoint: the HTTP client options of sources (without max_response_bytes) plus a queue. */
export const remoteWrite = z.strictObject({
  name: z.string().min(1).optional(),
  url: httpOptions.url,
  timeout: httpOptions.timeout,
  basic_auth: httpOptions.basic_auth,
  bearer_token: httpOptions.bearer_token,
  bearer_token_file: httpOptions.bearer_token_file,
  headers: httpOptions.headers,
  tls_config: httpOptions.tls_config,
  queue_config: remoteWriteQueue.optional(),
});

/**
 * A `sources:` entry as the loader sees it: one of the kinds' schemas (picked by `type:`), whose build the kind
 * itself does; the loader reads only `name` and `type`.
 */
export type RawSource = {
  readonly name: string;
  readonly type: string;
};

/** The whole file's schema, with `sources:` entries checked by `source` (the union of the kinds' schemas). */
export function configSchemaWith(source: z.ZodType<RawSource>) {
  return z.strictObject({
    victoriametrics_url: z.string().optional(),
    scrape_interval: seconds.optional(),
    exporter_port: portSchema.optional(),
    // Keys of the prototype's re-creation (shared/baselines/seed_exporter.py).
    exporter_address: z.string().optional(),
    query_timeout: seconds.optional(),
    metric_transformations: z.array(transformation),
    // Additions to the prototype's format.
    sources: z.array(source).optional(),
    max_staleness: seconds.optional(),
    max_concurrent_requests: z.number().int().positive().optional(),
    remote_write: z.array(remoteWrite).optional(),
    // The default max_series of every transformation (docs/operations.md "Limits").
    max_series: z.number().int({ message: 'must be a positive integer' }).positive({ message: 'must be a positive integer' }).optional(),
  });
}

export type RawConfig = z.infer<ReturnType<typeof configSchemaWith>>;
export type RawTransformation = z.infer<typeof transformation>;
/** The HTTP options of an http source's entry (each kind's schema spreads `httpOptions`). */
export type RawHttpOptions = z.infer<z.ZodObject<typeof httpOptions>>;
export type RawRemoteWrite = z.infer<typeof remoteWrite>;
