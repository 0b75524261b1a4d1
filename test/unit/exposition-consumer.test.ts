/**
 * The streaming exposition reader: the corpus verdicts without Prometheus
 * (the oracle e2e test checks them against one), the byte limit on line
 * length, invalid UTF-8 reported with its line, several points of one series.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SourceError } from '../../src/model/errors.js';
import type { LabelSet } from '../../src/model/series.js';
import { ExpositionConsumer, MAX_LINE_BYTES } from '../../src/sources/exposition-consumer.js';
import { CONTENT_TYPES, loadCorpus } from '../support/exposition-corpus.js';
import { KNOWN_DIFFERENCES } from '../support/exposition-differences.js';

interface Got {
  labels: Record<string, string>;
  value: number;
}

/** Feeds `body` in chunks of `size` bytes; returns what the sink got, or throws the read's error. */
function read(body: Buffer | string, opts: { metric?: string; filter?: string; contentType?: string; size?: number } = {}): Got[] {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  const got: Got[] = [];
  const head = { status: 200, contentType: opts.contentType ?? CONTENT_TYPES.text };
  const c = new ExpositionConsumer(
    opts.metric ?? 'm',
    opts.filter ?? '',
    (l: LabelSet, value) => got.push({ labels: { ...l }, value }),
    'body',
  );
  c.start(head);
  const size = opts.size ?? 7;
  for (let at = 0; at < buf.length; at += size) c.write(buf.subarray(at, at + size));
  c.finish(head);
  return got;
}

function parseError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SourceError, String(e));
    assert.equal(e.reason, 'parse');
    return e.message;
  }
  return assert.fail('expected a parse error');
}

describe('the corpus, read as Prometheus 2.42 reads it (verdict in the file name)', () => {
  for (const c of loadCorpus()) {
    const known = KNOWN_DIFFERENCES.get(c.name);
    test(`${c.name}${known ? ' (a known difference)' : ''}`, () => {
      // Every line is parsed whatever the metric, so one metric decides the verdict.
      let accepted = true;
      try {
        read(c.body, { contentType: c.contentType, size: 5 });
      } catch (e) {
        if (!(e instanceof SourceError)) throw e;
        accepted = false;
      }
      assert.equal(accepted, known ? !c.accepted : c.accepted);
    });
  }
});

describe('line length counts bytes, on every line', () => {
  test('a line of 2-byte characters over the limit in bytes (under it in UTF-16 units) fails, with its line number', () => {
    const long = `m{a="${'é'.repeat(MAX_LINE_BYTES / 2)}"} 1\n`;
    assert.ok(long.length < MAX_LINE_BYTES && Buffer.byteLength(long) > MAX_LINE_BYTES);
    const msg = parseError(() => read(`m 1\n${long}m 2\n`, { size: 64 * 1024 }));
    assert.match(msg, /^body:2: line longer than 1048576 bytes/);
  });

  test('a long line inside one chunk fails too, not only a line cut at the chunk end', () => {
    const body = `m 1\nm{a="${'x'.repeat(MAX_LINE_BYTES)}"} 1\nm 2\n`;
    assert.match(
      parseError(() => read(body, { size: body.length })),
      /^body:2: line longer/,
    );
  });

  test('a line of exactly the limit passes', () => {
    const line = `m{a="${'x'.repeat(MAX_LINE_BYTES - 9)}"} 1`;
    assert.equal(Buffer.byteLength(line), MAX_LINE_BYTES);
    assert.equal(read(`${line}\n`, { size: 100_000 }).length, 1);
  });
});

describe('invalid UTF-8', () => {
  const body = Buffer.concat([Buffer.from('m 1\n# fine\nm{a="'), Buffer.from([0xc3, 0x28]), Buffer.from('"} 2\n')]);
  for (const size of [1, 3, 1000]) {
    test(`is reported with its line (chunks of ${size})`, () => {
      assert.equal(
        parseError(() => read(body, { size })),
        'body:3: invalid UTF-8',
      );
    });
  }
  test('in a free comment of the text format it is ignored, as Prometheus does', () => {
    const ok = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from('\nm 1\n')]);
    assert.deepEqual(read(ok, { size: 2 }), [{ labels: {}, value: 1 }]);
  });
  test('a character split across chunks is not an error', () => {
    assert.deepEqual(read('m{a="節點"} 1\n', { size: 1 }), [{ labels: { a: '節點' }, value: 1 }]);
  });
});

describe('several points of one series', () => {
  test('OpenMetrics timestamps: the newest wins, whatever the order', () => {
    const body = 'm{a="1"} 1 100.0\nm{a="1"} 3 300.0\nm{a="1"} 2 200.0\nm{a="2"} 5\n# EOF\n';
    assert.deepEqual(read(body, { contentType: CONTENT_TYPES.openmetrics }), [
      { labels: { a: '1' }, value: 3 },
      { labels: { a: '2' }, value: 5 },
    ]);
  });
  test('text: a point without timestamp is the newest; equal ones keep the first (as Prometheus drops the duplicate)', () => {
    assert.deepEqual(read('m 1 5\nm 2\nm 3 9\n'), [{ labels: {}, value: 2 }]);
    assert.deepEqual(read('m 1\nm 2\n'), [{ labels: {}, value: 1 }]);
    assert.deepEqual(read('m{a=""} 1 5\nm 2 6\n'), [{ labels: {}, value: 2 }], 'an empty label is no label: one series');
  });
});

describe('format by Content-Type', () => {
  test('# EOF is a comment in the text format: lines after it are read', () => {
    assert.deepEqual(
      read('m 1\n# EOF\nm{a="b"} 2\n').map((g) => g.value),
      [1, 2],
    );
  });
  test('OpenMetrics: nothing after # EOF, and # EOF is required', () => {
    assert.match(
      parseError(() => read('m 1\n# EOF\nm 2\n', { contentType: CONTENT_TYPES.openmetrics })),
      /^body:3: content after "# EOF"/,
    );
    assert.match(
      parseError(() => read('m 1\n', { contentType: CONTENT_TYPES.openmetrics })),
      /without "# EOF"/,
    );
    assert.deepEqual(read('m 1\n# EOF', { contentType: 'Application/OpenMetrics-Text;version=1.0.0' }).length, 1);
  });
  test('errors name the line and column', () => {
    assert.match(
      parseError(() => read('m 1\nm{a="b" 2\n')),
      /^body:2:\d+: /,
    );
    assert.match(
      parseError(() => read('m 1\nm 2 x\n')),
      /^body:2:5: /,
    );
  });
});

test('the filter sees own labels only, through the consumer', () => {
  const body = 'm{__proto__="p",constructor="c"} 1\nm{toString="t"} 2\nm 3\n';
  assert.deepEqual(
    read(body, { filter: '__proto__="p"' }).map((g) => g.value),
    [1],
  );
  assert.deepEqual(
    read(body, { filter: 'constructor=""' }).map((g) => g.value),
    [2, 3],
  );
  assert.deepEqual(
    read(body, { filter: 'toString!=""' }).map((g) => g.value),
    [2],
  );
  assert.deepEqual(Object.keys(read(body, { filter: '__proto__="p"' })[0]?.labels ?? {}), ['__proto__', 'constructor']);
});
