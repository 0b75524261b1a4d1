import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TruncatedError, VectorStreamParser } from './vector-stream.js';

function parse(body: string, chunkSize: number): { elements: unknown[]; skeleton: unknown; notJson: boolean } {
  const elements: unknown[] = [];
  const p = new VectorStreamParser((e) => elements.push(JSON.parse(e)));
  const buf = Buffer.from(body, 'utf8');
  for (let i = 0; i < buf.length; i += chunkSize) p.write(buf.subarray(i, i + chunkSize));
  if (p.notJson) return { elements, skeleton: undefined, notJson: true };
  return { elements, skeleton: JSON.parse(p.end()), notJson: false };
}

const ANSWER = {
  status: 'success',
  data: {
    resultType: 'vector',
    result: [
      { metric: { __name__: 'kube_node_info', node: 'a"b\\', weird: '{[,:]}', uni: 'nœud-節點 ✓' }, value: [1700000000.123, '1'] },
      { metric: { node: 'back\\\\slash\\' }, value: [1700000000.123, 'NaN'] },
      { metric: {}, value: [1, '+Inf'] },
    ],
  },
  warnings: ['result: "partial"'],
};

test('every chunking of an answer gives the same elements and skeleton', () => {
  const body = JSON.stringify(ANSWER, null, 1);
  for (const size of [1, 2, 3, 5, 7, 16, 64, 1 << 20]) {
    const r = parse(body, size);
    assert.deepEqual(r.elements, ANSWER.data.result, `chunk size ${size}`);
    assert.deepEqual(r.skeleton, { ...ANSWER, data: { ...ANSWER.data, result: [] } }, `chunk size ${size}`);
  }
});

test('error envelopes and other shapes pass through the skeleton whole', () => {
  const err = { status: 'error', errorType: 'bad_data', error: 'parse error' };
  assert.deepEqual(parse(JSON.stringify(err), 4).skeleton, err);
  const matrix = { status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [[1, '1']] }] } };
  const r = parse(JSON.stringify(matrix), 3);
  assert.deepEqual(r.elements, matrix.data.result);
  assert.equal((r.skeleton as { data: { resultType: string } }).data.resultType, 'matrix');
});

test('a "result" key elsewhere is not mistaken for data.result', () => {
  const odd = {
    result: [{ x: 1 }],
    data: { other: { result: [{ y: 2 }] }, resultType: 'vector', result: [{ metric: { a: '1' }, value: [1, '2'] }] },
  };
  const r = parse(JSON.stringify(odd), 5);
  assert.deepEqual(r.elements, [{ metric: { a: '1' }, value: [1, '2'] }]);
  assert.deepEqual((r.skeleton as typeof odd).result, [{ x: 1 }]);
});

test('non-JSON bodies are flagged, truncated ones throw', () => {
  assert.equal(parse('  <html>502</html>', 3).notJson, true);
  const body = JSON.stringify(ANSWER);
  for (const cut of [1, 10, body.indexOf('nœud'), body.length - 1]) {
    const p = new VectorStreamParser(() => undefined);
    p.write(Buffer.from(body).subarray(0, cut));
    assert.throws(() => p.end(), TruncatedError, `cut at ${cut}`);
  }
  assert.throws(() => new VectorStreamParser(() => undefined).end(), TruncatedError);
});
