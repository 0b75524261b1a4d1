import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PUSHDOWN_RECHECK_RUNS, PushdownAdvisor } from '../../src/scheduler/pushdown-advisor.js';

/** The decisions of `runs` runs when the source answers `raw` series without pushdown and `grouped` with it. */
function decisions(advisor: PushdownAdvisor, runs: number, raw: number, grouped: number): boolean[] {
  const out: boolean[] = [];
  for (let i = 0; i < runs; i++) {
    const pushed = advisor.use();
    out.push(pushed);
    advisor.record(pushed, pushed ? grouped : raw);
  }
  return out;
}

test('auto: measures raw, then grouped, then keeps pushing down while grouping merges', () => {
  const d = decisions(new PushdownAdvisor({ pushdown: true }), 40, 100_000, 160);
  assert.deepEqual(d.slice(0, 4), [false, true, true, true]);
  // One run in PUSHDOWN_RECHECK_RUNS re-measures without pushdown.
  assert.equal(d.filter((x) => !x).length, 1 + 2);
  assert.equal(d[PUSHDOWN_RECHECK_RUNS - 1], false);
});

test('auto: stops pushing down when grouping merges nothing, and re-checks now and then', () => {
  const d = decisions(new PushdownAdvisor({ pushdown: true }), 40, 100_000, 100_000);
  assert.deepEqual(d.slice(0, 4), [false, true, false, false]);
  assert.equal(d.filter((x) => x).length, 1 + 2);
  assert.equal(d[PUSHDOWN_RECHECK_RUNS - 1], true);
});

test('auto: follows the data when it changes shape', () => {
  const a = new PushdownAdvisor({ pushdown: true });
  decisions(a, 5, 1000, 1000);
  const later = decisions(a, 2 * PUSHDOWN_RECHECK_RUNS, 1000, 10);
  assert.ok(later.slice(-PUSHDOWN_RECHECK_RUNS + 1).filter((x) => x).length >= PUSHDOWN_RECHECK_RUNS - 2, 'pushes down once the data merges');
});

test('never where not allowed; always with pushdown: true', () => {
  assert.ok(decisions(new PushdownAdvisor({ pushdown: false }), 30, 1000, 10).every((x) => !x));
  assert.ok(decisions(new PushdownAdvisor({ pushdown: true, pushdownAlways: true }), 30, 1000, 1000).every((x) => x));
});
