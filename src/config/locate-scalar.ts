import { isScalar, type Document, type LineCounter } from 'yaml';
import type { PathSegment, Position } from './locate.js';

/**
 * Where character `offset` of a string value is in the YAML file, for errors
 * inside a value (a query_filter's unclosed quote). The parsed document keeps
 * no source text, so the source is rebuilt from the value where YAML allows
 * one spelling only: a plain scalar, or a single-quoted one (`''` is its only
 * escape), on one line; a double-quoted one on one line when its length shows
 * that only `\"` and `\\` were escaped. Otherwise (block scalars, folded
 * lines, other escapes): null, and the caller points at the value's start.
 */
export function positionInScalar(doc: Document, lc: LineCounter, path: readonly PathSegment[], offset: number): Position | null {
  const node = doc.getIn(path, true);
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return null;
  const [start, end] = node.range;
  const value = node.value;
  const before = value.slice(0, offset);
  if (lc.linePos(start).line !== lc.linePos(end).line) return null;
  let at: number | null = null;
  if (node.type === 'PLAIN' && end - start === value.length) at = start + offset;
  else if (node.type === 'QUOTE_SINGLE' && end - start === value.length + 2 + count(value, /'/g))
    at = start + 1 + offset + count(before, /'/g);
  else if (node.type === 'QUOTE_DOUBLE' && end - start === value.length + 2 + count(value, /["\\]/g))
    at = start + 1 + offset + count(before, /["\\]/g);
  if (at === null) return null;
  const { line, col } = lc.linePos(at);
  return { line, column: col };
}

function count(text: string, re: RegExp): number {
  return text.match(re)?.length ?? 0;
}
