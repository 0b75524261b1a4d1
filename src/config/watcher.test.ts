import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileReloader, type Reading, type ReloadTarget } from './watcher.js';

/** A target whose file is `content` ('!' prefix: invalid; undefined: unreadable). */
class FakeTarget implements ReloadTarget<string> {
  readonly file = '/nonexistent/fake.yml';
  running = 'a';
  content: string | undefined = 'a';
  readonly events: string[] = [];
  applyDelayMs = 0;

  runningKey(): string {
    return this.running;
  }

  async read(force: boolean): Promise<Reading<string>> {
    const text = this.content;
    if (text === undefined) return force ? { error: 'unreadable' } : { skip: { ok: true, message: 'not readable right now' } };
    if (text.startsWith('#')) return { error: `broken ${text}`, key: `error:${text}` };
    return {
      key: text,
      parse: () => {
        if (text.startsWith('!')) throw new Error(`fake.yml:1: bad ${text}`);
        return text;
      },
    };
  }

  unchanged() {
    this.events.push('unchanged');
    return { ok: true, message: 'configuration unchanged' };
  }

  async apply(next: string, trigger: string): Promise<string> {
    this.events.push(`apply ${next} ${trigger} start`);
    await new Promise((r) => setTimeout(r, this.applyDelayMs));
    this.running = next;
    this.events.push(`apply ${next} end`);
    return `reloaded ${next}`;
  }

  failed(trigger: string, message: string): void {
    this.events.push(`failed ${trigger} ${message}`);
  }
}

test('unchanged content is not applied; a watch event does not retry what it last tried, an explicit request does', async () => {
  const t = new FakeTarget();
  const r = new FileReloader(t);
  assert.deepEqual(await r.reload('file', false), { ok: true, message: 'unchanged' });
  assert.deepEqual(await r.reload('SIGHUP', true), { ok: true, message: 'configuration unchanged' });
  t.content = 'b';
  assert.deepEqual(await r.reload('file', false), { ok: true, message: 'reloaded b' });
  assert.deepEqual(await r.reload('file', false), { ok: true, message: 'unchanged' });
  assert.deepEqual(t.events, ['unchanged', 'apply b file start', 'apply b end']);
});

test('a bad file keeps the running state and is reported once per distinct content on watch events', async () => {
  const t = new FakeTarget();
  const r = new FileReloader(t);
  t.content = '!x';
  assert.deepEqual(await r.reload('file', false), { ok: false, message: 'fake.yml:1: bad !x' });
  assert.deepEqual(await r.reload('file', false), { ok: true, message: 'unchanged' }, 'the same content again: not reported again');
  assert.deepEqual(await r.reload('http', true), { ok: false, message: 'fake.yml:1: bad !x' }, 'an explicit request reports it again');
  t.content = '#y';
  assert.equal((await r.reload('file', false)).ok, false);
  assert.equal((await r.reload('file', false)).ok, false);
  assert.equal(t.running, 'a');
  assert.deepEqual(t.events, ['failed file fake.yml:1: bad !x', 'failed http fake.yml:1: bad !x', 'failed file broken #y']);
});

test('an unreadable file is skipped on watch events and a failure on explicit requests, each time', async () => {
  const t = new FakeTarget();
  const r = new FileReloader(t);
  t.content = undefined;
  assert.deepEqual(await r.reload('file', false), { ok: true, message: 'not readable right now' });
  assert.deepEqual(await r.reload('SIGHUP', true), { ok: false, message: 'unreadable' });
  assert.deepEqual(await r.reload('SIGHUP', true), { ok: false, message: 'unreadable' });
  t.content = 'a';
  assert.deepEqual(
    await r.reload('file', false),
    { ok: true, message: 'unchanged' },
    'a failure without a key does not reset what was last tried',
  );
  assert.deepEqual(t.events, ['failed SIGHUP unreadable', 'failed SIGHUP unreadable']);
});

test('reloads run one at a time, in order', async () => {
  const t = new FakeTarget();
  t.applyDelayMs = 30;
  const r = new FileReloader(t);
  t.content = 'b';
  const first = r.reload('SIGHUP', true);
  t.content = 'c';
  const second = r.reload('http', true);
  assert.deepEqual(await Promise.all([first, second]), [
    { ok: true, message: 'reloaded c' },
    { ok: true, message: 'configuration unchanged' },
  ]);
  assert.deepEqual(t.events, ['apply c SIGHUP start', 'apply c end', 'unchanged']);
});
