/**
 * Properties of the streaming exposition reader over generated bodies: the
 * result (samples or the error) does not depend on where the body is cut into
 * chunks, and nothing but a SourceError ever comes out, whatever the bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SourceError } from '../../src/model/errors.js';
import { ExpositionConsumer } from '../../src/sources/exposition-consumer.js';
import { CONTENT_TYPES } from '../support/exposition-corpus.js';

/** Pieces lines are made of: valid tokens, blanks, and the characters that break them. */
const piece = fc.constantFrom(
  'm',
  'm2',
  '{',
  '}',
  'a="x"',
  'b="é節"',
  '__proto__="p"',
  'constructor="c"',
  ',',
  '=',
  ' ',
  '  ',
  '\t',
  '1',
  '-2.5',
  'NaN',
  '+Inf',
  '1700000000',
  '# HELP m h',
  '# TYPE m gauge',
  '# EOF',
  '#',
  '\r',
  '"',
  '\\',
  ' # {t="1"} 1',
  '\u0000',
  '\u00ff',
);
const line = fc.array(piece, { maxLength: 8 }).map((p) => p.join(''));
/** Each line as UTF-8, or as latin1 (its é, 節 and ÿ then invalid UTF-8). */
const encoded = fc.tuple(line, fc.boolean()).map(([l, utf8]) => Buffer.from(l, utf8 ? 'utf8' : 'latin1'));
const body = fc.array(encoded, { maxLength: 12 }).map((ls) => Buffer.concat(ls.flatMap((l) => [l, Buffer.from('\n')])));
const cuts = fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 6 });

function read(buf: Buffer, sizes: readonly number[], contentType: string): string {
  const got: string[] = [];
  const head = { status: 200, contentType };
  const c = new ExpositionConsumer('m', 'a!="nope"', (l, v) => got.push(`${JSON.stringify(Object.entries(l))} ${v}`), 'b');
  try {
    c.start(head);
    let at = 0;
    for (let i = 0; at < buf.length; i++) {
      const size = sizes[i % sizes.length] as number;
      c.write(buf.subarray(at, at + size));
      at += size;
    }
    c.finish(head);
  } catch (e) {
    assert.ok(e instanceof SourceError, `only SourceError: ${String(e)}`);
    return `error ${e.message}`;
  }
  return got.join('\n');
}

for (const format of ['text', 'openmetrics'] as const) {
  test(`${format}: the same result whatever the chunking, and only SourceErrors`, () => {
    fc.assert(
      fc.property(body, cuts, (b, sizes) => {
        assert.equal(read(b, sizes, CONTENT_TYPES[format]), read(b, [b.length || 1], CONTENT_TYPES[format]));
      }),
      { numRuns: 300 },
    );
  });
}
