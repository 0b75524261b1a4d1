import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileNumber, parseStrictNumber } from './number.js';

/** [input, lenient, strict]; a string is the expected failure reason. */
const ROWS: Array<[string, number | string, number | string]> = [
  ['28', 28, 28], // kube_node_info-style minor label upstream
  ['28+', 28, 'not_a_number'], // kubernetes_build_info minor on GKE/EKS
  ['v28', 28, 'not_a_number'], // hand-written version labels
  [' 28 ', 28, 'not_a_number'], // whitespace from templated labels
  ['-1.5', -1.5, -1.5], // a signed float
  ['0.95', 0.95, 0.95], // SLO objective label, e.g. sloth's sloth_objective
  ['1e+06', 1_000_000, 1_000_000], // Go %g formatting of a large float
  ['3.4028234663852886e+38', 3.4028234663852886e38, 3.4028234663852886e38], // Go float32 max in %g
  ['.5', 0.5, 'not_a_number'], // leading dot: accepted leniently only
  ['5.', 5, 'not_a_number'], // trailing dot: accepted leniently only
  ['+4', 4, 'not_a_number'], // explicit plus: lenient only
  ['007', 7, 7], // zero-padded ids
  ['1e999', 'not_a_number', 'out_of_range'], // overflow
  ['1.28.3', 'not_a_number', 'not_a_number'], // a version: use the semver parser
  ['0x1A', 'not_a_number', 'not_a_number'], // hex is not accepted
  ['NaN', 'not_a_number', 'not_a_number'], // Go's NaN text
  ['+Inf', 'not_a_number', 'not_a_number'], // Prometheus le="+Inf"
  ['', 'empty', 'empty'], // missing label
  ['  ', 'empty', 'empty'], // blank label
];

const lenient = compileNumber({ parser: 'number' });
const strict = compileNumber({ parser: 'number', strict: true });
const outcome = (want: number | string) => (typeof want === 'number' ? { ok: true, value: want } : { ok: false, reason: want });

for (const [input, wantLenient, wantStrict] of ROWS) {
  test(`number ${JSON.stringify(input)} → lenient ${wantLenient}, strict ${wantStrict}`, () => {
    assert.deepEqual(lenient(input), outcome(wantLenient));
    assert.deepEqual(strict(input), outcome(wantStrict));
  });
}

test('parseStrictNumber returns undefined for non-literals', () => {
  assert.equal(parseStrictNumber('v1'), undefined);
  assert.equal(parseStrictNumber('-0'), -0);
});

test('number turns -0 into 0', () => {
  assert.deepEqual(strict('-0'), { ok: true, value: 0 });
});
