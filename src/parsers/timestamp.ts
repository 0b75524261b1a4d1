import { z } from 'zod';
import { fail, guard, ok } from './outcome.js';
import { defineParser, ParserConfigError, parserSchema, type ValueParser } from './types.js';

/** `timestamp`: RFC 3339 / ISO 8601 dates and Unix seconds or milliseconds → Unix seconds. */
const schema = parserSchema('timestamp', { unit: z.enum(['auto', 's', 'ms']).optional() });
export type TimestampSpec = z.infer<typeof schema>;
export type TimestampUnit = NonNullable<TimestampSpec['unit']>;

/**
 * `timestamp` → Unix seconds (fractional when the input has a fraction), so
 * `time() - build_date_seconds` alerts work.
 *
 * Dates: RFC 3339 / ISO 8601 extended format — `2023-11-02T10:04:05Z`
 * (Kubernetes `buildDate`), offsets (`+02:00`, `+0200`, `+02`), a fraction
 * (`.123456789`, or `,` as ISO allows), minutes-only times (`10:04Z`), a space
 * instead of `T`, Go's `time.Time.String()` (`2023-11-02 10:04:05 +0000 UTC`),
 * and Prometheus' `build_info` `builddate` form `20231102-10:04:05` (UTC). A
 * date alone (`2023-11-02`) is UTC midnight; a time without an offset is UTC
 * (the exporter knows no source time zone). Impossible dates and times
 * (`2023-02-30`, `25:00`) fail with `invalid_date`; a leap second `:60` is
 * accepted and counts as the next minute's first second, as POSIX time does.
 *
 * Numbers: digits with an optional fraction are Unix time. With `unit: auto`
 * (the default) a value below 1e11 is seconds (1e11 s is the year 5138) and a
 * value from 1e11 up to 1e14 is milliseconds (1e11 ms is 1973-03-03, so
 * millisecond timestamps of real events are never below it). Larger values
 * (micro- or nanoseconds) fail with `out_of_range` instead of being misread.
 * `unit: s` or `ms` reads every number in that unit. `20231102` is a number
 * (seconds), not a compact date.
 */

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:[Zz]| UTC| ?([+-])(\d{2})(?::?(\d{2}))?(?: [A-Z]{3,5})?)?)?$/;
const PROM_BUILD_DATE = /^(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2}):(\d{2})$/;
const UNIX = /^\d+(?:\.\d+)?$/;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** Unix seconds of matched date fields (y m d h mi s frac sign oh om; missing ones are 0). */
function fromFields(f: readonly (string | undefined)[]): number | 'invalid_date' {
  const n = (i: number): number => Number(f[i] ?? 0);
  const [y, mo, d, h, mi, s, oh, om] = [n(0), n(1), n(2), n(3), n(4), n(5), n(8), n(9)] as const;
  const frac = f[6] === undefined ? 0 : Number(`0.${f[6]}`);
  const dateOk = mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
  if (!dateOk || h > 23 || mi > 59 || s > 60 || oh > 23 || om > 59) return 'invalid_date';
  const offset = (f[7] === '-' ? -1 : 1) * (oh * 3600 + om * 60);
  return daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s + frac - offset;
}

function fromUnix(s: string, unit: TimestampUnit): number | 'out_of_range' {
  const n = Number(s);
  if (unit === 's') return n;
  if (unit === 'ms') return n / 1000;
  if (n < 1e11) return n;
  return n < 1e14 ? n / 1000 : 'out_of_range';
}

const UNITS: readonly TimestampUnit[] = schema.shape.unit.unwrap().options;

export function compileTimestamp(spec: TimestampSpec): ValueParser {
  const unit = spec.unit ?? 'auto';
  if (!UNITS.includes(unit)) throw new ParserConfigError('unit', `unit must be one of ${UNITS.join(', ')}`);
  return guard((trimmed) => {
    const iso = ISO.exec(trimmed) ?? PROM_BUILD_DATE.exec(trimmed);
    const v = iso ? fromFields(iso.slice(1)) : UNIX.test(trimmed) ? fromUnix(trimmed, unit) : 'not_a_timestamp';
    return typeof v === 'number' ? ok(v) : fail(v);
  });
}

export const timestampParser = defineParser(schema, compileTimestamp);
