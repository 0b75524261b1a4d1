import { createHash } from 'node:crypto';
import { Secret } from '../model/secret.js';

function walk(v: unknown): unknown {
  if (v instanceof Secret) return `secret:${createHash('sha256').update(v.reveal()).digest('hex')}`;
  if (v instanceof Map) return { map: [...v.entries()].map(([k, x]) => [k, walk(x)]) };
  if (Array.isArray(v)) return v.map(walk);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
  }
  return v;
}

/**
 * A stable text of a config object for "did it change?" checks on reload.
 * Secrets count by their hash (JSON would print them all as `<secret>`, so a
 * changed password would look unchanged).
 */
export function fingerprint(v: unknown): string {
  return JSON.stringify(walk(v));
}
