/**
 * Whole-pipeline golden files: each case in test/golden/cases/<name>/ has a
 * config.yml reading input.prom through a file source. The pipeline runs once
 * (config → source → transform → snapshot → exposition) and its output must
 * equal expected.prom (text format) and expected.om (OpenMetrics) byte for
 * byte. Every text golden must also pass `promtool check metrics`.
 * Regenerate with UPDATE_GOLDEN=1 and review the diff.
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

const CASES = fileURLToPath(new URL('../../../test/golden/cases/', import.meta.url));
const update = process.env.UPDATE_GOLDEN === '1';
const noop = { request: () => undefined };

const render = renderStore;

async function runCase(dir: string): Promise<SnapshotStore> {
  const config = await loadConfig(`${dir}/config.yml`);
  const store = new SnapshotStore();
  for (const t of config.transformations) {
    const sources = t.sources.map((name) => {
      const cfg = config.sources.get(name);
      assert.ok(cfg, `source ${name}`);
      return createSource(cfg, noop);
    });
    const outcome = await runTransformation(t, sources, store, new AbortController().signal);
    assert.ok(outcome.ok, `run of ${t.name} failed: ${outcome.ok ? '' : outcome.error.message}`);
  }
  return store;
}

function compare(file: string, actual: string): void {
  if (update || !existsSync(file)) {
    writeFileSync(file, actual);
    if (!update) assert.fail(`golden file ${file} did not exist; written now — review it and run again`);
    return;
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `output differs from ${file} (UPDATE_GOLDEN=1 regenerates)`);
}

for (const name of readdirSync(CASES).sort()) {
  test(`golden: ${name}`, async () => {
    const dir = `${CASES}${name}`;
    const store = await runCase(dir);
    const text = await render(store, 'text');
    compare(`${dir}/expected.prom`, text);
    const om = await render(store, 'openmetrics');
    compare(`${dir}/expected.om`, om);
    const lint = await promtoolCheckMetrics(text);
    assert.equal(lint.code, 0, `promtool check metrics: ${lint.output}`);
    assert.equal(lint.output.trim(), '');
    const strict = checkOpenMetrics(om);
    assert.ok(strict.ok, `the reference OpenMetrics parser rejects expected.om: ${strict.output}`);
  });
}
