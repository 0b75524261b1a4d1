/**
 * The running exporter builds only the sources its transformations read: no
 * loader-made `default` (http://localhost:8428) when only named sources are
 * used, no source nothing reads; each unused named source is logged as a
 * warning, as `check` prints it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parseConfig } from '../../src/registry/load.js';
import { createLogger } from '../../src/logging/logger.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { SelfMetrics } from '../../src/selfmetrics/self-metrics.js';
import { SnapshotStore } from '../../src/snapshot/store.js';

const TEXT = (dir: string) => `sources:
  - { name: f, type: file, path: ${JSON.stringify(path.join(dir, 'x.prom'))} }
  - { name: old, type: prometheus, url: "http://127.0.0.1:9" }
metric_transformations:
  - { name: m, source: f, source_metric: x_info, value_from_label: v }
`;

test('named sources only: the config has no default source, and the scheduler builds only the source read', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'lve-unused-'));
  await writeFile(path.join(dir, 'x.prom'), 'x_info{v="1"} 1\n');
  const config = parseConfig(TEXT(dir), path.join(dir, 'c.yml'), {});
  assert.deepEqual([...config.sources.keys()], ['f', 'old'], 'no phantom default source');

  const logs = new PassThrough();
  let logged = '';
  logs.on('data', (c: Buffer) => (logged += c.toString()));
  const scheduler = new Scheduler(
    { store: new SnapshotStore(), metrics: new SelfMetrics(), logger: createLogger('warn', 'json', logs) },
    { request: () => undefined },
  );
  scheduler.start(config);
  try {
    const built = (scheduler as unknown as { sources: Map<string, unknown> }).sources;
    assert.deepEqual([...built.keys()], ['f'], 'only the source a transformation reads is built');
    await new Promise((r) => setImmediate(r));
    assert.match(logged, /source \\"old\\" is not read by any transformation/);
    assert.doesNotMatch(logged, /default/);
  } finally {
    await scheduler.stop();
  }
});

test('a transformation without source: still reads the default (victoriametrics_url), and a written but unused victoriametrics_url is still checked', () => {
  const c = parseConfig('metric_transformations:\n  - { name: m, source_metric: x_info, value_from_label: v }\n', '/tmp/c.yml', {});
  assert.equal(c.sources.get('default')?.type, 'prometheus');
  assert.throws(
    () => parseConfig(TEXT('/tmp').replace('sources:', 'victoriametrics_url: "ftp://x"\nsources:'), '/tmp/c.yml', {}),
    /victoriametrics_url/,
  );
});
