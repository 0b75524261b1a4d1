import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { escapeHelp, formatValue } from './format.js';
import { negotiate } from './negotiate.js';
import { renderHeader, renderSamples } from './render.js';
import { writeExposition } from './write.js';
import type { FamilySnapshot } from '../snapshot/family.js';

test('values are spelled as Prometheus expects', () => {
  assert.deepEqual([28, 1.5, -0.25, NaN, Infinity, -Infinity, 1e21].map(formatValue), [
    '28',
    '1.5',
    '-0.25',
    'NaN',
    '+Inf',
    '-Inf',
    '1e+21',
  ]);
});

test('HELP escaping differs between the formats', () => {
  assert.equal(escapeHelp('a\\b\n"c"', 'text'), 'a\\\\b\\n"c"');
  assert.equal(escapeHelp('a\\b\n"c"', 'openmetrics'), 'a\\\\b\\n\\"c\\"');
});

test('info families are OpenMetrics info only when named *_info', () => {
  const f = { name: 'node_os_info', help: 'h', type: 'info' as const };
  assert.equal(renderHeader(f, 'text'), '# HELP node_os_info h\n# TYPE node_os_info gauge\n');
  assert.equal(renderHeader(f, 'openmetrics'), '# HELP node_os h\n# TYPE node_os info\n');
  assert.equal(renderHeader({ ...f, name: 'os_image' }, 'openmetrics'), '# HELP os_image h\n# TYPE os_image gauge\n');
});

test('samples render with and without labels', () => {
  const b = renderSamples('m', [
    { labelText: '', value: 1 },
    { labelText: 'a="x"', value: NaN },
  ]);
  assert.equal(b.toString(), 'm 1\nm{a="x"} NaN\n');
});

const ACCEPT: Array<[string | undefined, 'text' | 'openmetrics']> = [
  [undefined, 'text'],
  ['', 'text'],
  ['*/*', 'text'],
  ['text/plain;version=0.0.4', 'text'],
  [
    'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
    'openmetrics',
  ],
  ['application/openmetrics-text', 'openmetrics'],
  ['text/plain;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5', 'text'],
  ['application/openmetrics-text;version=2.0.0', 'text'],
  ['application/openmetrics-text;q=0', 'text'],
];
for (const [header, want] of ACCEPT) {
  test(`Accept ${JSON.stringify(header)} → ${want}`, () => assert.equal(negotiate(header), want));
}

test('writeExposition orders families by name and ends OpenMetrics with # EOF', async () => {
  const fam = (name: string): FamilySnapshot => ({
    name,
    help: 'h',
    type: 'gauge',
    series: [],
    index: new Map(),
    families: [{ name, samples: Buffer.from(`${name} 1\n`) }],
    producedAtMs: 0,
  });
  const families = new Map([
    ['b', fam('b')],
    ['a', fam('a')],
  ]);
  for (const format of ['text', 'openmetrics'] as const) {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await writeExposition(out, families, '# self\n', format);
    const body = Buffer.concat(chunks).toString();
    assert.ok(body.indexOf('# TYPE a') < body.indexOf('# TYPE b'));
    assert.equal(body.endsWith('# self\n# EOF\n'), format === 'openmetrics');
  }
});
