/**
 * The series budget (issue #12 item 6): a run fails with too_many_series at
 * the first output series over `max_series` (a default applies when it is
 * not set), the source stops reading at once rather than buffering the
 * whole answer, and the last good data stays.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULTS } from '../../src/config/defaults.js';
import { parseConfig } from '../../src/registry/load.js';
import { runTransformation } from '../../src/scheduler/run.js';
import { SnapshotStore } from '../../src/snapshot/store.js';
import { createSource } from '../../src/sources/registry.js';
import { Transformer } from '../../src/transform/transformer.js';
import { transformationConfig } from '../support/transformation.js';

const T = (extra = '') => `  - {name: v, source_metric: kube_node_info, value_from_label: minor, preserve_labels: [node]${extra}}\n`;

describe('max_series: a default, per transformation, and at the top level', () => {
  test('unset everywhere: the default budget applies, and the message says how to raise it', () => {
    assert.equal(parseConfig(`metric_transformations:\n${T()}`, 'c.yml', {}).transformations[0]?.maxSeries, null);
    assert.ok(DEFAULTS.maxSeries >= 1_000_000, 'a million series work on a default setup');
    // The plain path (no shaping, on_collision: max) checks the budget too; a
    // budget of 3 shows the same check the default runs at DEFAULTS.maxSeries.
    const t = new Transformer(transformationConfig({ preserveLabels: ['node'], maxSeries: 3 }));
    for (let i = 0; i < 4; i++) t.add({ node: `n${i}`, minor: '1' }, 1);
    assert.equal(t.failure?.reason, 'too_many_series');
  });

  test('the top level sets it for every transformation; a transformation overrides it', () => {
    const c = parseConfig(
      `max_series: 1000\nmetric_transformations:\n${T()}${T(', max_series: 5').replace('name: v', 'name: w')}`,
      'c.yml',
      {},
    );
    assert.deepEqual(
      c.transformations.map((t) => t.maxSeries),
      [1000, 5],
    );
  });
});

/** A Prometheus query API whose answer for the second query on is endless: series after series, for as long as it is read. */
async function endlessApi(): Promise<{ server: Server; url: string; sent: () => number }> {
  let queries = 0;
  let bytes = 0;
  const server = createServer((req, res) => {
    req.resume();
    queries++;
    res.writeHead(200, { 'content-type': 'application/json' });
    const endless = queries > 1;
    res.write('{"status":"success","data":{"resultType":"vector","result":[');
    let i = 0;
    const more = (): void => {
      while (!res.destroyed) {
        const batch: string[] = [];
        for (let k = 0; k < 500; k++, i++)
          batch.push(`${i === 0 ? '' : ','}{"metric":{"__name__":"kube_node_info","node":"node-${i}","minor":"28"},"value":[1,"1"]}`);
        const chunk = batch.join('');
        bytes += chunk.length;
        if (!endless && i >= 1000) {
          res.end(`${chunk}]}}`);
          return;
        }
        if (!res.write(chunk)) {
          res.once('drain', more);
          return;
        }
      }
    };
    res.on('close', () => res.destroy());
    more();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sent: () => bytes };
}

describe('a source answering more series than the budget', () => {
  test('fails with too_many_series at once, stops reading, and the last good data stays', async () => {
    const api = await endlessApi();
    try {
      const c = parseConfig(
        `sources:\n  - {name: default, type: prometheus, url: "${api.url}", timeout: 20}\nmetric_transformations:\n${T(', max_series: 20000')}`,
        'c.yml',
        {},
      );
      const t = c.transformations[0] ?? assert.fail();
      const source = createSource(c.sources.get('default') ?? assert.fail(), { request: () => undefined });
      const store = new SnapshotStore();
      const first = await runTransformation(t, [source], store, new AbortController().signal);
      assert.ok(first.ok, first.ok ? '' : first.error.message);
      const good = store.get('v');
      assert.equal(good?.series.length, 1000);

      const heapBefore = process.memoryUsage().heapUsed;
      const started = performance.now();
      const o = await runTransformation(t, [source], store, new AbortController().signal);
      const seconds = (performance.now() - started) / 1000;
      assert.equal(o.ok, false);
      assert.equal(o.ok ? '' : o.error.reason, 'too_many_series');
      assert.equal(o.ok ? '' : o.error.message, 'more than 20000 output series (max_series: 20000); nothing of this run is served');
      assert.equal(store.get('v'), good, 'the last good data is still served');
      // ~90 bytes a series: the answer was read up to the series too many (plus what was in flight), not on and on.
      assert.ok(api.sent() < 20 * 1024 * 1024, `the server could write ${api.sent()} bytes`);
      assert.ok(seconds < 15, `the run took ${seconds.toFixed(1)} s`);
      assert.ok(process.memoryUsage().heapUsed - heapBefore < 100 * 1024 * 1024, 'the heap did not balloon');
      await source.close();
    } finally {
      api.server.closeAllConnections();
      api.server.close();
    }
  });
});
