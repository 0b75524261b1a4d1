import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLenientNumber } from './lenient-number.js';

const ACCEPTED: Array<[string, number, string]> = [
  ['28', 28, 'kube_node_info minor'],
  ['28+', 28, 'GKE/EKS kubernetes_build_info minor'],
  ['v28', 28, 'leading v'],
  [' 28 ', 28, 'surrounding whitespace'],
  ['\t1.5\n', 1.5, 'float with whitespace'],
  ['-3', -3, 'negative'],
  ['+4', 4, 'explicit plus'],
  ['.5', 0.5, 'leading dot'],
  ['5.', 5, 'trailing dot'],
  ['1e3', 1000, 'exponent'],
  ['V1.25', 1.25, 'capital V'],
  ['0', 0, 'zero'],
];

const REJECTED: Array<[string, string]> = [
  ['', 'empty'],
  ['   ', 'blank'],
  ['1.28.3', 'a full version'],
  ['v1.28.3', 'kubelet_version'],
  ['containerd://1.7.2', 'runtime version'],
  ['0x1A', 'hex'],
  ['NaN', 'NaN is not a version'],
  ['Inf', 'infinity'],
  ['28++', 'two pluses'],
  ['vv28', 'two vs'],
  ['28 +', 'space before plus'],
  ['1e999', 'overflows to infinity'],
  ['abc', 'text'],
];

for (const [input, want, why] of ACCEPTED) {
  test(`parses ${JSON.stringify(input)} (${why})`, () => assert.equal(parseLenientNumber(input), want));
}
for (const [input, why] of REJECTED) {
  test(`rejects ${JSON.stringify(input)} (${why})`, () => assert.equal(parseLenientNumber(input), undefined));
}
