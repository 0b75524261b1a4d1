/**
 * Keys of rename_labels and static_labels are label names, and label names
 * are data: `__proto__` and `constructor` are keys like any other, from the
 * YAML file through the loader and the transformation to /metrics. Before,
 * the schema built plain objects (a `__proto__` key set the prototype and
 * vanished) and a stateset's check asked `state_label in static_labels`,
 * which is true for inherited names such as `constructor`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startExporter, type Exporter } from '../support/exporter.js';

const EXPOSITION = [
  '# TYPE proto_info gauge',
  'proto_info{__proto__="a",node="n1",minor="28"} 1',
  'proto_info{__proto__="b",node="n2",minor="27"} 1',
  '',
].join('\n');

const CONFIG = `scrape_interval: 1
sources:
  - { name: f, type: file, path: proto.prom }
metric_transformations:
  - name: proto_minor
    source: f
    source_metric: proto_info
    value_from_label: minor
    rename_labels: { __proto__: proto }
    static_labels: { constructor: x }
  - name: proto_state
    source: f
    source_metric: proto_info
    value_from_label: minor
    metric_type: stateset
    states: ["27", "28"]
    state_label: constructor
    preserve_labels: [node]
    static_labels: { env: prod }
`;

describe('rename_labels and static_labels keyed __proto__ and constructor: load → transformation → /metrics (e2e)', () => {
  let exporter: Exporter | undefined;

  before(async () => {
    exporter = await startExporter(CONFIG, [], { 'proto.prom': EXPOSITION });
  });

  after(async () => {
    await exporter?.stop();
  });

  test(
    '__proto__ is renamed, constructor is a static label, and a stateset may use constructor as its state label',
    { timeout: 30_000 },
    async () => {
      const ex = exporter as Exporter;
      const ours = (s: Map<string, number>) =>
        [...s]
          .filter(([k]) => /^proto_/.test(k))
          .map(([k, v]) => `${k} ${v}`)
          .sort();
      const got = await ex.waitForSamples((s) => ours(s).length >= 6, 'the proto_ series on /metrics');
      assert.deepEqual(ours(got), [
        'proto_minor{constructor="x",node="n1",proto="a"} 28',
        'proto_minor{constructor="x",node="n2",proto="b"} 27',
        'proto_state{env="prod",node="n1",constructor="27"} 0',
        'proto_state{env="prod",node="n1",constructor="28"} 1',
        'proto_state{env="prod",node="n2",constructor="27"} 1',
        'proto_state{env="prod",node="n2",constructor="28"} 0',
      ]);
    },
  );
});
