import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SelfMetrics } from './self-metrics.js';

/** Series lines of both formats that carry `label="value"`. */
async function carrying(m: SelfMetrics, label: string, value: string): Promise<string[]> {
  const lines = [...(await m.render('text')).split('\n'), ...(await m.render('openmetrics')).split('\n')];
  return lines.filter((l) => !l.startsWith('#') && l.includes(`${label}="${value}"`));
}

describe('SelfMetrics removal', () => {
  it('drops every series of a removed transformation, whatever wrote it, but its owned', async () => {
    const m = new SelfMetrics();
    m.setOwned([
      ['t', false],
      ['u', true],
    ]);
    for (const t of ['t', 'u']) {
      m.addTransformation(t, 30, 300);
      m.onScrapeMode(t, 5);
      m.scrapeRefresh(t, 'ran');
      m.runSucceeded(t, {
        durationSeconds: 1,
        finishedAtMs: 1000,
        sourceSeries: 2,
        outputSeries: 1,
        skipped: new Map([['a_parser_reason', 1]]),
        defaulted: 1,
        collisions: 1,
        projection: 'keep',
        degraded: false,
      });
      m.runFailed(t, 'too_many_names', 1);
      m.missedRuns(t, 1);
      m.retried(t);
      m.setStale(t, true);
      m.fanInSources(t, ['s1', 's2']);
      m.sourceState(t, 's1', true, 1000);
      m.sourceState(t, 's2', false, 500);
    }
    assert.ok((await carrying(m, 'transformation', 't')).length > 40);

    m.removeTransformation('t');

    assert.deepEqual(await carrying(m, 'transformation', 't'), [
      'label_value_exporter_transformation_owned{transformation="t"} 0',
      'label_value_exporter_transformation_owned{transformation="t"} 0',
    ]);
    const u = await carrying(m, 'transformation', 'u');
    assert.ok(u.some((l) => l.includes('reason="a_parser_reason"')) && u.some((l) => l.includes('source="s2"')));
  });

  it('drops the series of sources a fan-in transformation no longer reads', async () => {
    const m = new SelfMetrics();
    m.fanInSources('t', ['s1', 's2']);
    m.sourceState('t', 's1', true, 1000);
    m.sourceState('t', 's2', false, 2000);
    m.fanInSources('t', ['s1']);
    assert.deepEqual(await carrying(m, 'source', 's2'), []);
    assert.equal((await carrying(m, 'source', 's1')).length, 4);
  });

  it('drops every series of a removed remote-write endpoint', async () => {
    const m = new SelfMetrics();
    for (const r of ['r1', 'r2']) {
      m.remoteWrite.added(r, 100, 2);
      m.remoteWrite.sent(r, 10, 1000, 900);
      m.remoteWrite.failed(r, 'timeout', 1);
      m.remoteWrite.dropped(r, 'queue_full', 1);
      m.remoteWrite.requestDuration(r, 0.1);
    }
    m.remoteWrite.removed('r1');
    assert.deepEqual(await carrying(m, 'remote', 'r1'), []);
    assert.ok((await carrying(m, 'remote', 'r2')).length > 30);
  });
});
