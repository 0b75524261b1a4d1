import type { LabelSet } from '../model/series.js';

/** A label of the series itself: never an inherited Object.prototype member such as `constructor`. */
export function ownLabel(labels: LabelSet, name: string): string | undefined {
  const v = labels[name];
  return typeof v === 'string' && Object.hasOwn(labels, name) ? v : undefined;
}

/**
 * A flat copy of a string built from slices of a source's decoded chunks.
 * V8 keeps concatenations and substrings as references to their parts; a Map
 * key built that way would keep whole response chunks alive until the end of
 * the run (measured: ~100 MB of heap at 100k series). Reading a character
 * makes V8 flatten the string into a fresh copy that references nothing.
 */
export function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}
