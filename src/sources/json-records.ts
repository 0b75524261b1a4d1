import { JSONPath } from 'jsonpath-plus';
import type { JsonMapping } from '../config/types.js';
import { SourceError } from '../model/errors.js';
import type { SeriesSink } from '../model/series.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const DOTTED = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;
const ANCESTOR = /^\^(\d+)$/;

function describe(v: Json): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
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
    for (const part of expr.split('.')) v = v !== null && typeof v === 'object' && !Array.isArray(v) ? v[part] : undefined;
    return scalar(v);
  }
  const found = JSONPath({ path: expr, json: record as object, wrap: true }) as Json[];
  return scalar(found[0]);
}

/**
 * Turns a JSON answer into series: every node matched by `records` (JSONPath,
 * nested walks included, e.g. `$.*.*.*[*]` for apps → namespaces → pods) is
 * one series whose labels come from `labels`. A record where a label's
 * expression finds nothing simply lacks that label (the transformation's
 * missing-label rule applies). No record at all is a failed run saying what
 * the answer looked like.
 */
export function feedJsonRecords(doc: Json, mapping: JsonMapping, sink: SeriesSink, where: string): void {
  const matches = JSONPath({ path: mapping.records, json: doc as object, resultType: 'all', wrap: true }) as Array<{ value: Json; pointer: string }>;
  if (matches.length === 0) {
    throw new SourceError('empty_result', `${where}: records path ${JSON.stringify(mapping.records)} matched nothing; the answer is ${describe(doc)}`);
  }
  for (const m of matches) {
    // The JSON Pointer keeps keys with `[`, `]` or `.` whole (a JSONPath string would split them).
    const keys = m.pointer === '' ? [] : m.pointer.slice(1).split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    const labels: Record<string, string> = {};
    for (const [label, expr] of mapping.labels) {
      const v = labelValue(expr, m.value, keys);
      if (v !== undefined) labels[label] = v;
    }
    sink(labels, 1);
  }
}

/** Parses a JSON body, failing the run with the first bytes when it is not JSON. */
export function parseJsonBody(text: string, where: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw new SourceError('bad_response', `${where}: not JSON (${(e as Error).message}); starts with ${JSON.stringify(text.slice(0, 80))}`);
  }
}
