import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { JSONPath } from 'jsonpath-plus';
import { checkJsonPath } from '../../../src/config/jsonpath.js';
import { loadConfig } from '../../../src/registry/load.js';
import { runTransformation } from '../../../src/scheduler/run.js';
import { SnapshotStore } from '../../../src/snapshot/store.js';
import { createSource } from '../../../src/sources/registry.js';

const DOC = {
  nodes: [
    { name: 'a', disks: [{ gib: 10 }, { gib: 20 }] },
    { name: 'b', disks: [{ gib: 30 }, { gib: 40 }, { gib: 50 }] },
  ],
  '-1': 'not an index',
};

function rewritten(p: string): string {
  const r = checkJsonPath(p);
  assert.ok('path' in r, `${p}: ${'error' in r ? r.error : ''}`);
  return r.path;
}

describe('JSONPath: RFC 9535 forms that jsonpath-plus reads differently', () => {
  test('[-1] and [-N] select the last and the Nth-from-last element, like RFC 9535', () => {
    const cases: Array<[string, unknown[]]> = [
      ['$.nodes[-1].name', ['b']],
      ['$.nodes[-2].name', ['a']],
      ['$.nodes[*].disks[-1].gib', [20, 50]],
      ['$..disks[-1].gib', [20, 50]],
      ["$['nodes'][ -1 ]['name']", ['b']],
      ['$.nodes[-3].name', []], // out of range: nothing, as in the RFC
    ];
    for (const [p, want] of cases) {
      assert.deepEqual(JSONPath({ path: rewritten(p), json: DOC, wrap: true }), want, `${p} → ${rewritten(p)}`);
    }
  });

  test('paths without those forms are unchanged, including brackets inside quotes and filters', () => {
    for (const p of [
      '$.nodes[*]',
      '$.nodes[0]',
      '$.nodes[0:2]',
      "$['a[-1]']",
      '$.nodes[?(@.disks[-1].gib > 1)]',
      '$.*.*.*[*]',
      'name',
      '^1',
      '$.nodes[-1:]',
    ]) {
      assert.equal(rewritten(p), p);
    }
  });

  test('the forms that would select nothing are refused with a hint', () => {
    const cases: Array<[string, RegExp]> = [
      ['$.nodes[0,-1]', /negative index.*select the elements separately/],
      ['$.nodes[::-1]', /negative step/],
      ['$.nodes[?@.name=="a"]', /\[\?\(@\.name=="a"\)\]/],
    ];
    for (const [p, message] of cases) {
      const r = checkJsonPath(p);
      assert.ok('error' in r && message.test(r.error), `${p}: ${JSON.stringify(r)}`);
    }
  });
});

describe('a json: mapping with [-1] reads the last element end to end (config → file source → series)', () => {
  let dir = '';
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('node_last_disk_gib is the last disk of each node', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lve-jsonpath-'));
    await writeFile(path.join(dir, 'inventory.json'), JSON.stringify(DOC));
    const file = path.join(dir, 'config.yml');
    await writeFile(
      file,
      `sources: [{ name: inv, type: file, path: inventory.json }]
metric_transformations:
  - name: node_last_disk_gib
    source: inv
    source_metric: inventory
    value_from_label: gib
    json:
      records: "$.nodes[*]"
      labels: { node: name, gib: "$.disks[-1].gib" }
`,
    );
    const config = await loadConfig(file, {});
    const t = config.transformations[0];
    assert.ok(t);
    const s = config.sources.get('inv');
    assert.ok(s);
    const outcome = await runTransformation(
      t,
      [createSource(s, { request: () => undefined })],
      new SnapshotStore(),
      new AbortController().signal,
    );
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.error.message);
    assert.deepEqual(outcome.result.series.map((x) => [x.labelText, x.value]).sort(), [
      ['node="a"', 20],
      ['node="b"', 50],
    ]);
  });
});
