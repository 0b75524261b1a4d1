/**
 * Fan-in keeps the healthy sources (issue #13 item 6): one transformation over
 * several sources; a failing source keeps its own last good series until its
 * own max_staleness, the others are refreshed. In-memory sources, so each
 * interplay (partial answers, collisions, max_series, dynamic names,
 * histograms, clear_stale_metrics: false, projection refusals) is exact.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TransformationConfig } from '../../src/config/types.js';
import type { Logger } from '../../src/logging/logger.js';
import { SourceError } from '../../src/model/errors.js';
import type { LabelSet, SeriesSink } from '../../src/model/series.js';
import { FanIn, seriesOfSource, type FanInView } from '../../src/scheduler/fan-in.js';
import { runTransformation, type RunOutcome } from '../../src/scheduler/run.js';
import { SelfMetrics } from '../../src/selfmetrics/self-metrics.js';
import { SnapshotStore } from '../../src/snapshot/store.js';
import type { Source, SourceQuery } from '../../src/sources/source.js';
import { transformationConfig } from '../support/transformation.js';

/** A source whose answer the test sets: series (fed one by one), then an optional error thrown after them. */
class FakeSource implements Source {
  readonly type = 'file' as const;
  series: LabelSet[] = [];
  error: SourceError | undefined;
  /** Refuse projected queries (group by / label_keep) with a 422, as VictoriaMetrics does for label_keep duplicates. */
  refuseProjection = false;
  readonly queries: SourceQuery[] = [];
  constructor(readonly name: string) {}
  async collect(q: SourceQuery, sink: SeriesSink): Promise<{ warnings: string[] }> {
    this.queries.push(q);
    if (this.refuseProjection && (q.pushdown || q.keep))
      throw new SourceError('error_envelope', 'duplicate output timeseries', { status: 422 });
    for (const s of this.series) sink({ __name__: 'kube_node_info', ...s }, 1);
    if (this.error) throw this.error;
    return { warnings: [] };
  }
  async close(): Promise<void> {}
}

const keepAll: FanInView = { keeps: () => true };
const keepNone: FanInView = { keeps: () => false };

function fanInConfig(over: Partial<TransformationConfig> = {}): TransformationConfig {
  return transformationConfig({ sources: ['eu', 'us'], source: 'eu', sourceLabel: 'region', preserveLabels: ['node'], ...over });
}

function served(store: SnapshotStore, name = 'kubelet_minor_version'): Map<string, number> {
  return new Map((store.get(name)?.series ?? []).map((s) => [s.labelText, s.value]));
}

function nodes(prefix: string, minors: number[]): LabelSet[] {
  return minors.map((m, i) => ({ node: `${prefix}${i}`, minor: String(m) }));
}

async function setup(t: TransformationConfig) {
  const eu = new FakeSource('eu');
  const us = new FakeSource('us');
  const store = new SnapshotStore();
  const run = (view: FanInView | undefined = keepAll): Promise<RunOutcome> =>
    runTransformation(t, [eu, us], store, new AbortController().signal, { keepStale: true, projection: 'none', fanInView: view });
  eu.series = nodes('e', [27, 28]);
  us.series = nodes('u', [29]);
  const first = await run();
  assert.ok(first.ok, 'first run with both sources');
  return { eu, us, store, run };
}

describe('fan-in: a failing source keeps its own last good series', () => {
  test('one source fails part-way: its partial answer is taken out, its last good series stay, the other is refreshed', async () => {
    const { eu, us, store, run } = await setup(fanInConfig());
    eu.series = nodes('e', [30, 31]);
    us.series = nodes('u', [1, 2, 3]); // read before the failure: must not be served
    us.error = new SourceError('connection', 'connect ECONNREFUSED 127.0.0.1:1');
    const o = await run();
    assert.ok(o.ok, 'a run with one healthy source is served');
    assert.deepEqual(
      served(store),
      new Map([
        ['node="e0",region="eu"', 30],
        ['node="e1",region="eu"', 31],
        ['node="u0",region="us"', 29],
      ]),
    );
    assert.equal(o.result.sourceSeries, 2, "only the healthy source's series count");
    assert.deepEqual(o.sources?.get('eu'), null);
    assert.equal(o.sources?.get('us')?.error.reason, 'connection');
    assert.equal(o.sources?.get('us')?.kept, true);
  });

  test("past its max_staleness the failing source's series go, the other source's stay", async () => {
    const { us, store, run } = await setup(fanInConfig());
    us.error = new SourceError('connection', 'down');
    const o = await run(keepNone);
    assert.ok(o.ok);
    assert.deepEqual(
      served(store),
      new Map([
        ['node="e0",region="eu"', 27],
        ['node="e1",region="eu"', 28],
      ]),
    );
    assert.equal(o.sources?.get('us')?.kept, false);
  });

  test('every source failing is a failed run: the store is left as it was', async () => {
    const { eu, us, store, run } = await setup(fanInConfig());
    const before = store.get('kubelet_minor_version');
    eu.error = new SourceError('timeout', 'eu slow');
    us.error = new SourceError('connection', 'us down');
    const o = await run();
    assert.equal(o.ok, false);
    assert.ok(!o.ok && o.error.reason === 'timeout' && /eu: eu slow; us: us down/.test(o.error.message));
    assert.equal(store.get('kubelet_minor_version'), before);
  });

  test('a failure of the run itself (on_collision: error) is not a source failure: the run fails as a whole', async () => {
    const { eu, store, run } = await setup(fanInConfig({ onCollision: 'error' }));
    const before = store.get('kubelet_minor_version');
    eu.series = [
      { node: 'x', minor: '1' },
      { node: 'x', minor: '2' },
    ];
    const o = await run();
    assert.ok(!o.ok && o.error.reason === 'collision');
    assert.equal(o.sources, undefined);
    assert.equal(store.get('kubelet_minor_version'), before);
  });

  test('max_series counts the kept series too', async () => {
    const { eu, us, run } = await setup(fanInConfig({ maxSeries: 3 }));
    eu.series = nodes('e', [1, 2]);
    us.error = new SourceError('connection', 'down');
    assert.ok((await run()).ok, '2 new + 1 kept = 3');
    eu.series = nodes('e', [1, 2, 3]);
    const o = await run();
    assert.ok(!o.ok && o.error.reason === 'too_many_series', '3 new + 1 kept > 3');
  });

  test('histograms and dynamic names: kept series keep their distribution and their name', async () => {
    const t = fanInConfig({
      metricType: 'histogram',
      buckets: [28, 30],
      preserveLabels: [],
      nameTemplate: ['kubelet_', { label: 'cluster' }],
      maxNames: 2,
    });
    const { eu, us, store, run } = await setup(t);
    eu.series = [
      { cluster: 'a', minor: '27' },
      { cluster: 'a', minor: '29' },
    ];
    us.series = [
      { cluster: 'b', minor: '28' },
      { cluster: 'b', minor: '30' },
    ];
    assert.ok((await run()).ok);
    const usBefore = store.get('kubelet_minor_version')?.index.get('kubelet_b region="us"');
    assert.deepEqual(usBefore?.histogram, { buckets: [1, 2], sum: 58 });
    eu.series = [{ cluster: 'a', minor: '27' }];
    us.error = new SourceError('http_status', 'HTTP 503', { status: 503 });
    const o = await run();
    assert.ok(o.ok);
    assert.deepEqual(store.get('kubelet_minor_version')?.index.get('kubelet_b region="us"'), usBefore);
    assert.deepEqual(store.get('kubelet_minor_version')?.index.get('kubelet_a region="eu"')?.histogram, { buckets: [1, 1], sum: 27 });
    // A third name is one too many for max_names: 2, kept names included.
    eu.series = [
      { cluster: 'a', minor: '27' },
      { cluster: 'c', minor: '27' },
    ];
    const over = await run();
    assert.ok(!over.ok && over.error.reason === 'too_many_names');
  });

  test('clear_stale_metrics: false keeps unseen series, but not those of a source past its max_staleness', async () => {
    const { eu, us, store, run } = await setup(fanInConfig({ clearStaleMetrics: false }));
    eu.series = nodes('e', [30]); // e1 unseen: kept
    us.error = new SourceError('connection', 'down');
    assert.ok((await run(keepAll)).ok);
    assert.deepEqual(
      served(store),
      new Map([
        ['node="e0",region="eu"', 30],
        ['node="e1",region="eu"', 28],
        ['node="u0",region="us"', 29],
      ]),
    );
    assert.ok((await run(keepNone)).ok);
    assert.deepEqual(
      served(store),
      new Map([
        ['node="e0",region="eu"', 30],
        ['node="e1",region="eu"', 28],
      ]),
    );
  });

  test('a source refusing the projected query is asked the plain way at once, the other keeps its projection', async () => {
    const { eu, us, store } = await setup(fanInConfig());
    us.refuseProjection = true;
    us.series = nodes('u', [5]);
    const t = fanInConfig();
    const o = await runTransformation(t, [eu, us], store, new AbortController().signal, {
      keepStale: true,
      projection: 'group',
      fanInView: keepAll,
    });
    assert.ok(o.ok);
    assert.deepEqual(o.sources?.get('us'), null);
    assert.deepEqual(
      us.queries.slice(-2).map((q) => q.pushdown),
      [true, false],
    );
    assert.equal(eu.queries.at(-1)?.pushdown, true);
    assert.equal(served(store).get('node="u0",region="us"'), 5);
  });
});

describe('seriesOfSource', () => {
  test('matches the source label exactly, whatever the other label values hold', () => {
    const of = seriesOfSource('region', 'us', false);
    assert.equal(of('node="a",region="us"'), true);
    assert.equal(of('region="us"'), true);
    assert.equal(of('region="us",zone="1"'), true);
    assert.equal(of('region="usa"'), false);
    assert.equal(of('subregion="us"'), false);
    assert.equal(of('node="region=\\"us\\""'), false, 'a quoted look-alike inside a value');
    assert.equal(of('node="x,region=\\"us\\",y"'), false);
    assert.equal(of('a="region=",region="eu"'), false);
    assert.equal(seriesOfSource('region', 'us', true)('us_name region="us"'), true);
    assert.equal(seriesOfSource('region', 'us', true)('region="us" region="eu"'), false, 'the name part is not label text');
    assert.equal(seriesOfSource('source', 'a"b\\', false)('source="a\\"b\\\\"'), true);
  });
});

describe('FanIn state', () => {
  function logs() {
    const lines: Array<{ level: string; fields: Record<string, unknown>; msg: string }> = [];
    const at = (level: string) => (fields: Record<string, unknown>, msg: string) => void lines.push({ level, fields, msg });
    const logger = { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } as unknown as Logger;
    return { lines, logger };
  }

  test('keeps a source until its own max_staleness, logs once per change naming the source, and sets source_up', async () => {
    const { lines, logger } = logs();
    const metrics = new SelfMetrics();
    let now = 1_000_000;
    const t = fanInConfig({ maxStalenessSeconds: 60 });
    const f = new FanIn(t, ['eu', 'us'], { metrics, logger }, () => now);
    assert.equal(f.keeps('us'), false, 'nothing answered yet');
    f.record(
      new Map([
        ['eu', null],
        ['us', null],
      ]),
      now,
    );
    assert.equal(f.keeps('us'), true);
    const down = { error: new SourceError('connection', 'refused'), kept: true };
    for (let i = 0; i < 3; i++) {
      now += 20_000;
      f.record(
        new Map([
          ['eu', null],
          ['us', { ...down, kept: f.keeps('us') }],
        ]),
        now,
      );
    }
    assert.equal(f.keeps('us'), true, 'exactly max_staleness (60 s) after its last answer');
    now += 20_000;
    assert.equal(f.keeps('us'), false, '80 s after its last answer');
    assert.equal(f.keeps('eu'), true);
    f.record(
      new Map([
        ['eu', null],
        ['us', { ...down, kept: f.keeps('us') }],
      ]),
      now,
    );
    now += 20_000;
    f.record(
      new Map([
        ['eu', null],
        ['us', { ...down, kept: f.keeps('us') }],
      ]),
      now,
    );
    const text = await metrics.render('text');
    assert.match(text, /label_value_exporter_transformation_source_up\{transformation="kubelet_minor_version",source="us"\} 0/);
    assert.match(text, /label_value_exporter_transformation_source_up\{transformation="kubelet_minor_version",source="eu"\} 1/);
    assert.match(
      text,
      /label_value_exporter_transformation_source_last_success_timestamp_seconds\{transformation="kubelet_minor_version",source="us"\} 1000\n/,
    );
    assert.deepEqual(
      lines.map((l) => [l.level, l.fields.source, l.msg.slice(0, 30)]),
      [
        ['error', 'us', 'source failed; its last good s'],
        ['warn', 'us', "source's last good data is old"],
      ],
    );
    f.record(
      new Map([
        ['eu', null],
        ['us', null],
      ]),
      now,
    );
    assert.equal(lines.at(-1)?.msg, 'source answered again: its series are refreshed');
    assert.equal(lines.length, 3);
    // A reload that drops a source removes its series.
    FanIn.forJob(t, [{ name: 'eu' }], { metrics, logger });
    assert.doesNotMatch(await metrics.render('text'), /source="us"/);
  });
});
