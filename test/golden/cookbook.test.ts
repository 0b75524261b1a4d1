/**
 * The cookbook (docs/transformations.md "Cookbook"): every examples/cookbook/*.yml
 * loads, runs against examples/cookbook/data.prom with no series skipped, and its
 * output equals the `<name>.out.prom` next to it (what the docs show), passes
 * `promtool check metrics`, and its OpenMetrics form passes the reference
 * parser. Regenerate the .out.prom files with UPDATE_GOLDEN=1 and review.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/registry/load.js';
import { runTransformation } from '../../src/scheduler/run.js';
import { SnapshotStore } from '../../src/snapshot/store.js';
import { createSource } from '../../src/sources/registry.js';
import { checkOpenMetrics } from '../support/openmetrics-check.js';
import { promtoolCheckMetrics } from '../support/promtool.js';
import { renderStore } from '../support/render-store.js';

const DIR = fileURLToPath(new URL('../../../examples/cookbook/', import.meta.url));
const update = process.env.UPDATE_GOLDEN === '1';

const render = renderStore;

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.yml'))
  .sort();

test('the cookbook has an example for every value parser and metric type', () => {
  const text = files.map((f) => readFileSync(`${DIR}${f}`, 'utf8')).join('\n');
  for (const parser of ['number', 'semver', 'version', 'regex', 'map', 'boolean', 'duration', 'bytes', 'timestamp'])
    assert.match(text, new RegExp(`parser: ${parser}\\b`), parser);
  for (const type of ['info', 'stateset', 'counter', 'histogram']) assert.match(text, new RegExp(`metric_type: ${type}\\b`), type);
  assert.match(text, /name: "\{\{/);
});

for (const file of files) {
  test(`cookbook: ${file}`, async () => {
    const config = await loadConfig(`${DIR}${file}`);
    const store = new SnapshotStore();
    for (const t of config.transformations) {
      const sources = t.sources.map((name) => createSource(config.sources.get(name) ?? assert.fail(name), { request: () => undefined }));
      const outcome = await runTransformation(t, sources, store, new AbortController().signal);
      assert.ok(outcome.ok, `${t.name}: ${outcome.ok ? '' : outcome.error.message}`);
      assert.deepEqual([...outcome.result.skipped], [], `${t.name} skipped series: ${JSON.stringify([...outcome.result.skipExamples])}`);
      assert.ok(outcome.result.series.length > 0, `${t.name} produced nothing`);
    }
    const text = await render(store, 'text');
    const expected = `${DIR}${file.replace(/\.yml$/, '.out.prom')}`;
    if (update || !existsSync(expected)) {
      writeFileSync(expected, text);
      if (!update) assert.fail(`${expected} did not exist; written now — review it and run again`);
    } else assert.equal(text, readFileSync(expected, 'utf8'), `output differs from ${expected} (UPDATE_GOLDEN=1 regenerates)`);
    const lint = await promtoolCheckMetrics(text);
    assert.equal(lint.code, 0, lint.output);
    assert.equal(lint.output.trim(), '');
    const om = checkOpenMetrics(await render(store, 'openmetrics'));
    assert.ok(om.ok, om.output);
  });
}
