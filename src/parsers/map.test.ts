import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileMap } from './map.js';
import { ParserConfigError } from './types.js';

const PHASES = { Pending: 0, Running: 1, Succeeded: 2, Failed: 3, Unknown: 4 }; // kube_pod_status_phase phases
const OS = { linux: 1, windows: 2 }; // kube_node_info operating_system

/** [values, case_insensitive, default, input, want]; a string want is the expected failure reason. */
const ROWS: Array<[Record<string, number>, boolean, number | undefined, string, number | string]> = [
  [PHASES, false, undefined, 'Running', 1], // kube_pod_status_phase / pod status.phase
  [PHASES, false, undefined, ' Failed ', 3], // same, with whitespace
  [PHASES, false, undefined, 'running', 'unknown_value'], // case matters by default
  [PHASES, true, undefined, 'running', 1], // case_insensitive
  [PHASES, true, undefined, 'SUCCEEDED', 2], // case_insensitive, upper case
  [PHASES, false, -1, 'Evicted', -1], // unknown value (a pod reason, not a phase) → default
  [OS, false, undefined, 'linux', 1], // kube_node_info operating_system
  [OS, false, 0, 'freebsd', 0], // node_uname_info sysname outside the table → default
  [{ ready: 1, notready: 0 }, true, undefined, 'NotReady', 0], // node condition text from a custom exporter
  [{ DiskPressure: 1, MemoryPressure: 2, PIDPressure: 3 }, false, undefined, 'PIDPressure', 3], // kube_node_status_condition condition
  [{ __proto__: 5 } as Record<string, number>, false, undefined, 'constructor', 'unknown_value'], // object keys are not inherited
  [JSON.parse('{"__proto__": 5}') as Record<string, number>, false, undefined, '__proto__', 5], // a YAML key named __proto__
  [PHASES, false, 7, '', 'empty'], // an empty value is `empty`, not the default
];

for (const [values, ci, dflt, input, want] of ROWS) {
  test(`map ${JSON.stringify(input)} (case_insensitive ${ci}, default ${dflt}) → ${want}`, () => {
    const parse = compileMap({ parser: 'map', values, case_insensitive: ci, ...(dflt === undefined ? {} : { default: dflt }) });
    const expected = typeof want === 'number' ? { ok: true, value: want } : { ok: false, reason: want };
    assert.deepEqual(parse(input), expected);
  });
}

const BAD: Array<[string, Record<string, number>, boolean, number | undefined, string]> = [
  ['clashing case-folded keys', { Running: 1, running: 2 }, true, undefined, 'values'],
  ['non-finite value', { a: Infinity }, false, undefined, 'values'],
  ['non-number value', { a: '1' as unknown as number }, false, undefined, 'values'],
  ['key with whitespace', { ' a': 1 }, false, undefined, 'values'],
  ['empty key', { '': 1 }, false, undefined, 'values'],
  ['over-long key', { ['x'.repeat(5000)]: 1 }, false, undefined, 'values'],
  ['NaN default', { a: 1 }, false, NaN, 'default'],
];

for (const [why, values, ci, dflt, field] of BAD) {
  test(`map config error: ${why}`, () => {
    const spec = { parser: 'map' as const, values, case_insensitive: ci, ...(dflt === undefined ? {} : { default: dflt }) };
    assert.throws(
      () => compileMap(spec),
      (e: unknown) => e instanceof ParserConfigError && e.field === field,
    );
  });
}

test('map accepts case-folded duplicates with the same value', () => {
  assert.deepEqual(compileMap({ parser: 'map', values: { On: 1, on: 1 }, case_insensitive: true })('ON'), { ok: true, value: 1 });
});
