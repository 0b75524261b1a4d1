import { z } from 'zod';
import { parsePromDuration } from './duration.js';

/**
 * Numbers of the prototype's keys, as the prototype read them. It loaded YAML
 * with PyYAML and converted its own keys with Python: `float(scrape_interval)`,
 * `int(exporter_port)`, `float(default_value)`. So a quoted number
 * (`scrape_interval: "300"`, `exporter_port: "8000"`, `default_value: "0"`)
 * ran there, and must load here with the same meaning. An empty key
 * (`default_value:`, YAML null) meant "not set" for the keys it read with
 * `.get()` and a fallback.
 */

/** A decimal literal as Python's float() reads it (no `inf`/`nan`: never a useful setting). */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number in a quoted decimal (surrounding whitespace allowed, as float() does), or undefined. */
export function decimalText(text: string): number | undefined {
  const t = text.trim();
  return DECIMAL.test(t) ? Number(t) : undefined;
}

/** Seconds written as a string: a quoted number (`"300"`) or a Prometheus duration (`"5m"`). */
export function secondsText(text: string): number | undefined {
  return decimalText(text) ?? parsePromDuration(text.trim());
}

/** Seconds as a number, a quoted number or a duration; positive, or also zero with `allowZero`. */
export function secondsSchema(allowZero: boolean) {
  const sign = allowZero ? 'zero or a positive number of seconds' : 'a positive number of seconds';
  const ok = (n: number) => Number.isFinite(n) && (allowZero ? n >= 0 : n > 0);
  const example = allowZero ? '5) or a duration such as "0s", "5s", "1m"' : '300) or a duration such as "30s", "5m", "1h"';
  return z.union([
    z.number().refine(ok, { message: `must be ${sign}` }),
    z.string().superRefine((s, ctx) => {
      const n = secondsText(s);
      if (n === undefined) ctx.addIssue({ code: 'custom', message: `expected seconds (e.g. ${example}` });
      else if (!ok(n)) ctx.addIssue({ code: 'custom', message: `must be ${sign}` });
    }),
  ]);
}

/** A TCP port: a number or a quoted whole number (`int("8000")`), 1–65535. */
export const portSchema = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : /^\s*\+?\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    ctx.addIssue({ code: 'custom', message: 'expected a port number from 1 to 65535' });
    return z.NEVER;
  }
  return n;
});

/** A finite number, or a quoted one (`float("0")`). */
export const finiteNumberSchema = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : decimalText(v);
  if (n === undefined || !Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: typeof v === 'number' ? 'must be a finite number' : 'expected a number (e.g. 0)' });
    return z.NEVER;
  }
  return n;
});

/** An optional key where YAML null (an empty `key:`) means "not set", as the prototype's `.get()` did. */
export function nullMeansUnset<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (v === null ? undefined : v), schema.optional());
}
