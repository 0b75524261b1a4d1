import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Limiter } from './limiter.js';

test('at most `limit` holders; waiters are served in order; aborted waiters leave the queue', async () => {
  const limiter = new Limiter(2);
  const never = new AbortController().signal;
  const a = await limiter.acquire(never);
  const b = await limiter.acquire(never);
  const order: string[] = [];
  const c = limiter.acquire(never).then((release) => (order.push('c'), release));
  const aborted = new AbortController();
  const d = limiter.acquire(aborted.signal).then(
    () => order.push('d'),
    () => order.push('d aborted'),
  );
  const e = limiter.acquire(never).then((release) => (order.push('e'), release));
  aborted.abort();
  await d;
  a();
  a(); // a second release of the same slot is ignored
  const releaseC = await c;
  assert.deepEqual(order, ['d aborted', 'c']);
  b();
  const releaseE = await e;
  assert.deepEqual(order, ['d aborted', 'c', 'e']);
  releaseC();
  releaseE();
  // Raising the limit lets waiters in at once.
  limiter.setLimit(1);
  const x = await limiter.acquire(never);
  let y = false;
  const py = limiter.acquire(never).then(() => (y = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(y, false);
  limiter.setLimit(2);
  await py;
  assert.equal(y, true);
  x();
});
