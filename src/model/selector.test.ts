import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesAll, parseMatchers, SelectorSyntaxError } from './selector.js';

test('parses the four operators, quotes and escapes', () => {
  const ms = parseMatchers(` a="x", b!='y', c=~".*:10250" , d!~\`^q\\d\`, e="say \\"hi\\"\\n",`);
  assert.deepEqual(ms.map((m) => [m.name, m.op, m.value]), [
    ['a', '=', 'x'],
    ['b', '!=', 'y'],
    ['c', '=~', '.*:10250'],
    ['d', '!~', '^q\\d'],
    ['e', '=', 'say "hi"\n'],
  ]);
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
