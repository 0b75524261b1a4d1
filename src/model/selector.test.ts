import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesAll, parseMatchers, SelectorSyntaxError } from './selector.js';

test('parses the four operators, quotes and escapes', () => {
  const ms = parseMatchers(` a="x", b!='y', c=~".*:10250" , d!~\`^q\\d\`, e="say \\"hi\\"\\n",`);
  assert.deepEqual(
    ms.map((m) => [m.name, m.op, m.value]),
    [
      ['a', '=', 'x'],
      ['b', '!=', 'y'],
      ['c', '=~', '.*:10250'],
      ['d', '!~', '^q\\d'],
      ['e', '=', 'say "hi"\n'],
    ],
  );
});

test('regexes are fully anchored and a missing label matches as empty', () => {
  const ms = parseMatchers('instance=~".*:443", zone=""');
  assert.equal(matchesAll(ms, { instance: '10.0.0.1:443' }), true);
  assert.equal(matchesAll(ms, { instance: '10.0.0.1:4430' }), false);
  assert.equal(matchesAll(ms, { instance: '10.0.0.1:443', zone: 'a' }), false);
  assert.equal(matchesAll(parseMatchers('x!~"a|b"'), { x: 'ab' }), true);
});

test('an empty filter matches everything', () => {
  assert.deepEqual(parseMatchers('  '), []);
  assert.equal(matchesAll([], { a: '1' }), true);
});

for (const bad of ['a', 'a=', 'a="x" b="y"', '="x"', 'a=~"("', 'a="unterminated', 'a=x']) {
  test(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => parseMatchers(bad), SelectorSyntaxError));
}

test('Object.prototype member names are label names like any other', () => {
  // A plain object (as JSON or a careless caller builds) must not leak inherited members into matching.
  const plain: Record<string, string> = { a: '1' };
  assert.equal(matchesAll(parseMatchers('constructor=""'), plain), true, 'constructor is missing, so it matches ""');
  assert.equal(matchesAll(parseMatchers('toString!=""'), plain), false, 'toString is missing, so != "" fails');
  assert.equal(matchesAll(parseMatchers('hasOwnProperty=~".+"'), plain), false);
  const own = Object.assign(
    Object.create(null) as Record<string, string>,
    JSON.parse('{"__proto__":"p","constructor":"c","toString":"t"}') as Record<string, string>,
  );
  assert.equal(Object.keys(own).length, 3);
  assert.equal(matchesAll(parseMatchers('__proto__="p", constructor="c", toString="t"'), own), true);
  assert.equal(matchesAll(parseMatchers('__proto__=""'), own), false);
  assert.equal(matchesAll(parseMatchers('__proto__=""'), plain), true);
});

for (const [bad, why] of [
  ['a=~"(?=x)"', /lookahead/],
  ['a=~"(?<!x)y"', /RE2/],
  ['a=~`(x)\\1`', /backreferences/],
  ['a=~"(?>x)"', /atomic/],
  ['a=~"x*+"', /possessive/],
  ['a="\\d"', /unknown escape sequence/],
  ['a="x\ny"', /unterminated quoted string/],
  ['{a="x"}', /without braces/],
  ['a="x" or b="y"', /MetricsQL/],
  ['a="\\xZZ"', /2 hex digits/],
  ['a="\\uD800"', /invalid Unicode code point/],
] as const) {
  test(`rejects ${JSON.stringify(bad)} with a reason`, () =>
    assert.throws(
      () => parseMatchers(bad),
      (e: unknown) => e instanceof SelectorSyntaxError && why.test(e.message),
    ));
}

test('error offsets point into the text', () => {
  assert.throws(
    () => parseMatchers('a="x", b=~"(?=y)"'),
    (e: unknown) => e instanceof SelectorSyntaxError && e.offset === 10,
  );
  assert.throws(
    () => parseMatchers("a='x"),
    (e: unknown) => e instanceof SelectorSyntaxError && e.offset === 2,
  );
});

test('quoted (UTF-8) label names and escapes decode as in Prometheus', () => {
  const [m] = parseMatchers(`"k8s.pod"='\\x41\\101\\u00e9\\''`);
  assert.deepEqual([m?.name, m?.value], ['k8s.pod', "AAé'"]);
});
