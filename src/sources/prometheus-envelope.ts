import { SourceError } from '../model/errors.js';
import type { LabelSet, SeriesSink } from '../model/series.js';
import { preview } from './body.js';
import type { HttpResponse } from './http-client.js';

interface Envelope {
  status?: unknown;
  errorType?: unknown;
  error?: unknown;
  warnings?: unknown;
  data?: { resultType?: unknown; result?: unknown };
}

/** Prometheus API sample values: decimal strings, `NaN`, `+Inf`, `-Inf`. */
export function parseSampleValue(v: unknown): number {
  if (typeof v !== 'string') return NaN;
  if (v === '+Inf' || v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}

function parseJson(res: HttpResponse): Envelope {
  try {
    const parsed: unknown = JSON.parse(res.body.toString('utf8'));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Envelope;
  } catch {
    // fall through: reported below with status and the first bytes
  }
  const reason = res.status >= 200 && res.status < 300 ? 'bad_response' : 'http_status';
  const ct = res.contentType ? ` (${res.contentType})` : '';
  throw new SourceError(reason, `HTTP ${res.status}${ct}: not a Prometheus API answer, body starts with ${preview(res.body)}`, { status: res.status });
}

/**
 * Checks a `/api/v1/query` answer and feeds its vector to `sink`. Throws a
 * `SourceError` for error envelopes, non-2xx statuses, non-JSON bodies (an HTML
 * page from a proxy) and answers of the wrong shape. Returns the warnings.
 */
export function feedVector(res: HttpResponse, sink: SeriesSink): string[] {
  const env = parseJson(res);
  if (env.status === 'error' || res.status < 200 || res.status >= 300) {
    const type = typeof env.errorType === 'string' ? env.errorType : 'unknown';
    const msg = typeof env.error === 'string' ? env.error : 'no error message';
    throw new SourceError('error_envelope', `HTTP ${res.status}: ${type}: ${msg}`, { status: res.status });
  }
  if (env.status !== 'success' || !env.data || !Array.isArray(env.data.result)) {
    throw new SourceError('bad_response', `HTTP ${res.status}: JSON without status "success" and data.result; body starts with ${preview(res.body)}`);
  }
  if (env.data.resultType !== 'vector') {
    throw new SourceError('bad_response', `expected resultType "vector", got ${JSON.stringify(env.data.resultType)}`);
  }
  for (const item of env.data.result as Array<{ metric?: unknown; value?: unknown }>) {
    const metric = item?.metric;
    if (metric === null || typeof metric !== 'object' || Array.isArray(metric)) {
      throw new SourceError('bad_response', 'a result has no "metric" object');
    }
    const value = Array.isArray(item.value) ? parseSampleValue(item.value[1]) : NaN;
    sink(metric as LabelSet, value);
  }
  return Array.isArray(env.warnings) ? env.warnings.filter((w): w is string => typeof w === 'string') : [];
}
