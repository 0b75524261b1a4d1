import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import bcrypt from 'bcryptjs';
import { DeadlineExceeded } from '../model/deadline.js';
import { BasicAuth } from './basic-auth.js';
import { BcryptBusy, BcryptPool } from './bcrypt-pool.js';

/** Well-formed hashes of no known password: a comparison costs 2^cost rounds. */
const hashOfCost = (cost: number) => `$2b$${String(cost).padStart(2, '0')}$${'N'.repeat(53)}`;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('BcryptPool', () => {
  test('a comparison past its deadline fails with DeadlineExceeded, and the worker is replaced', async () => {
    // The deadline counts from the call, a new worker's start-up included: 2 s leave a busy
    // machine room to start the replacement and hash at cost 4 within it.
    const pool = new BcryptPool({ size: 1, timeoutSeconds: 2 });
    try {
      const t0 = performance.now();
      // Cost 24 runs for minutes in JavaScript: only terminating the thread ends it.
      await assert.rejects(pool.verify('x', hashOfCost(24)), DeadlineExceeded);
      assert.ok(performance.now() - t0 < 5_000);
      const hash = await bcrypt.hash('pw', 4);
      assert.equal((await pool.verify('pw', hash)).ok, true, 'a new worker answers');
    } finally {
      await pool.close();
    }
  });

  test('beyond maxQueue waiting comparisons: BcryptBusy at once', async () => {
    const pool = new BcryptPool({ size: 1, maxQueue: 1, timeoutSeconds: 5 });
    try {
      const running = pool.verify('x', hashOfCost(12));
      const queued = pool.verify('x', hashOfCost(12));
      await assert.rejects(pool.verify('x', hashOfCost(12)), BcryptBusy);
      assert.equal((await running).ok, false);
      assert.equal((await queued).ok, false);
    } finally {
      await pool.close();
    }
  });
});

describe('BasicAuth', () => {
  test('right password ok (then from the cache), wrong password or unknown user denied; a new instance starts with an empty cache', async () => {
    const pool = new BcryptPool({ size: 1 });
    try {
      const users = new Map([['alice', await bcrypt.hash('pw', 4)]]);
      const auth = new BasicAuth(users, pool);
      assert.equal(await auth.check(basic('alice', 'pw')), 'ok');
      assert.equal(await auth.check(basic('alice', 'pw')), 'ok');
      assert.equal(await auth.check(basic('alice', 'nope')), 'denied');
      assert.equal(await auth.check(basic('bob', 'pw')), 'denied');
      assert.equal(await auth.check(undefined), 'denied');
      assert.equal(await auth.check('Bearer x'), 'denied');
      const changed = new BasicAuth(new Map([['alice', await bcrypt.hash('other', 4)]]), pool);
      assert.equal(await changed.check(basic('alice', 'pw')), 'denied', 'the old password is not let in from a cache');
    } finally {
      await pool.close();
    }
  });
});
