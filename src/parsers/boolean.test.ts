import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileBoolean } from './boolean.js';

/** [input, want]; a string want is the expected failure reason. */
const ROWS: Array<[string, number | string]> = [
  ['true', 1], // kube-state-metrics kube_node_status_condition{status}
  ['false', 0], // same
  ['True', 1], // Kubernetes condition status (`True`/`False`/`Unknown`)
  ['False', 0], // same
  ['Unknown', 'not_a_boolean'], // Kubernetes condition status Unknown (ksm: `unknown`): neither
  ['yes', 1], // Helm values rendered into labels
  ['no', 0], // same
  ['ON', 1], // MySQL SHOW VARIABLES (mysqld_exporter), e.g. read_only
  ['off', 0], // same, lower case
  ['1', 1], // node_exporter-style numeric flags
  ['0', 0], // same
  ['Y', 1], // MySQL mysql.user privilege columns
  ['n', 0], // same
  ['t', 1], // PostgreSQL boolean text output
  ['f', 0], // same
  ['enabled', 1], // systemd `is-enabled` state in unit info labels
  ['Disabled', 0], // same
  [' true\n', 1], // whitespace
  ['2', 'not_a_boolean'], // other numbers are not booleans
  ['none', 'not_a_boolean'], // placeholder
  ['', 'empty'], // missing label
];

const parse = compileBoolean({ parser: 'boolean' });
for (const [input, want] of ROWS) {
  test(`boolean ${JSON.stringify(input)} → ${want}`, () => {
    const expected = typeof want === 'number' ? { ok: true, value: want } : { ok: false, reason: want };
    assert.deepEqual(parse(input), expected);
  });
}
