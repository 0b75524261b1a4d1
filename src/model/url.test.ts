import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blankSecrets, joinPath, redactUrl, redactUrlsInText, urlSecrets } from './url.js';

test('joinPath puts the path below the base path and keeps the query string', () => {
  assert.equal(joinPath('http://h/q?api_key=K', '/api/v1/query'), 'http://h/q/api/v1/query?api_key=K');
  assert.equal(joinPath('http://h:8481/select/0/prometheus/', '/api/v1/query'), 'http://h:8481/select/0/prometheus/api/v1/query');
  assert.equal(joinPath('http://h', 'api/v1/query'), 'http://h/api/v1/query');
  assert.equal(joinPath('http://u:p@h/x?a=1&a=2&b=%2F#frag', '/api/v1/query'), 'http://u:p@h/x/api/v1/query?a=1&a=2&b=%2F');
});

test('redactUrl blanks userinfo, every query value and the fragment; keeps where', () => {
  assert.equal(redactUrl('http://h/q?api_key=K&x=1'), 'http://h/q?api_key=<secret>&x=<secret>');
  assert.equal(redactUrl('https://user:pa%40ss@h:9/p'), 'https://<secret>@h:9/p');
  assert.equal(redactUrl('https://TOKEN@h/p?TOKEN2&k=#frag'), 'https://<secret>@h/p?<secret>&k=<secret>#<secret>');
  assert.equal(redactUrl('http://vm:8428'), 'http://vm:8428');
  assert.equal(redactUrl('not a url?key=v'), 'not a url?key=<secret>');
  const once = redactUrl('http://u:p@h/q?k=v#f');
  assert.equal(redactUrl(once), once, 'redacting twice changes nothing');
});

test('urlSecrets lists userinfo, query values and fragment, raw and decoded', () => {
  const s = urlSecrets('http://us%40r:p%3Ass@h/q?k=a%2Fb+c&bare#tok');
  for (const v of ['us%40r', 'us@r', 'p%3Ass', 'p:ss', 'a%2Fb+c', 'a/b+c', 'a/b c', 'bare', 'tok']) assert.ok(s.includes(v), v);
  assert.ok(!s.includes('k') && !s.includes('h'), 'keys and host are not secret');
});

test('blankSecrets blanks a secret and any start of it cut off by an ellipsis, not short values', () => {
  assert.equal(blankSecrets('key SECRET123 and SECRE… and 1', ['SECRET123', '1']), 'key <secret> and <secret>… and 1');
});

test("redactUrlsInText: every URL in a message, and the known URLs' values on their own", () => {
  const url = 'http://lve:PW-SECRET@127.0.0.1:9/q?api_key=KEY-SECRET&t=A%2FB-SECRET';
  const msg = `HTTP 500: "cannot serve http://127.0.0.1:9/q/api/v1/query?api_key=KEY-SECRET&t=A%2FB-SECRET (key KEY-SECRET, t A/B-SECRET, user PW-SECRET) see https://docs/x?page=2."`;
  const out = redactUrlsInText(msg, [url]);
  assert.ok(!out.includes('SECRET'), out);
  assert.match(
    out,
    /cannot serve http:\/\/127\.0\.0\.1:9\/q\/api\/v1\/query\?api_key=<secret>&t=<secret> \(key <secret>, t <secret>, user <secret>\)/,
  );
  assert.match(out, /https:\/\/docs\/x\?page=<secret>\."$/, 'sentence punctuation stays outside');
  assert.equal(redactUrlsInText(out, [url]), out, 'redacting twice changes nothing');
  assert.equal(redactUrlsInText('http://h/s?token=T0K3N-SECRET: HTTP 500'), 'http://h/s?token=<secret>: HTTP 500');
  assert.equal(redactUrlsInText('{"url":"http://h/?k=VALUE-SECRET","x":1}'), '{"url":"http://h/?k=<secret>","x":1}');
  assert.equal(redactUrlsInText('body starts with "http://h/?k=VALUE-SEC…'), 'body starts with "http://h/?k=<secret>');
});
