import { JSONPath } from 'jsonpath-plus';
import type { JsonMapping } from '../config/types.js';
import { SourceError } from '../model/errors.js';
import type { SeriesSink } from '../model/series.js';
import type { Json } from './json-body.js';
import { labelValueTooLong } from './vector-element.js';

const DOTTED = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;
const ANCESTOR = /^\^(\d+)$/;

function describe(v: Json | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v !== 'object') return `a ${typeof v}`;
  const keys = Object.keys(v);
  return keys.length === 0
    ? 'an empty object'
    : `an object with keys ${JSON.stringify(keys.slice(0, 8).join(', '))}${keys.length > 8 ? '…' : ''}`;
}

function scalar(v: Json | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.length === 1) return scalar(v[0]);
  return undefined;
}

/** One label's value for a record: a dotted field, `^N` (the Nth ancestor's key), or a JSONPath. */
function labelValue(expr: string, record: Json, keys: readonly string[]): string | undefined {
  const anc = ANCESTOR.exec(expr);
  if (anc) return keys[keys.length - 1 - Number(anc[1])];
  if (!expr.startsWith('$') && DOTTED.test(expr)) {
    let v: Json | undefined = record;
    // Own fields only: `constructor` or `toString` must not find Object.prototype's.
    for (const part of expr.split('.'))
      v = v !== null && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, part) ? v[part] : undefined;
    return scalar(v);
  }
  const found = JSONPath({ path: expr, json: record as object, wrap: true }) as Json[];
  return scalar(found[0]);
}

/** Bounds and the source's name for messages. */
export interface RecordLimits {
  readonly where: string;
  readonly maxLabelValueBytes: number;
}

/** Why no record gave the value label: the run fails rather than wipe the last good data. */
function noValue(mapping: JsonMapping, count: number, first: Json | undefined, where: string): SourceError {
  const label = mapping.valueLabel as string;
  const expr = mapping.labels.find(([l]) => l === label)?.[1] ?? label;
  return new SourceError(
    'bad_response',
    `${where}: ${count} record(s) matched ${JSON.stringify(mapping.records)} but none has a value for "${label}" (${JSON.stringify(expr)} found nothing or ""); the first record is ${describe(first)}`,
  );
}

/**
 * Turns a JSON answer into series: every node matched by `records` (JSONPath,
 * nested walks included, e.g. `$.*.*.*[*]` for apps → namespaces → pods) is
 * one series whose labels come from `labels`. A record where a label's
 * expression finds nothing simply lacks that label (the transformation's
 * missing-label rule applies). No record at all, or no record with the value
 * label (an answer of another shape), is a failed run saying what the answer
 * looked like; so is a label value longer than `maxLabelValueBytes`.
 */
export function feedJsonRecords(doc: Json, mapping: JsonMapping, sink: SeriesSink, limits: RecordLimits): void {
  const { where } = limits;
  const matches = JSONPath({ path: mapping.records, json: doc as object, resultType: 'all', wrap: true }) as Array<{
    value: Json;
    pointer: string;
  }>;
  if (matches.length === 0) {
    throw new SourceError(
      'empty_result',
      `${where}: records path ${JSON.stringify(mapping.records)} matched nothing; the answer is ${describe(doc)}`,
    );
  }
  let withValue = 0;
  for (const m of matches) {
    // The JSON Pointer keeps keys with `[`, `]` or `.` whole (a JSONPath string would split them).
    const keys =
      m.pointer === ''
        ? []
        : m.pointer
            .slice(1)
            .split('/')
            .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    // Label names are data: `__proto__` and `constructor` are labels like any other.
    const labels: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [label, expr] of mapping.labels) {
      const v = labelValue(expr, m.value, keys);
      if (v === undefined) continue;
      if (labelValueTooLong(v, limits.maxLabelValueBytes)) {
        throw new SourceError(
          'too_large',
          `${where}: the value of label "${label}" of record ${m.pointer || '/'} is longer than max_label_value_bytes (${limits.maxLabelValueBytes} bytes)`,
        );
      }
      labels[label] = v;
    }
    if (mapping.valueLabel !== undefined && (labels[mapping.valueLabel] ?? '') !== '') withValue++;
    sink(labels, 1);
  }
  if (mapping.valueLabel !== undefined && withValue === 0) throw noValue(mapping, matches.length, matches[0]?.value, where);
}
