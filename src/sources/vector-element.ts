import { SourceError } from '../model/errors.js';
import type { LabelSet } from '../model/series.js';
import { preview } from './body.js';

/** One decoded element of a vector answer. */
export interface VectorElement {
  readonly labels: LabelSet;
  readonly value: number;
}

/** Prometheus API sample values: decimal strings, `NaN`, `+Inf`, `-Inf`. */
export function parseSampleValue(v: unknown): number {
  if (typeof v !== 'string') return NaN;
  if (v === '+Inf' || v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}

/**
 * Is `v` longer than `max` bytes of UTF-8? Exact, and cheap on the hot path:
 * a string's UTF-8 length lies between its length and three times it, so
 * bytes are counted only in between.
 */
export function labelValueTooLong(v: string, max: number): boolean {
  return v.length > max || (v.length * 3 > max && Buffer.byteLength(v) > max);
}

/** The run fails on a label value over the limit (scrape sources cap whole lines the same way). */
export function tooLongLabel(name: string, max: number): SourceError {
  return new SourceError(
    'too_large',
    `the value of label ${JSON.stringify(name.slice(0, 100))} of a series is longer than max_label_value_bytes (${max} bytes)`,
  );
}

function checkLabels(metric: Record<string, unknown>, max: number): void {
  for (const k in metric) {
    const v = metric[k];
    if (typeof v === 'string' && labelValueTooLong(v, max)) throw tooLongLabel(k, max);
  }
}

function bad(json: string, what: string): SourceError {
  return new SourceError('bad_response', `${what}: ${preview(Buffer.from(json))}`);
}

/** The general path: the whole element through `JSON.parse`; label values over `maxLabelValueBytes` fail. */
export function decodeFull(json: string, maxLabelValueBytes = Infinity): VectorElement {
  let item: { metric?: unknown; value?: unknown };
  try {
    item = JSON.parse(json) as typeof item;
  } catch {
    throw bad(json, 'a result element is not valid JSON');
  }
  const metric = item?.metric;
  if (metric === null || typeof metric !== 'object' || Array.isArray(metric)) {
    throw new SourceError('bad_response', 'a result has no "metric" object');
  }
  // A value is at most 3 bytes per character of the element's text: short elements need no check (the hot path).
  if (json.length * 3 > maxLabelValueBytes) checkLabels(metric as Record<string, unknown>, maxLabelValueBytes);
  return { labels: metric as LabelSet, value: Array.isArray(item.value) ? parseSampleValue(item.value[1]) : NaN };
}

/** End of the JSON string whose content starts at `from`: the next unescaped quote. */
function stringEnd(s: string, from: number): number {
  let q = s.indexOf('"', from);
  while (q !== -1) {
    let bs = 0;
    for (let k = q - 1; k >= from && s.charCodeAt(k) === 0x5c; k--) bs++;
    if (bs % 2 === 0) return q;
    q = s.indexOf('"', q + 1);
  }
  return -1;
}

/**
 * Decodes only the labels a transformation uses (a projection). Hand-written
 * because this runs once per source series: reading 4 labels of 10 by
 * `indexOf` costs a fraction of `JSON.parse` building every label. It relies
 * on a property of valid JSON: the text `"name":"` can only be the key `name`
 * with a string value, because a quote inside a string is always escaped.
 * Anything it does not expect (pretty-printed JSON, a missing `metric`) goes
 * through `decodeFull`, so the answer is the same either way. `labels` may be
 * an object reused across calls (every key is set, missing ones to undefined):
 * sinks read labels during the call only. It must be prototype-free: `__proto__`
 * is a label name like any other.
 */
export function decodeProjected(
  json: string,
  keys: readonly string[],
  patterns: readonly string[],
  labels: Record<string, string | undefined> = Object.create(null) as Record<string, string | undefined>,
  maxLabelValueBytes = Infinity,
): VectorElement {
  const metricAt = json.startsWith('{"metric":{') ? 11 : -1;
  if (metricAt < 0) return decodeFull(json, maxLabelValueBytes);
  const metricEnd = json.lastIndexOf('},"value":[');
  if (metricEnd < 0) return decodeFull(json, maxLabelValueBytes);
  for (let i = 0; i < keys.length; i++) {
    const at = json.indexOf(patterns[i] as string, metricAt);
    if (at < 0 || at > metricEnd) {
      labels[keys[i] as string] = undefined;
      continue;
    }
    const start = at + (patterns[i] as string).length;
    const end = stringEnd(json, start);
    if (end < 0) throw bad(json, 'an unterminated string in a result element');
    const raw = json.slice(start, end);
    const value = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
    if (json.length * 3 > maxLabelValueBytes && labelValueTooLong(value, maxLabelValueBytes))
      throw tooLongLabel(keys[i] as string, maxLabelValueBytes);
    labels[keys[i] as string] = value;
  }
  const vq = json.indexOf('"', metricEnd + 11);
  const ve = vq < 0 ? -1 : json.indexOf('"', vq + 1);
  return { labels: labels as LabelSet, value: ve < 0 ? NaN : parseSampleValue(json.slice(vq + 1, ve)) };
}
