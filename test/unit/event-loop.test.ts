/**
 * Big runs never freeze the event loop (issue #12 item 6): after the source
 * answered, sorting, comparing and rendering hundreds of thousands of series
 * is cooperative work, so timers (and /-/healthy) keep running; an abort
 * between slices leaves the last good data untouched.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseConfig } from '../../src/registry/load.js';
import type { SeriesSink } from '../../src/model/series.js';
import { runTransformation } from '../../src/scheduler/run.js';
import { SnapshotStore } from '../../src/snapshot/store.js';
import { createSource } from '../../src/sources/registry.js';
import type { Source } from '../../src/sources/source.js';
import { measureStalls } from '../support/stall.js';
import { makeTempDir } from '../support/temp.js';

/**
 * Longest acceptable stall, in main-thread CPU time between two turns of the
 * event loop (see support/stall.ts); generous: the time slice is 8 ms.
 */
const MAX_STALL_MS = 250;

const TRANSFORMATION = `metric_transformations:
  - name: kubelet_minor_version
    source_metric: kube_node_info
    value_from_label: minor
    preserve_labels: [cluster, node, instance]
`;

function line(i: number, salt: number): string {
  return `kube_node_info{cluster="cluster-${i % 20}",node="node-${String(i).padStart(7, '0')}",instance="10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:10250",minor="${(i + salt) % 30}"} 1\n`;
}

async function exposition(file: string, n: number): Promise<void> {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(line(i, 0));
  await writeFile(file, parts.join(''));
}

/** An in-memory source: n series in batches, yielding between batches as a network source does per chunk. */
function memorySource(n: number, salt: number, afterLast: () => void = () => undefined): Source {
  return {
    name: 'default',
    type: 'file',
    async collect(_q, sink: SeriesSink) {
      const labels: Record<string, string> = { __name__: 'kube_node_info' };
      for (let i = 0; i < n; i++) {
        labels.cluster = `cluster-${i % 20}`;
        labels.node = `node-${i}`;
        labels.minor = String((i + salt) % 30);
        sink(labels, 1);
        if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
      }
      afterLast();
      return { warnings: [] };
    },
    async close() {},
  };
}

describe('a big run and the event loop', () => {
  test('200k series from a file: the event loop never stalls for more than 250 ms', async (ctx) => {
    const dir = await makeTempDir('eventloop');
    const file = path.join(dir, 'big.prom');
    const n = 200_000;
    await exposition(file, n);
    const c = parseConfig(
      `sources:\n  - {name: default, type: file, path: ${JSON.stringify(file)}}\n${TRANSFORMATION}`,
      path.join(dir, 'c.yml'),
      {},
    );
    const t = c.transformations[0] ?? assert.fail();
    const source = createSource(c.sources.get('default') ?? assert.fail(), { request: () => undefined });
    const store = new SnapshotStore();
    let ok = false;
    const stall = await measureStalls(async () => {
      const o = await runTransformation(t, [source], store, new AbortController().signal);
      assert.ok(o.ok, o.ok ? '' : o.error.message);
      ok = o.result.series.length === n;
    });
    assert.ok(ok, 'every series is served');
    assert.equal(store.get(t.name)?.series.length, n);
    ctx.diagnostic(`longest stall: ${stall.cpuMs} ms of CPU time, ${stall.wallMs} ms of wall time`);
    assert.ok(stall.cpuMs < MAX_STALL_MS, `the event loop stalled for ${stall.cpuMs} ms of CPU time (${stall.wallMs} ms of wall time)`);
  });

  test('a stop during finish/render: the run fails as stopped and the last good data stays', async () => {
    const c = parseConfig(
      `metric_transformations:\n  - {name: v, source_metric: kube_node_info, value_from_label: minor, preserve_labels: [cluster, node]}\n`,
      'c.yml',
      {},
    );
    const t = c.transformations[0] ?? assert.fail();
    const store = new SnapshotStore();
    const first = await runTransformation(t, [memorySource(1000, 0)], store, new AbortController().signal);
    assert.ok(first.ok);
    const good = store.get(t.name);
    const stop = new AbortController();
    // The stop arrives once the source has answered, while the run sorts and renders 200k series.
    const o = await runTransformation(t, [memorySource(200_000, 1, () => setTimeout(() => stop.abort(), 0))], store, stop.signal);
    assert.equal(o.ok, false);
    assert.equal(o.ok ? '' : o.error.reason, 'timeout');
    assert.match(o.ok ? '' : o.error.message, /stopped \(reload or shutdown\) before the run finished; nothing of it is served/);
    assert.equal(store.get(t.name), good, 'the last good snapshot is still served, untouched');
  });
});
