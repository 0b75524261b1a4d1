import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { compileParser, PARSER_NAMES, ParserConfigError, valueSchema } from './index.js';
import type { ParserSpec } from './index.js';

/** At least one spec per parser name; options that change the code path get their own. */
const SPECS: ParserSpec[] = [
  { parser: 'number' },
  { parser: 'number', strict: true },
  { parser: 'semver' },
  { parser: 'semver', part: 'major' },
  { parser: 'semver', part: 'patch' },
  { parser: 'version' },
  { parser: 'version', parts: 2, digits: 4, prefix: String.raw`\D*` },
  { parser: 'regex', pattern: String.raw`(\d+(?:\.\d+)?)` },
  { parser: 'regex', pattern: String.raw`^v?(?<major>\d+)\.(?<minor>\d+)`, group: 'minor' },
  { parser: 'map', values: { Running: 1, Pending: 0 }, case_insensitive: true, default: -1 },
  { parser: 'map', values: { true: 1 } },
  { parser: 'boolean' },
  { parser: 'duration' },
  { parser: 'bytes' },
  { parser: 'timestamp' },
  { parser: 'timestamp', unit: 'ms' },
];

/** A tiny deterministic LCG (Numerical Recipes constants), so failures reproduce. */
function lcg(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

const ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
const CONTROL = [...Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)), '\x7f', '\x85', '\u2028', '\u00a0', '\ufeff'];
const UNICODE = ['é', 'µ', 'μ', 'ß', 'İ', '１', '٣', '😀', '\u200b', '\ud800', '\udfff', '\udc00\ud800'];
/** Pieces of valid inputs, so random strings reach past the first character check. */
const FRAGMENTS = [
  'v',
  '1',
  '28',
  '.',
  '+',
  '-',
  'e',
  'E',
  'Ki',
  'Mi',
  'ms',
  'h',
  'µs',
  'T',
  'Z',
  ':',
  '2023-11-02',
  '10:04:05',
  'containerd://',
  'go',
  'rc.1',
  '0',
  '9'.repeat(20),
  'true',
  'Running',
  '1.28.3',
  ' ',
];
const POOLS = [ASCII, CONTROL, UNICODE, FRAGMENTS];

function randomString(next: (n: number) => number): string {
  const length = next(301);
  let s = '';
  while (s.length < length) {
    const pool = POOLS[next(POOLS.length)] ?? ASCII;
    s += pool[next(pool.length)] ?? '';
  }
  return s.slice(0, length); // slicing may split a surrogate pair: more lone surrogates
}

const PATHOLOGICAL = [
  '1'.repeat(4096),
  `${'1'.repeat(4095)}x`,
  '1.'.repeat(2048),
  `${'1 '.repeat(2048)}`,
  `v${'9'.repeat(4000)}`,
  `${'2023-11-02T'.repeat(300)}`,
  'µ'.repeat(4096),
  '\ud800'.repeat(5000),
  `${'1h'.repeat(2048)}x`,
];

const REASON = /^[a-z]+(?:_[a-z]+)*$/;
const SLOW_MS = 100; // generous: a busy CI machine must not flake; a hang takes seconds

/**
 * The fastest of up to three timings: a parser that backtracks is slow every
 * time, while a busy machine (a GC pause, the other core's tests) is slow only
 * now and then — one stolen time slice must not fail the suite.
 */
function timed(parse: (raw: string) => unknown, input: string): { out: { ok: boolean; value?: number; reason?: string }; ms: number } {
  let best = Infinity;
  let out: { ok: boolean; value?: number; reason?: string } = { ok: false };
  for (let attempt = 0; attempt < 3 && best >= SLOW_MS; attempt++) {
    const start = performance.now();
    out = parse(input) as typeof out;
    best = Math.min(best, performance.now() - start);
  }
  return { out, ms: best };
}

function checkOne(parse: (raw: string) => unknown, input: string): number {
  const { out, ms } = timed(parse, input);
  const where = `input ${JSON.stringify(input)} → ${JSON.stringify(out)}`;
  if (out.ok) assert.ok(Number.isFinite(out.value), where);
  else assert.ok(REASON.test(out.reason ?? '') && out.reason !== 'internal_error', where);
  assert.ok(ms < SLOW_MS, `${where} took ${ms.toFixed(1)} ms (best of 3)`);
  return ms;
}

for (const [i, spec] of SPECS.entries()) {
  test(`property: ${JSON.stringify(spec)} never throws, returns ok:false or a finite number, fast`, () => {
    const parse = compileParser(spec);
    const next = lcg(0x5eed + i);
    for (let n = 0; n < 2000; n++) checkOne(parse, randomString(next));
    for (const input of PATHOLOGICAL) checkOne(parse, input);
  });
}

test('every parser name is covered by the property test', () => {
  assert.deepEqual(new Set(SPECS.map((s) => s.parser)), new Set(PARSER_NAMES));
});

test('PARSER_NAMES lists the nine parsers', () => {
  assert.deepEqual([...PARSER_NAMES], ['number', 'semver', 'version', 'regex', 'map', 'boolean', 'duration', 'bytes', 'timestamp']);
});

test('compileParser dispatches on the parser name', () => {
  assert.deepEqual(compileParser({ parser: 'semver', part: 'minor' })('v1.28.3'), { ok: true, value: 28 });
  assert.deepEqual(compileParser({ parser: 'bytes' })('512Mi'), { ok: true, value: 536870912 });
  assert.deepEqual(compileParser({ parser: 'duration' })('1h30m'), { ok: true, value: 5400 });
});

test('compileParser rejects an unknown parser name on the parser field', () => {
  for (const parser of ['semvar', 'toString', '__proto__', 42]) {
    assert.throws(
      () => compileParser({ parser } as unknown as ParserSpec),
      (e: unknown) => e instanceof ParserConfigError && e.field === 'parser' && /known: number, semver/.test(e.message),
    );
  }
});

test('compileParser passes option errors through with their field', () => {
  assert.throws(
    () => compileParser({ parser: 'regex', pattern: '(' }),
    (e: unknown) => e instanceof ParserConfigError && e.field === 'pattern',
  );
});

test('the value: schema is derived from the parser list: one option per name, the names in its error', () => {
  assert.equal(new Set(PARSER_NAMES).size, PARSER_NAMES.length);
  for (const parser of PARSER_NAMES) assert.equal(valueSchema.safeParse({ parser }).error?.issues[0]?.code === 'invalid_union', false);
  const issue = valueSchema.safeParse({ parser: 'semvar' }).error?.issues[0];
  assert.equal(issue?.message, 'expected parser: number, semver, version, regex, map, boolean, duration, bytes or timestamp');
});
