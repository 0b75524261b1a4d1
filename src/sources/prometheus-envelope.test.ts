import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SourceError } from '../model/errors.js';
import type { LabelSet } from '../model/series.js';
import { feedVector } from './prometheus-envelope.js';

function res(status: number, body: string, contentType = 'application/json') {
  return { status, contentType, body: Buffer.from(body) };
}

function collect(status: number, body: string, ct?: string) {
  const got: Array<[LabelSet, number]> = [];
  const warnings = feedVector(res(status, body, ct), (l, v) => got.push([l, v]));
  return { got, warnings };
}

function rejects(status: number, body: string, reason: string, text: RegExp, ct?: string) {
  assert.throws(
    () => collect(status, body, ct),
    (e: unknown) => e instanceof SourceError && e.reason === reason && text.test(e.message),
  );
}

test('feeds every series of a vector with its value; NaN and Inf are understood', () => {
  const body = JSON.stringify({
    status: 'success',
    data: {
      resultType: 'vector',
      result: [
        { metric: { __name__: 'a', x: '1' }, value: [1, '1'] },
        { metric: { x: '2' }, value: [1, 'NaN'] },
        { metric: { x: '3' }, value: [1, '+Inf'] },
        { metric: { x: '4' }, value: [1, '-Inf'] },
      ],
    },
    warnings: ['partial response'],
  });
  const { got, warnings } = collect(200, body);
  assert.deepEqual(
    got.map(([l]) => l.x),
    ['1', '2', '3', '4'],
  );
  assert.equal(got[0]?.[1], 1);
  assert.ok(Number.isNaN(got[1]?.[1]));
  assert.equal(got[2]?.[1], Infinity);
  assert.equal(got[3]?.[1], -Infinity);
  assert.deepEqual(warnings, ['partial response']);
});

test('an error envelope is reported with errorType and error', () => {
  rejects(
    400,
    '{"status":"error","errorType":"bad_data","error":"parse error at char 5"}',
    'error_envelope',
    /HTTP 400: bad_data: parse error at char 5/,
  );
  rejects(200, '{"status":"error","errorType":"timeout","error":"query timed out"}', 'error_envelope', /timeout: query timed out/);
});

test('a non-JSON body from a proxy is reported with status and first bytes', () => {
  rejects(502, '<html><body>Bad Gateway</body></html>', 'http_status', /HTTP 502 \(text\/html\): .*"<html><body>Bad Gateway/, 'text/html');
  rejects(200, '<html>login</html>', 'bad_response', /HTTP 200.*<html>login/);
  rejects(200, '{"status":"success","data":{"resultType":"vec', 'bad_response', /HTTP 200: the JSON answer ended early \(truncated\)/);
});

test('answers of the wrong shape are rejected', () => {
  rejects(200, '[]', 'bad_response', /not a Prometheus API answer/);
  rejects(200, '{"status":"success"}', 'bad_response', /data.result/);
  rejects(200, '{"status":"success","data":{"resultType":"matrix","result":[]}}', 'bad_response', /expected resultType "vector"/);
  rejects(200, '{"status":"success","data":{"resultType":"vector","result":[{"value":[1,"1"]}]}}', 'bad_response', /no "metric"/);
});
