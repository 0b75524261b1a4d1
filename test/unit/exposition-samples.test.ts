/**
 * The samples remote write sends (exposition/samples.ts) are the samples the
 * exposition writes: for every metric type, read the rendered text back and
 * compare (values bit for bit).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderFamilies, type RenderSpec } from '../../src/exposition/render.js';
import { familySamples } from '../../src/exposition/samples.js';
import { METRIC_TYPES } from '../../src/model/metric-types.js';
import type { MetricType, OutputSeries } from '../../src/model/series.js';
import type { FamilySnapshot } from '../../src/snapshot/family.js';
import { parseSampleLine } from '../../src/sources/exposition-parser.js';
import { Outputs, OUTPUT_KINDS } from '../../src/output/outputs.js';
import { SnapshotStore } from '../../src/snapshot/store.js';
import { createLogger } from '../../src/logging/logger.js';
import { SelfMetrics } from '../../src/selfmetrics/self-metrics.js';

const SERIES: OutputSeries[] = [
  { labelText: '', value: 2, histogram: { buckets: [0, 1], sum: 2.5 } },
  { labelText: 'a="x\\"y\\\\z\\nw"', value: 0, histogram: { buckets: [0, 0], sum: 0 } },
  { labelText: 'a="b",c="d"', value: 1, histogram: { buckets: [1, 1], sum: 0.5 } },
];

function snapshot(shape: RenderSpec, series: readonly OutputSeries[]): FamilySnapshot {
  const families = renderFamilies(shape, series);
  return { name: shape.name, help: 'h', type: shape.type, series, index: new Map(), families, shape, producedAtMs: 0 };
}

const bits = (v: number) => Buffer.from(new Float64Array([v]).buffer).toString('hex');

for (const type of Object.keys(METRIC_TYPES) as MetricType[]) {
  test(`${type}: the samples are the rendered lines, read back`, () => {
    const shape: RenderSpec = { name: 'm', type, dynamicNames: false, states: { values: ['0', 'we"ird'], label: 'st' }, buckets: [0.5, 1] };
    const f = snapshot(shape, SERIES);
    const text = f.families.map((x) => x.samples.toString('utf8')).join('');
    const read = text
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const s = parseSampleLine(line);
        const labels: Array<readonly [string, string]> = [['__name__', s.name], ...Object.entries(s.labels)];
        return { labels: labels.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)), value: bits(s.value) };
      });
    const samples = [...familySamples(f)].map((s) => ({ labels: s.labels, value: bits(s.value) }));
    assert.ok(samples.length >= SERIES.length);
    assert.deepEqual(samples, read);
  });
}

test('every output kind is created over the store, reloaded and stopped', async () => {
  assert.deepEqual(
    OUTPUT_KINDS.map((k) => k.kind),
    ['remote_write'],
  );
  const outputs = new Outputs(new SnapshotStore(), {
    logger: createLogger('error', 'json'),
    userAgent: 'lve/test',
    observers: new SelfMetrics(),
  });
  assert.deepEqual(
    outputs.list.map((o) => o.kind),
    ['remote_write'],
  );
  await outputs.stop();
});
