import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { abandonOnAbort, Deadline, DeadlineExceeded, withDeadline } from './deadline.js';

const here = fileURLToPath(new URL('./deadline.js', import.meta.url));

test('a deadline nobody references fires under forced garbage collection', () => {
  // A child with --expose-gc: the deadline object is dropped at once, only its signal's
  // listener waits, and the heap is collected over and over until the deadline is due.
  const script = `
    const { Deadline } = await import(${JSON.stringify(here)});
    const fired = new Promise((resolve) => new Deadline('probe deadline', 0.3).signal.addEventListener('abort', (e) => resolve(e.target.reason.message)));
    const started = Date.now();
    const gcLoop = setInterval(() => { for (let i = 0; i < 3; i++) { globalThis.gc(); } new Array(1e5).fill({}); }, 5);
    const keepAlive = setTimeout(() => { console.log('NEVER FIRED'); process.exit(1); }, 5000);
    const msg = await fired;
    clearInterval(gcLoop); clearTimeout(keepAlive);
    console.log(msg, Date.now() - started);
  `;
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const [what, ms] = [r.stdout.trim().replace(/ \d+$/, ''), Number(r.stdout.trim().split(' ').pop())];
  assert.equal(what, 'probe deadline of 300ms exceeded');
  assert.ok(ms >= 250 && ms < 3000, `fired after ${ms} ms`);
});

test('the reason names the deadline that fired; a parent abort passes its own reason', async () => {
  const d = new Deadline('run deadline (timeout)', 0.02);
  await new Promise((r) => d.signal.addEventListener('abort', r));
  assert.ok(d.signal.reason instanceof DeadlineExceeded);
  assert.equal(d.signal.reason.message, 'run deadline (timeout) of 20ms exceeded');
  assert.equal(d.expired, true);

  const parent = new AbortController();
  const child = new Deadline('request timeout', 60, parent.signal);
  parent.abort(new Error('stopping'));
  assert.equal((child.signal.reason as Error).message, 'stopping');
  assert.equal(child.expired, false);
  child.dispose();
});

test('withDeadline abandons work that ignores its signal', async () => {
  const started = Date.now();
  await assert.rejects(
    withDeadline('body deadline', 0.05, undefined, () => new Promise(() => undefined)),
    (e: unknown) => e instanceof DeadlineExceeded && e.what === 'body deadline',
  );
  assert.ok(Date.now() - started < 2000);
  assert.equal(await withDeadline('x', 5, undefined, async () => 7), 7);
});

test('abandonOnAbort passes results and errors through while the signal is quiet', async () => {
  const c = new AbortController();
  assert.equal(await abandonOnAbort(Promise.resolve(1), c.signal), 1);
  await assert.rejects(abandonOnAbort(Promise.reject(new Error('boom')), c.signal), /boom/);
  c.abort(new Error('gone'));
  await assert.rejects(abandonOnAbort(new Promise(() => undefined), c.signal), /gone/);
});
