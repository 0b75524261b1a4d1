import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fail, guard, MAX_INPUT_LENGTH, ok, scale } from './outcome.js';

const echo = guard((trimmed) => ok(trimmed.length));

test('guard trims and passes the trimmed value', () => assert.deepEqual(echo('  abc \n'), { ok: true, value: 3 }));
test('guard: blank is empty', () => assert.deepEqual(echo(' \t\n'), { ok: false, reason: 'empty' }));
test('guard: over-long is too_long', () => {
  assert.deepEqual(echo('x'.repeat(MAX_INPUT_LENGTH)), { ok: true, value: MAX_INPUT_LENGTH });
  assert.deepEqual(echo('x'.repeat(MAX_INPUT_LENGTH + 1)), { ok: false, reason: 'too_long' });
});
test('guard: an exception becomes internal_error', () => {
  const broken = guard(() => {
    throw new Error('bug');
  });
  assert.deepEqual(broken('x'), { ok: false, reason: 'internal_error' });
});
test('guard: non-finite values are out_of_range', () => {
  assert.deepEqual(guard(() => ({ ok: true, value: NaN }))('x'), { ok: false, reason: 'out_of_range' });
  assert.deepEqual(guard(() => ({ ok: true, value: -Infinity }))('x'), { ok: false, reason: 'out_of_range' });
});
test('guard passes failures through', () => assert.deepEqual(guard(() => fail('no_match'))('x'), { ok: false, reason: 'no_match' }));
test('guard passes the raw value too', () => assert.deepEqual(guard((_t, raw) => ok(raw.length))(' x '), { ok: true, value: 3 }));
test('ok turns -0 into 0', () => assert.ok(Object.is((ok(-0) as { value: number }).value, 0)));
test('scale divides for sub-units', () => {
  assert.equal(scale(250, 1e-3), 0.25);
  assert.equal(scale(300, 1e-3), 0.3);
  assert.equal(scale(3, 1e3), 3000);
});
