import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decimalVersionWarnings } from '../../../src/config/decimal-version.js';
import { parseConfig } from '../../../src/registry/load.js';

function warned(value: string): boolean {
  const config = parseConfig(
    `metric_transformations:\n  - { name: x, source_metric: m, value_from_label: l, value: ${value} }\n`,
    '/etc/lve/config.yml',
    {},
  );
  const w = decimalVersionWarnings(config);
  assert.ok(w.length <= 1);
  if (w[0]) assert.match(w[0], /use value: \{ parser: version \}/);
  return w.length === 1;
}

test('a regex group reading digits.digits is warned about: it breaks the version order', () => {
  for (const value of [
    String.raw`{ parser: regex, pattern: '^(\d+\.\d+)' }`, // the old README recipe
    String.raw`{ parser: regex, pattern: '^(?<mm>\d+\.\d+)', group: mm }`,
    String.raw`{ parser: regex, pattern: 'go([0-9]+\.[0-9]+)' }`,
    String.raw`{ parser: regex, pattern: '^v?(\d+)\.(\d{1,3}\.\d+)', group: 2 }`,
    String.raw`{ parser: regex, pattern: '\d+\.\d+', group: 0 }`,
  ])
    assert.ok(warned(value), value);
});

test('no warning when the group reads one number, or for other parsers', () => {
  for (const value of [
    String.raw`{ parser: regex, pattern: '^\d+\.\d+\.\d+-(\d+)' }`, // the ABI: dots outside the group
    String.raw`{ parser: regex, pattern: '^(?:\d+\.\d+)-(\d+)' }`,
    String.raw`{ parser: regex, pattern: '[(]\d+\.\d+[)] (\d+)' }`,
    String.raw`{ parser: version, parts: 2 }`,
    String.raw`{ parser: semver }`,
  ])
    assert.ok(!warned(value), value);
});
