import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileDuration } from './duration.js';

/** [input, seconds]; a string is the expected failure reason. */
const ROWS: Array<[string, number | string]> = [
  ['1h30m', 5400], // Prometheus scrape_interval / retention style
  ['90s', 90], // Prometheus
  ['1d', 86400], // Prometheus
  ['1w', 604800], // Prometheus
  ['1y', 31536000], // Prometheus (365d)
  ['15d', 1296000], // Prometheus --storage.tsdb.retention.time default, prometheus_tsdb_retention_limit style
  ['500ms', 0.5], // Prometheus
  ['2w3d12h', 1512000], // Prometheus, several units in order
  ['1.5s', 1.5], // Go time.Duration String()
  ['300ms', 0.3], // Go
  ['2h45m0.5s', 9900.5], // Go, mixed units
  ['1µs', 0.000001], // Go prints U+00B5
  ['1μs', 0.000001], // Go also accepts U+03BC
  ['1us', 0.000001], // Go ASCII form
  ['100ns', 1e-7], // Go
  ['-1.5h', -5400], // Go, negative
  ['+5m', 300], // Go, explicit plus
  ['0', 0], // Go and Prometheus: zero needs no unit
  ['0s', 0], // Go Duration(0).String()
  ['-0s', 0], // negative zero is zero
  ['5m0s', 300], // Go Duration String() of 5 minutes (kubelet, client-go config labels)
  ['.5h', 1800], // Go accepts a leading dot
  [' 30s ', 30], // whitespace
  ['30', 'not_a_duration'], // bare number: seconds or milliseconds would be a guess
  ['1H', 'not_a_duration'], // units are case-sensitive
  ['1 h', 'not_a_duration'], // no space inside
  ['1h-5m', 'not_a_duration'], // sign only at the start
  ['-', 'not_a_duration'], // sign alone
  ['1.2.3s', 'not_a_duration'], // two dots
  ['P1D', 'not_a_duration'], // ISO 8601 durations are not supported
  ['1e3s', 'not_a_duration'], // no exponents (Go rejects them too)
  ['', 'empty'], // missing label
];

const parse = compileDuration({ parser: 'duration' });
for (const [input, want] of ROWS) {
  test(`duration ${JSON.stringify(input)} → ${want}`, () => {
    const expected = typeof want === 'number' ? { ok: true, value: want } : { ok: false, reason: want };
    assert.deepEqual(parse(input), expected);
  });
}

test('duration overflow is out_of_range', () => {
  assert.deepEqual(parse(`${'9'.repeat(400)}y`), { ok: false, reason: 'out_of_range' });
});
