import type { ParseOutcome, ValueParser } from './types.js';

/**
 * Label values longer than this are refused with `too_long` before any parser
 * runs. Real label values are far shorter (VictoriaMetrics truncates at
 * `-maxLabelValueLen`, 4 KiB by default in recent releases); the cap keeps
 * every parser's work, including a user's regex, bounded by a small input.
 */
export const MAX_INPUT_LENGTH = 4096;

const EMPTY: ParseOutcome = Object.freeze({ ok: false, reason: 'empty' });
const TOO_LONG: ParseOutcome = Object.freeze({ ok: false, reason: 'too_long' });
const OUT_OF_RANGE: ParseOutcome = Object.freeze({ ok: false, reason: 'out_of_range' });
const INTERNAL: ParseOutcome = Object.freeze({ ok: false, reason: 'internal_error' });

/** A success, or `out_of_range` when the value is not finite. `-0` becomes `0`. */
export function ok(value: number): ParseOutcome {
  if (!Number.isFinite(value)) return OUT_OF_RANGE;
  return { ok: true, value: value === 0 ? 0 : value };
}

/**
 * `n × factor`, dividing for sub-units (`factor` = 1e-3 divides by 1000) so
 * that `250m` is exactly 0.25 and `300ms` exactly 0.3, as a literal would be.
 */
export function scale(n: number, factor: number): number {
  return factor < 1 ? n / Math.round(1 / factor) : n * factor;
}

export function fail(reason: string): ParseOutcome {
  return { ok: false, reason };
}

/**
 * Wraps a parser body with the rules every parser shares: the value is
 * trimmed; a blank value fails with `empty`, an over-long one with `too_long`;
 * a non-finite result becomes `out_of_range`. The body gets the trimmed and
 * the raw value (the strict number parser refuses surrounding whitespace).
 * An exception (a bug: bodies are written not to throw) becomes
 * `internal_error` instead of escaping into a collection run; the property
 * tests check that it never happens.
 */
export function guard(body: (trimmed: string, raw: string) => ParseOutcome): ValueParser {
  return (raw: string): ParseOutcome => {
    if (raw.length > MAX_INPUT_LENGTH) return TOO_LONG;
    const trimmed = raw.trim();
    if (trimmed === '') return EMPTY;
    try {
      const out = body(trimmed, raw);
      return out.ok ? ok(out.value) : out;
    } catch {
      return INTERNAL;
    }
  };
}
