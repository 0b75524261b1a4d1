import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePromDuration } from '../../../src/config/duration.js';

describe('parsePromDuration', () => {
  const valid: ReadonlyArray<readonly [string, number]> = [
    ['30s', 30],
    ['5m', 300],
    ['1h', 3600],
    ['1h30m', 5400],
    ['1d', 86400],
    ['1w', 7 * 86400],
    ['1y', 365 * 86400],
    ['100ms', 0.1],
    ['1m30s', 90],
    ['2h0m5s', 7205],
    ['1d2h3m4s5ms', 86400 + 7200 + 180 + 4 + 0.005],
    ['90s', 90],
    ['0', 0],
    ['0s', 0],
  ];
  for (const [text, seconds] of valid) {
    test(`${JSON.stringify(text)} is ${seconds}s`, () => {
      assert.equal(parsePromDuration(text), seconds);
    });
  }

  const invalid: readonly string[] = [
    '',
    '5',
    '5 m',
    ' 5m',
    '5m ',
    '1.5h',
    '-1s',
    '+1s',
    'm',
    's',
    '5M',
    '5min',
    '5 minutes',
    '30m1h',
    '1s1s',
    '1h 30m',
    '00',
  ];
  for (const text of invalid) {
    test(`${JSON.stringify(text)} is invalid`, () => {
      assert.equal(parsePromDuration(text), undefined);
    });
  }
});
