import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PUSHDOWN_RECHECK_RUNS, PushdownAdvisor, type Projection } from '../../src/scheduler/pushdown-advisor.js';

/** The choices of `runs` runs when the source answers `raw` series without grouping and `grouped` with it. */
function choices(advisor: PushdownAdvisor, runs: number, raw: number, grouped: number, keepFails = false): Projection[] {
  const out: Projection[] = [];
  for (let i = 0; i < runs; i++) {
    const p = advisor.use();
    out.push(p);
    if (p === 'keep' && keepFails) advisor.failed(p);
    else advisor.record(p, p === 'group' ? grouped : raw);
  }
  return out;
}

const count = (xs: Projection[], p: Projection) => xs.filter((x) => x === p).length;

test('auto: measures raw, then grouped, then keeps grouping while grouping merges', () => {
  const d = choices(new PushdownAdvisor({ pushdown: true }), 40, 100_000, 160);
  assert.deepEqual(d.slice(0, 4), ['none', 'group', 'group', 'group']);
  // One run in PUSHDOWN_RECHECK_RUNS re-measures without grouping.
  assert.equal(count(d, 'none'), 1 + 2);
  assert.equal(d[PUSHDOWN_RECHECK_RUNS - 1], 'none');
});

test('auto: stops grouping when it merges nothing, and re-checks now and then', () => {
  const d = choices(new PushdownAdvisor({ pushdown: true }), 40, 100_000, 100_000);
  assert.deepEqual(d.slice(0, 4), ['none', 'group', 'none', 'none']);
  assert.equal(count(d, 'group'), 1 + 2);
  assert.equal(d[PUSHDOWN_RECHECK_RUNS - 1], 'group');
});

test('auto on VictoriaMetrics: label_keep when grouping merges nothing; the plain selector once label_keep fails', () => {
  const d = choices(new PushdownAdvisor({ pushdown: true }, true), 40, 100_000, 100_000);
  assert.deepEqual(d.slice(0, 4), ['none', 'group', 'keep', 'keep']);
  assert.equal(count(d, 'keep'), 40 - 2 - 2);
  const failing = choices(new PushdownAdvisor({ pushdown: true }, true), 10, 100_000, 100_000, true);
  assert.deepEqual(failing.slice(0, 5), ['none', 'group', 'keep', 'none', 'none']);
  // Merging data never uses label_keep: grouping is cheaper.
  assert.equal(count(choices(new PushdownAdvisor({ pushdown: true }, true), 40, 100_000, 160), 'keep'), 0);
});

test('auto: follows the data when it changes shape', () => {
  const a = new PushdownAdvisor({ pushdown: true });
  choices(a, 5, 1000, 1000);
  const later = choices(a, 2 * PUSHDOWN_RECHECK_RUNS, 1000, 10);
  assert.ok(count(later.slice(-PUSHDOWN_RECHECK_RUNS + 1), 'group') >= PUSHDOWN_RECHECK_RUNS - 2, 'groups once the data merges');
});

test('never where not allowed; always grouping with pushdown: true', () => {
  assert.ok(choices(new PushdownAdvisor({ pushdown: false }, true), 30, 1000, 10).every((x) => x === 'none'));
  assert.ok(choices(new PushdownAdvisor({ pushdown: true, pushdownAlways: true }, true), 30, 1000, 1000).every((x) => x === 'group'));
});
