import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTimestamp } from './timestamp.js';
import { ParserConfigError } from './types.js';
import type { TimestampUnit } from './timestamp.js';

const T = 1698919445; // 2023-11-02T10:04:05Z

/** [input, Unix seconds with unit auto]; a string is the expected failure reason. */
const ROWS: Array<[string, number | string]> = [
  ['2023-11-02T10:04:05Z', T], // RFC 3339 UTC
  ['2023-10-18T11:33:16Z', 1697628796], // Kubernetes version buildDate (kubernetes_build_info build_date)
  ['2023-11-02T12:04:05+02:00', T], // RFC 3339 with an offset
  ['2023-11-02T05:04:05-05:00', T], // negative offset
  ['2023-11-02T15:34:05+0530', T], // ISO 8601 basic offset (India)
  ['2023-11-02T12:04:05+02', T], // ISO 8601 hour-only offset
  ['2023-11-02T10:04:05.250Z', T + 0.25], // fractional seconds (JavaScript toISOString)
  ['2023-11-02T10:04:05,5Z', T + 0.5], // ISO 8601 comma fraction
  ['2023-11-02t10:04:05z', T], // RFC 3339 allows lower-case t and z
  ['2023-11-02 10:04:05Z', T], // RFC 3339 allows a space for T (PostgreSQL, SQL exporters)
  ['2023-11-02 10:04:05.25 +0000 UTC', T + 0.25], // Go time.Time.String()
  ['2023-11-02 11:04:05 +0100 CET', T], // Go time.Time.String() in a local zone: the offset rules
  ['2023-11-02 10:04:05 UTC', T], // `date -u`-like text in build scripts
  ['2023-11-02T10:04:05', T], // no offset: read as UTC
  ['2023-11-02T10:04Z', T - 5], // ISO 8601 without seconds
  ['2023-11-02', 1698883200], // date only: UTC midnight (e.g. a release_date label)
  ['2024-02-29', 1709164800], // leap day
  ['1969-12-31', -86400], // before the epoch
  ['0001-01-01T00:00:00Z', -62135596800], // Go's zero time.Time, seen in unset build dates
  ['2016-12-31T23:59:60Z', 1483228800], // leap second counts as the next minute's first
  ['20240709-12:35:43', 1720528543], // prometheus_build_info builddate (prometheus/common version)
  ['1698919445', T], // Unix seconds (e.g. process_start_time_seconds copied into a label)
  ['1698919445.5', T + 0.5], // fractional Unix seconds
  ['1698919445000', T], // Unix milliseconds (JavaScript Date.now()), auto-detected
  ['99999999999', 99999999999], // just below 1e11: still seconds (the year 5138)
  ['100000000000', 100000000], // 1e11: milliseconds (1973-03-03)
  ['1698919445000000', 'out_of_range'], // microseconds: refused rather than misread
  ['2023-02-30', 'invalid_date'], // impossible date
  ['2023-02-29', 'invalid_date'], // not a leap year
  ['2023-13-01', 'invalid_date'], // month 13
  ['2023-11-02T24:00:00Z', 'invalid_date'], // hour 24
  ['2023-11-02T10:60:00Z', 'invalid_date'], // minute 60
  ['2023-11-02T10:04:05+24:00', 'invalid_date'], // offset beyond 23:59
  ['2023/11/02', 'not_a_timestamp'], // slashes
  ['Thu, 02 Nov 2023 10:04:05 GMT', 'not_a_timestamp'], // RFC 1123 (HTTP dates) is not supported
  ['-1698919445', 'not_a_timestamp'], // negative Unix time
  ['1e9', 'not_a_timestamp'], // no exponents
  ['', 'empty'], // missing label
];

const auto = compileTimestamp({ parser: 'timestamp' });
for (const [input, want] of ROWS) {
  test(`timestamp ${JSON.stringify(input)} → ${want}`, () => {
    const got = auto(input);
    if (typeof want === 'string') return assert.deepEqual(got, { ok: false, reason: want });
    assert.ok(got.ok, `expected a value, got ${JSON.stringify(got)}`);
    assert.ok(Math.abs(got.value - want) < 1e-6, `${got.value} ≠ ${want}`);
  });
}

const UNIT_ROWS: Array<[TimestampUnit, string, number]> = [
  ['s', '1698919445000', 1698919445000], // explicit seconds: no detection
  ['ms', '1698919445000', T], // explicit milliseconds
  ['ms', '1000', 1], // small millisecond values stay milliseconds
  ['s', '2023-11-02T10:04:05Z', T], // the unit does not affect dates
];

for (const [unit, input, want] of UNIT_ROWS) {
  test(`timestamp unit ${unit}: ${input} → ${want}`, () => {
    assert.deepEqual(compileTimestamp({ parser: 'timestamp', unit })(input), { ok: true, value: want });
  });
}

test('timestamp rejects an unknown unit at compile time', () => {
  assert.throws(
    () => compileTimestamp({ parser: 'timestamp', unit: 'us' as TimestampUnit }),
    (e: unknown) => e instanceof ParserConfigError && e.field === 'unit',
  );
});
