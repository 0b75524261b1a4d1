import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeLabelValue, labelText, parseLabelText } from './label-text.js';

test('escapes backslash, double quote and newline, and nothing else', () => {
  assert.equal(escapeLabelValue('a\\b"c\nd\te'), 'a\\\\b\\"c\\nd\te');
  assert.equal(escapeLabelValue('Ünïcödé ✓'), 'Ünïcödé ✓');
});

test('renders sorted pairs and omits empty values', () => {
  assert.equal(labelText(['a', 'b', 'c'], ['1', '', 'x"y']), 'a="1",c="x\\"y"');
  assert.equal(labelText([], []), '');
});

test('parseLabelText reverses labelText', () => {
  const names = ['cluster', 'node', 'weird'];
  const values = ['prod', 'n"1', 'back\\slash\nnew line'];
  assert.deepEqual(
    parseLabelText(labelText(names, values)),
    names.map((n, i) => [n, values[i]]),
  );
});
