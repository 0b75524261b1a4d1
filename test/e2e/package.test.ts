/**
 * Distribution: `npm pack` gives a package that installs into an empty
 * directory (dependencies from the npm registry) and runs as
 * `npx label-value-exporter`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../support/temp.js';
import { REPO } from '../support/exporter.js';

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 300_000, env: { ...process.env, npm_config_update_notifier: 'false' } });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test('npm pack installs into an empty directory and runs with npx', { timeout: 300_000 }, async () => {
  const out = await makeTempDir('pack');
  run('npm', ['pack', '--pack-destination', out, '--silent'], REPO);
  const tarball = readdirSync(out).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack wrote a tarball');
  const listing = run('tar', ['-tzf', path.join(out, tarball)], out);
  assert.match(listing, /package\/dist\/src\/cli\/main\.js/);
  assert.match(listing, /package\/dist\/build-info\.json/);
  assert.doesNotMatch(listing, /\.test\.js/, 'no tests in the package');
  const app = await makeTempDir('app');
  writeFileSync(path.join(app, 'package.json'), '{"name":"consumer","private":true}\n');
  run('npm', ['install', '--no-audit', '--no-fund', '--omit=dev', path.join(out, tarball)], app);
  const version = run('npx', ['--no-install', 'label-value-exporter', '--version'], app);
  assert.match(version, /^label-value-exporter, version \d+\.\d+\.\d+/);
  const check = run(
    'npx',
    ['--no-install', 'label-value-exporter', 'check', '--config.file', 'node_modules/label-value-exporter/examples/demo/config.yml'],
    app,
  );
  assert.match(check, /valid/);
});
