/**
 * Property-based tests of the streaming reader of Prometheus API answers
 * (issue 7). Random `/api/v1/query` answers — nasty label values (quotes,
 * backslashes, `"]}`, `},"value":[`, control characters, lone surrogates,
 * emoji), label names like `__proto__`, extra envelope fields, random key
 * order, random pretty-printing — are cut into random chunks (splitting UTF-8
 * characters and escape sequences) and fed to `VectorReader` / `feedVector`:
 * - the series delivered are exactly those `JSON.parse` finds, in order, with
 *   and without a projection, and the warnings are the answer's;
 * - a body cut anywhere before its end is a `SourceError`, never a success.
 *
 * Reproducible: fixed seed (override with FC_SEED=<n>); fast-check prints the
 * seed and the shrunk counterexample on failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SourceError } from '../../src/model/errors.js';
import type { LabelSet } from '../../src/model/series.js';
import { feedVector, VectorReader } from '../../src/sources/prometheus-envelope.js';

const SEED = Number(process.env['FC_SEED'] ?? 0x5ec7);
const HEAD = { status: 200, contentType: 'application/json' } as const;

// ---------------------------------------------------------------- arbitraries

const NASTY = [
  '"',
  '\\',
  '\\\\',
  '\\"',
  '"]}',
  '\\"]}',
  '"]},',
  '},"value":[',
  '{"metric":{',
  '"metric":',
  '"result":[',
  '"data":{',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  '\n',
  '\r',
  '\t',
  '\u0000',
  '\u001f',
  '\u007f',
  '\u2028',
  '\ufeff',
  '\ud800',
  '\udfff',
  '😀',
  'é',
  '中',
  ' ',
  'a',
  '1',
  '"a":"',
  '"job":"',
];
const piece = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const labelValue = fc.oneof(
  fc.constant(''),
  fc.string({ unit: piece, maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.tuple(fc.string({ unit: piece, minLength: 1, maxLength: 4 }), fc.integer({ min: 10, max: 800 })).map(([s, n]) => s.repeat(n)),
);
const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'];
const labelName = fc.oneof(
  fc.constantFrom('__name__', 'job', 'instance', 'version', 'a', 'metric', 'value', 'result', 'data', 'status', ...PROTO_NAMES),
  fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/),
);
const metric = fc.dictionary(labelName, labelValue, { maxKeys: 7, noNullPrototype: true });
const sampleValue = fc.oneof(
  fc.constantFrom('NaN', '+Inf', '-Inf', 'Inf', '0', '1', '-0', '1e308', '0.000001'),
  fc.double().map((d) => (Number.isNaN(d) ? 'NaN' : d === Infinity ? '+Inf' : d === -Infinity ? '-Inf' : String(d))),
  fc.integer().map(String),
);
const timestamp = fc.oneof(fc.integer({ min: 0, max: 2e9 }), fc.double({ min: 0, max: 2e9, noNaN: true }));
/** A vector element; `value` first sometimes (not the compact layout the fast paths expect). */
const element = fc
  .tuple(metric, timestamp, sampleValue, fc.boolean())
  .map(([m, ts, v, valueFirst]) => (valueFirst ? { value: [ts, v], metric: m } : { metric: m, value: [ts, v] }));

/** Extra envelope members a real server may send (nested, with arrays and nasty strings). */
const extras = fc.dictionary(
  fc.constantFrom('stats', 'isPartial', 'infos', 'x', 'result', 'metric'),
  fc.oneof(
    fc.boolean(),
    fc.string({ unit: piece, maxLength: 8 }),
    fc.constant({ seriesFetched: '3', timings: [1, [2, { a: ']}' }]], result: [{ metric: {} }] }),
    fc.array(fc.string({ unit: piece, maxLength: 5 }), { maxLength: 3 }),
  ),
  { maxKeys: 2, noNullPrototype: true },
);

/** Object with keys in a random order. */
function shuffled(entries: ReadonlyArray<readonly [string, unknown]>): fc.Arbitrary<Record<string, unknown>> {
  return fc.shuffledSubarray([...entries], { minLength: entries.length, maxLength: entries.length }).map((es) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of es) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
    return o;
  });
}

const answer = fc
  .record({
    result: fc.array(element, { maxLength: 25 }),
    warnings: fc.option(fc.array(fc.string({ unit: piece, maxLength: 10 }), { maxLength: 3 }), { nil: undefined }),
    dataExtras: extras,
    topExtras: extras,
  })
  .chain(({ result, warnings, dataExtras, topExtras }) =>
    shuffled([
      ['resultType', 'vector'],
      ['result', result],
      ...Object.entries(dataExtras).filter(([k]) => k !== 'result' && k !== 'resultType'),
    ]).chain((data) =>
      shuffled([
        ['status', 'success'],
        ['data', data],
        ...(warnings === undefined ? [] : [['warnings', warnings] as const]),
        ...Object.entries(topExtras).filter(([k]) => k !== 'status' && k !== 'data' && k !== 'warnings'),
      ]),
    ),
  );

/** The body text: compact (the fast paths) or pretty-printed, with optional surrounding whitespace. */
const bodyText = fc
  .tuple(
    answer,
    fc.constantFrom<number | string>(0, 0, 0, 1, 2, 4, '\t', '\r', ' \t'),
    fc.constantFrom('', ' ', '\n', '\r\n\t '),
    fc.constantFrom('', '\n', ' \n'),
  )
  .map(([a, indent, lead, trail]) => `${lead}${JSON.stringify(a, null, indent)}${trail}`);

/** How a body is cut into chunks: at a few random byte offsets, or every `step` bytes. */
type Cuts = { readonly at: readonly number[] } | { readonly step: number };
const cutsArb: fc.Arbitrary<Cuts> = fc.oneof(
  fc.record({ at: fc.array(fc.nat(), { maxLength: 12 }) }),
  fc.record({ step: fc.integer({ min: 1, max: 7 }) }),
);

/** The body as chunks; random offsets are taken modulo the length. Chunks split UTF-8 characters freely. */
function chunked(body: Buffer, cuts: Cuts): Buffer[] {
  const n = body.length;
  const points =
    'step' in cuts
      ? Array.from({ length: Math.floor(n / cuts.step) }, (_, i) => (i + 1) * cuts.step)
      : cuts.at.map((a) => (n === 0 ? 0 : a % n));
  const sorted = [...new Set(points.filter((c) => c > 0 && c < n))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of sorted) {
    out.push(body.subarray(prev, c));
    prev = c;
  }
  out.push(body.subarray(prev));
  return out;
}

// ------------------------------------------------------------------ helpers

interface Series {
  readonly labels: Record<string, string | undefined>;
  readonly value: number;
}

function sampleValueOf(v: unknown): number {
  if (v === '+Inf' || v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return typeof v === 'string' ? Number(v) : Number.NaN;
}

/** What JSON.parse finds in the body, restricted to `projection` (own labels only; missing = undefined). */
function expected(body: Buffer, projection: readonly string[] | null): { series: Series[]; warnings: string[] } {
  const a = JSON.parse(body.toString('utf8')) as {
    data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    warnings?: unknown;
  };
  const series = a.data.result.map((e) => ({ labels: project(e.metric, projection), value: sampleValueOf(e.value[1]) }));
  const warnings = Array.isArray(a.warnings) ? a.warnings.filter((w): w is string => typeof w === 'string') : [];
  return { series, warnings };
}

/** A copy of `labels`: all own labels, or only the projected ones (missing or inherited = undefined). */
function project(labels: LabelSet, projection: readonly string[] | null): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  const define = (k: string, v: string | undefined): void => {
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  };
  if (projection === null) {
    for (const k of Object.keys(labels)) define(k, labels[k]);
  } else {
    for (const k of projection) define(k, Object.hasOwn(labels, k) ? labels[k] : undefined);
  }
  return out;
}

type Outcome = { ok: true; series: Series[]; warnings: string[] } | { ok: false; error: unknown };

/** Feeds the chunks to a VectorReader as the HTTP client does; any throw is the outcome. */
function read(chunks: readonly Buffer[], projection: readonly string[] | null): Outcome {
  const series: Series[] = [];
  try {
    const reader = new VectorReader((labels, value) => series.push({ labels: project(labels, projection), value }), projection);
    for (const c of chunks) reader.write(c);
    return { ok: true, series, warnings: reader.finish(HEAD) };
  } catch (e) {
    return { ok: false, error: e };
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
}

/** Projections: label names of the answer that a config could name, plus ones that are never there. */
function projectionFor(text: string): fc.Arbitrary<string[]> {
  const a = JSON.parse(text) as { data: { result: Array<{ metric: Record<string, string> }> } };
  const names = new Set<string>(['absent_label', 'constructor', 'toString']);
  for (const e of a.data.result)
    for (const k of Object.keys(e.metric)) if (/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k) && !k.startsWith('__')) names.add(k);
  return fc.uniqueArray(fc.constantFrom(...names), { minLength: 1, maxLength: 5 });
}

/** Index of the JSON's closing brace in the UTF-8 body: cutting at or before it loses it. */
function lastBrace(body: Buffer): number {
  return body.lastIndexOf(0x7d);
}

// ---------------------------------------------------------------------- tests

test('chunked answers give exactly the series JSON.parse gives (no projection)', () => {
  fc.assert(
    fc.property(bodyText, cutsArb, (text, cuts) => {
      const body = Buffer.from(text, 'utf8');
      const got = read(chunked(body, cuts), null);
      assert.ok(got.ok, `failed: ${got.ok ? '' : describe(got.error)}`);
      assert.deepStrictEqual(got, { ok: true, ...expected(body, null) });
    }),
    { seed: SEED, numRuns: 400 },
  );
});

test('chunked answers give exactly the projected labels JSON.parse gives (with a projection)', () => {
  fc.assert(
    fc.property(
      bodyText.chain((text) => fc.tuple(fc.constant(text), projectionFor(text))),
      cutsArb,
      ([text, projection], cuts) => {
        const body = Buffer.from(text, 'utf8');
        const got = read(chunked(body, cuts), projection);
        assert.ok(got.ok, `failed: ${got.ok ? '' : describe(got.error)}`);
        assert.deepStrictEqual(got, { ok: true, ...expected(body, projection) });
      },
    ),
    { seed: SEED, numRuns: 400 },
  );
});

test('feedVector (whole body) agrees with JSON.parse, with and without a projection', () => {
  fc.assert(
    fc.property(bodyText, fc.boolean(), (text, withProjection) => {
      const body = Buffer.from(text, 'utf8');
      const projection = withProjection ? ['job', 'version', 'absent_label'] : null;
      const series: Series[] = [];
      const warnings = feedVector(
        { ...HEAD, body },
        (labels, value) => series.push({ labels: project(labels, projection), value }),
        projection,
      );
      assert.deepStrictEqual({ series, warnings }, expected(body, projection));
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test('a body cut anywhere before its end, in any chunks, is a SourceError, never a success', () => {
  fc.assert(
    fc.property(
      bodyText,
      fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      cutsArb,
      fc.boolean(),
      (text, f, cuts, withProjection) => {
        const body = Buffer.from(text, 'utf8');
        const truncated = body.subarray(0, Math.floor(f * (lastBrace(body) + 1)));
        const got = read(chunked(truncated, cuts), withProjection ? ['job', 'version'] : null);
        assert.equal(got.ok, false, `a body of ${body.length} bytes cut to ${truncated.length} was accepted`);
        if (!got.ok) assert.ok(got.error instanceof SourceError, `expected a SourceError, got ${describe(got.error)}`);
      },
    ),
    { seed: SEED, numRuns: 600 },
  );
});

test('a truncated body through feedVector is a SourceError too', () => {
  fc.assert(
    fc.property(bodyText, fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (text, f) => {
      const body = Buffer.from(text, 'utf8');
      const truncated = body.subarray(0, Math.floor(f * (lastBrace(body) + 1)));
      assert.throws(
        () => feedVector({ ...HEAD, body: truncated }, () => undefined),
        (e: unknown) => e instanceof SourceError,
      );
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test('keys spelled with \\u escapes: the same series as JSON.parse, or a SourceError, never a different success', () => {
  /** `"data"` → `"d\u0061ta"` (and the like): the same key for JSON.parse. */
  const escapeKey = (text: string, key: string, at: number): string => {
    const i = at % key.length;
    const spelled = `${key.slice(0, i)}\\u${key.charCodeAt(i).toString(16).padStart(4, '0')}${key.slice(i + 1)}`;
    return text.split(`"${key}":`).join(`"${spelled}":`);
  };
  fc.assert(
    fc.property(
      bodyText,
      fc.subarray(['data', 'result', 'resultType', 'status', 'metric', 'value']),
      fc.nat(),
      cutsArb,
      (text, keys, at, cuts) => {
        const spelled = keys.reduce((t, k) => escapeKey(t, k, at), text);
        const body = Buffer.from(spelled, 'utf8');
        const got = read(chunked(body, cuts), null);
        if (got.ok) assert.deepStrictEqual(got, { ok: true, ...expected(body, null) }, 'a success must carry every series');
        else assert.ok(got.error instanceof SourceError, `expected a SourceError, got ${describe(got.error)}`);
      },
    ),
    { seed: SEED, numRuns: 300 },
  );
});
