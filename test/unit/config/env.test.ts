import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expandEnv, type EnvResult } from '../../../src/config/env.js';

const ENV: NodeJS.ProcessEnv = {
  HOST: 'vmselect',
  PORT: '8481',
  EMPTY: '',
  DOLLAR: 'a$b',
  NESTED: '${HOST}',
  lower_case: 'lc',
};

describe('expandEnv', () => {
  const cases: ReadonlyArray<readonly [string, EnvResult]> = [
    ['no references', { ok: true, value: 'no references' }],
    ['', { ok: true, value: '' }],
    ['${HOST}', { ok: true, value: 'vmselect' }],
    ['http://${HOST}:${PORT}/select/0', { ok: true, value: 'http://vmselect:8481/select/0' }],
    ['${lower_case}', { ok: true, value: 'lc' }],
    ['${UNSET:-fallback}', { ok: true, value: 'fallback' }],
    ['${HOST:-fallback}', { ok: true, value: 'vmselect' }],
    ['${UNSET:-http://localhost:8428}', { ok: true, value: 'http://localhost:8428' }],
    ['${UNSET:-}', { ok: true, value: '' }],
    ['${EMPTY:-fallback}', { ok: true, value: 'fallback' }],
    ['$$', { ok: true, value: '$' }],
    ['a$$b', { ok: true, value: 'a$b' }],
    ['$$$$', { ok: true, value: '$$' }],
    ['$${HOST}', { ok: true, value: '${HOST}' }],
    ['$$${HOST}', { ok: true, value: '$vmselect' }],
    ['$HOST', { ok: true, value: '$HOST' }],
    ['cost: 5$', { ok: true, value: 'cost: 5$' }],
    ['${1BAD}', { ok: true, value: '${1BAD}' }],
    ['${HOST', { ok: true, value: '${HOST' }],
    ['${DOLLAR}', { ok: true, value: 'a$b' }],
    ['${NESTED}', { ok: true, value: '${HOST}' }],
    ['${UNSET}', { ok: false, missing: 'UNSET' }],
    ['http://${HOST}:${UNSET_PORT}/', { ok: false, missing: 'UNSET_PORT' }],
    ['${FIRST_MISSING}${SECOND_MISSING}', { ok: false, missing: 'FIRST_MISSING' }],
  ];
  for (const [text, want] of cases) {
    test(`${JSON.stringify(text)} -> ${JSON.stringify(want)}`, () => {
      assert.deepEqual(expandEnv(text, ENV), want);
    });
  }

  test('uses process.env by default', () => {
    const name = 'LVE_ENV_TEST_DEFAULT_SOURCE';
    process.env[name] = 'from-process';
    try {
      assert.deepEqual(expandEnv(`\${${name}}`), { ok: true, value: 'from-process' });
    } finally {
      delete process.env[name];
    }
  });

  test('an error names the variable, never a value', () => {
    const r = expandEnv('${HOST}:${UNSET}', ENV);
    assert.deepEqual(r, { ok: false, missing: 'UNSET' });
    assert.ok(!JSON.stringify(r).includes('vmselect'));
  });
});
