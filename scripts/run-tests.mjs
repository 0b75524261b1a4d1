// Runs the compiled test suites with Node's test runner.
//   node scripts/run-tests.mjs          every suite: unit, golden, e2e
//   node scripts/run-tests.mjs unit     unit tests (next to the code) and golden files
//   node scripts/run-tests.mjs e2e      end-to-end tests against real VictoriaMetrics / Prometheus
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir, out = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) find(p, out);
    else if (p.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const suites = {
  unit: () => [...find('dist/src'), ...find('dist/test/unit'), ...find('dist/test/golden'), ...find('dist/test/property')],
  e2e: () => [...find('dist/test/support'), ...find('dist/test/e2e')],
};
const wanted = process.argv[2] ? [process.argv[2]] : Object.keys(suites);
const files = wanted.flatMap((s) => {
  if (!suites[s]) throw new Error(`unknown suite ${s}; known: ${Object.keys(suites).join(', ')}`);
  return suites[s]();
});
if (files.length === 0) {
  console.error('no test files found: run `npm run build` first');
  process.exit(1);
}
const args = ['--enable-source-maps', '--test', '--test-reporter=spec', ...files];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
