import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/registry/load.js';
import { ConfigError } from '../../../src/model/errors.js';

/**
 * Golden tests of the loader's error output. Every `invalid-*.yml` in the
 * fixture directory is paired with `invalid-*.yml.expected`: the exact
 * `ConfigError.message`, with the config's absolute path written as `{file}`.
 * The `.expected` files end with one newline, which is not part of the message.
 *
 * The compiled test runs from `dist/test/unit/config/`, four levels below the
 * project root, and the fixtures are not copied into `dist/`.
 */
const FIXTURES = new URL('../../../../test/fixtures/config/', import.meta.url);
const fixtureDir = fileURLToPath(FIXTURES);

/** A fixed, empty environment: fixtures that use `${VAR}` rely on it being unset. */
const ENV: NodeJS.ProcessEnv = {};

const fixtures = readdirSync(fixtureDir)
  .filter((f) => /^invalid-.*\.yml$/.test(f))
  .sort();

function expectedMessage(file: string): string {
  const text = readFileSync(fileURLToPath(new URL(`${file}.expected`, FIXTURES)), 'utf8');
  const abs = fileURLToPath(new URL(file, FIXTURES));
  return text.replace(/\n$/, '').split('{file}').join(abs);
}

async function loadError(file: string): Promise<ConfigError> {
  const abs = fileURLToPath(new URL(file, FIXTURES));
  try {
    await loadConfig(abs, ENV);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    return e;
  }
  assert.fail(`${file} loaded without error`);
}

test('the fixture directory resolves from the compiled test and has fixtures', () => {
  assert.ok(fixtureDir.endsWith('/test/fixtures/config/'), fixtureDir);
  assert.ok(!fixtureDir.includes('/dist/'), fixtureDir);
  assert.ok(fixtures.length >= 30, `only ${fixtures.length} fixtures found in ${fixtureDir}`);
  for (const f of fixtures) {
    assert.doesNotThrow(() => readFileSync(new URL(`${f}.expected`, FIXTURES)), `${f} has no .expected file`);
  }
});

describe('invalid configs are rejected with the exact expected message', () => {
  for (const file of fixtures) {
    test(file, async () => {
      const err = await loadError(file);
      const abs = fileURLToPath(new URL(file, FIXTURES));
      assert.equal(err.message, expectedMessage(file));
      assert.ok(err.problems.length >= 1);
      assert.equal(err.problems.length, err.message.split('\n').length, 'one problem per line of the message');
      for (const p of err.problems) {
        assert.ok(p.line >= 1, `line ${p.line} of "${p.message}"`);
        assert.ok(p.column >= 1, `column ${p.column} of "${p.message}"`);
        assert.equal(p.file, abs);
      }
      const lines = err.problems.map((p) => p.line);
      assert.deepEqual(
        lines,
        [...lines].sort((a, b) => a - b),
        'problems are sorted by line',
      );
    });
  }
});
