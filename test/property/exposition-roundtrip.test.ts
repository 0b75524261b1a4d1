/**
 * Property-based round trip of label values through the output path (issue 7):
 * source labels → Transformer (info, preserve_labels) → renderSamples /
 * writeExposition → our own exposition parser, line by line, must give back the
 * same label sets, whatever the values hold: control characters, `\`, `"`,
 * newlines, unicode, emoji, lone UTF-16 surrogates, 10 KB strings. And
 * `promtool check metrics` must accept the bodies.
 *
 * What "the same" means: the body is UTF-8, so a lone surrogate comes back as
 * U+FFFD (values are compared after a UTF-8 round trip); empty values are
 * omitted by design.
 *
 * Reproducible: fixed seed (override with FC_SEED=<n>); fast-check prints the
 * seed and the shrunk counterexample on failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { parseConfig } from '../../src/registry/load.js';
import type { TransformationConfig } from '../../src/config/types.js';
import type { ExpositionFormat } from '../../src/exposition/format.js';
import { renderSamples } from '../../src/exposition/render.js';
import { writeExposition } from '../../src/exposition/write.js';
import type { OutputSeries } from '../../src/model/series.js';
import type { FamilySnapshot } from '../../src/snapshot/family.js';
import { parseSampleLine } from '../../src/sources/exposition-parser.js';
import { Transformer } from '../../src/transform/transformer.js';
import { promtoolCheckMetrics } from '../support/promtool.js';

const SEED = Number(process.env['FC_SEED'] ?? 0xe4905);

// ---------------------------------------------------------------- arbitraries

const NASTY = [
  '\\',
  '"',
  '\n',
  '\r',
  '\t',
  '\u0000',
  '\u0001',
  '\u007f',
  '\u001b[31m',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\ufffd',
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
  '😀',
  '\u{1F3F3}\uFE0F\u200D\u{1F308}',
  'é',
  'e\u0301',
  '中文',
  '#',
  '{',
  '}',
  '=',
  ',',
  ' ',
  'n',
  '\\n',
  '\\"',
  '"}',
  '} 1',
  'a',
  '1',
  '# EOF',
];
const nastyPiece = fc.constantFrom(...NASTY);
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const anyPiece = fc.oneof(nastyPiece, loneSurrogate, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));

/** A long value: a short random pattern repeated up to 10 KB (a cut may split a surrogate pair: fine). */
const hugeValue = fc
  .tuple(fc.string({ unit: anyPiece, minLength: 1, maxLength: 12 }), fc.integer({ min: 200, max: 10 * 1024 }))
  .map(([s, n]) => s.repeat(Math.ceil(n / s.length)).slice(0, n));

const labelValue = fc.oneof(
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 4, arbitrary: fc.string({ unit: anyPiece, maxLength: 30 }) },
  { weight: 1, arbitrary: hugeValue },
);

/** Valid label names, not `__`-reserved (the config refuses those in preserve_labels). */
const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,15}$/).filter((n) => !n.startsWith('__'));
/** Valid label names that plain objects inherit from Object.prototype. */
const PROTO_MEMBERS = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString'];
/** Lint-clean names for promtool (promlint flags camelCase). */
const snakeName = fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/);

interface Case {
  /** names[0] is value_from_label, the rest preserve_labels. */
  readonly names: readonly string[];
  /** Each source series: one value per name; undefined: the series lacks that label. */
  readonly rows: readonly (readonly (string | undefined)[])[];
}

function caseOf(names: fc.Arbitrary<string>, maxRows: number, minRows = 1): fc.Arbitrary<Case> {
  return fc.uniqueArray(names, { minLength: 1, maxLength: 6 }).chain((ns) =>
    fc.record({
      names: fc.constant(ns),
      rows: fc.array(fc.array(labelValue, { minLength: ns.length, maxLength: ns.length }), { minLength: minRows, maxLength: maxRows }),
    }),
  );
}

// ------------------------------------------------------------------- pipeline

/** The value as it reads after being written as UTF-8 (a lone surrogate becomes U+FFFD). */
function utf8(v: string): string {
  return Buffer.from(v, 'utf8').toString('utf8');
}

/**
 * The transformation, through the real config loader. Written as JSON (valid
 * YAML): the loader reads YAML 1.1, where a bare `y` or `on` is a boolean.
 */
function transformation(metric: string, names: readonly string[], help = 'Property test family.'): TransformationConfig {
  const yaml = JSON.stringify({
    metric_transformations: [
      {
        name: metric,
        description: help,
        source_metric: 'lve_property_source',
        metric_type: 'info',
        value_from_label: names[0],
        preserve_labels: names.slice(1),
        skip_empty_labels: false,
      },
    ],
  });
  const t = parseConfig(yaml, '/nonexistent-lve-property/config.yml', {}).transformations[0];
  assert.ok(t);
  return t;
}

function transform(cfg: TransformationConfig, c: Case): readonly OutputSeries[] {
  const tr = new Transformer(cfg);
  for (const row of c.rows) {
    const labels: Record<string, string> = { __name__: 'lve_property_source', zz_not_preserved: 'dropped' };
    c.names.forEach((n, i) => {
      const v = row[i];
      if (v !== undefined) labels[n] = v;
    });
    tr.add(labels, 1);
  }
  return tr.finish().series;
}

/** Canonical key of a label set: sorted [name, value] pairs. */
function key(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The label sets the output must hold: preserved + value label, empty values omitted, as UTF-8 reads them. */
function expectedKeys(c: Case): Set<string> {
  const out = new Set<string>();
  for (const row of c.rows) {
    const labels: Record<string, string> = {};
    c.names.forEach((n, i) => {
      const v = row[i] ?? '';
      if (v !== '') Object.defineProperty(labels, n, { value: utf8(v), enumerable: true });
    });
    out.add(key(labels));
  }
  return out;
}

interface ParsedBody {
  /** Sample lines per metric name, as label-set keys (in order, duplicates kept). */
  readonly samples: Map<string, string[]>;
  /** HELP text per family name, unescaped. */
  readonly help: Map<string, string>;
  readonly lastLine: string;
}

function unescapeHelp(s: string): string {
  return s.replace(/\\(.)/g, (whole, c: string) => (c === 'n' ? '\n' : c === '\\' || c === '"' ? c : whole));
}

/** Reads a body back with our own line parser. */
function parseBody(text: string): ParsedBody {
  const samples = new Map<string, string[]>();
  const help = new Map<string, string>();
  assert.ok(text.endsWith('\n'), 'the body ends with a newline');
  const lines = text.slice(0, -1).split('\n');
  for (const line of lines) {
    if (line.startsWith('# HELP ')) {
      const rest = line.slice('# HELP '.length);
      const sp = rest.indexOf(' ');
      help.set(rest.slice(0, sp), unescapeHelp(rest.slice(sp + 1)));
      continue;
    }
    if (line.startsWith('#')) continue;
    assert.notEqual(line, '', 'no blank lines in a body');
    const s = parseSampleLine(line);
    assert.equal(s.value, 1, `info sample value in ${JSON.stringify(line.slice(0, 200))}`);
    assert.equal(s.timestampMs, undefined);
    const list = samples.get(s.name) ?? [];
    list.push(key(s.labels));
    samples.set(s.name, list);
  }
  return { samples, help, lastLine: lines[lines.length - 1] ?? '' };
}

function family(cfg: TransformationConfig, series: readonly OutputSeries[]): FamilySnapshot {
  return {
    name: cfg.name,
    help: cfg.help,
    type: cfg.metricType,
    series,
    index: new Map(series.map((s) => [s.labelText, s])),
    families: [{ name: cfg.name, samples: renderSamples(cfg.name, series) }],
    producedAtMs: 0,
  };
}

async function expose(families: readonly FamilySnapshot[], format: ExpositionFormat): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writeExposition(out, new Map(families.map((f) => [f.name, f])), '', format);
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

/** The label sets of `metric` in a parsed body equal `expected`, each exactly once. */
function assertSamples(parsed: ParsedBody, metric: string, expected: Set<string>): void {
  const got = parsed.samples.get(metric) ?? [];
  assert.deepEqual(new Set(got), expected, 'the label sets read back are the label sets sent');
  assert.equal(got.length, new Set(got).size, 'no two sample lines of a family carry the same label set');
}

// ---------------------------------------------------------------------- tests

test('renderSamples: every label value reads back identically with parseSampleLine', () => {
  fc.assert(
    fc.property(caseOf(labelName, 25), (c) => {
      const cfg = transformation('lve_prop_info', c.names);
      const series = transform(cfg, c);
      const parsed = parseBody(renderSamples(cfg.name, series).toString('utf8'));
      const got = parsed.samples.get(cfg.name) ?? [];
      assert.equal(got.length, series.length, 'one sample line per output series');
      assert.deepEqual(new Set(got), expectedKeys(c));
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test('writeExposition (text and OpenMetrics): label values and HELP text read back identically', async () => {
  await fc.assert(
    fc.asyncProperty(
      caseOf(labelName, 15),
      fc.string({ unit: anyPiece, minLength: 1, maxLength: 40 }),
      fc.boolean(),
      async (c, help, infoSuffix) => {
        const name = infoSuffix ? 'lve_prop_info' : 'lve_prop';
        const cfg = transformation(name, c.names, help);
        const f = family(cfg, transform(cfg, c));
        for (const format of ['text', 'openmetrics'] as const) {
          const parsed = parseBody(await expose([f], format));
          const got = parsed.samples.get(name) ?? [];
          assert.equal(got.length, f.series.length, `${format}: one sample line per output series`);
          assert.deepEqual(new Set(got), expectedKeys(c), `${format}: label sets`);
          // OpenMetrics names an info family without its `_info` suffix.
          const helpName = format === 'openmetrics' && infoSuffix ? 'lve_prop' : name;
          assert.equal(parsed.help.get(helpName), utf8(cfg.help), `${format}: HELP text`);
          if (format === 'openmetrics') assert.equal(parsed.lastLine, '# EOF');
        }
      },
    ),
    { seed: SEED, numRuns: 200 },
  );
});

test('no two sample lines share a label set, also for values that differ only in lone surrogates', () => {
  // Two different JS strings that are the same once written as UTF-8: `x\ud800` and `x\udc00`.
  const variants = fc
    .tuple(
      fc.string({ unit: anyPiece, maxLength: 8 }),
      fc.uniqueArray(loneSurrogate, { minLength: 2, maxLength: 3 }),
      fc.string({ unit: anyPiece, maxLength: 8 }),
    )
    .map(([pre, surrogates, post]) => surrogates.map((s) => `${pre}${s}${post}`));
  fc.assert(
    fc.property(variants, (values) => {
      const c: Case = { names: ['version'], rows: values.map((v) => [v]) };
      const cfg = transformation('lve_prop_info', c.names);
      const parsed = parseBody(renderSamples(cfg.name, transform(cfg, c)).toString('utf8'));
      assertSamples(parsed, cfg.name, expectedKeys(c));
    }),
    { seed: SEED, numRuns: 100 },
  );
});

test('labels a series lacks are absent from its output, whatever their name (also Object.prototype members)', () => {
  // Sources hand the Transformer plain objects (JSON.parse, the exposition parser), which inherit
  // `constructor`, `toString`, ...: a lacking label must not read as the inherited member.
  const names = fc.uniqueArray(fc.oneof(fc.constantFrom(...PROTO_MEMBERS), labelName), { minLength: 1, maxLength: 5 });
  const rows = (n: number) =>
    fc.array(fc.array(fc.option(labelValue, { nil: undefined }), { minLength: n, maxLength: n }), { minLength: 1, maxLength: 10 });
  fc.assert(
    fc.property(
      names.chain((ns) => fc.record({ names: fc.constant(ns), rows: rows(ns.length) })),
      (c) => {
        const cfg = transformation('lve_prop_info', c.names);
        const series = transform(cfg, c);
        const parsed = parseBody(renderSamples(cfg.name, series).toString('utf8'));
        assert.deepEqual(new Set(parsed.samples.get(cfg.name) ?? []), expectedKeys(c));
      },
    ),
    { seed: SEED, numRuns: 300 },
  );
});

test('regression: a gauge whose value label is named like an Object.prototype member skips series that lack it', () => {
  for (const name of PROTO_MEMBERS) {
    const yaml = JSON.stringify({ metric_transformations: [{ name: 'lve_prop', source_metric: 's', value_from_label: name }] });
    const cfg = parseConfig(yaml, '/nonexistent-lve-property/config.yml', {}).transformations[0];
    assert.ok(cfg);
    const tr = new Transformer(cfg);
    // The exposition parser's label objects are plain objects, as JSON.parse's are.
    assert.doesNotThrow(() => tr.add(parseSampleLine('s{a="1"} 1').labels, 1), `value_from_label: ${name}`);
    const r = tr.finish();
    assert.deepEqual(r.series, [], `value_from_label: ${name}`);
    assert.equal(r.skipped.get('missing_label'), 1, `value_from_label: ${name}`);
  }
});

test('promtool check metrics accepts generated bodies (20 bodies, over a thousand series)', async (t) => {
  let bodies = 0;
  let series = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(caseOf(snakeName, 80, 20), fc.string({ unit: anyPiece, maxLength: 30 })), { minLength: 2, maxLength: 4 }),
      async (families) => {
        const snaps = families.map(([c, help], i) => {
          const cfg = transformation(`lve_prop_family_${i}_info`, c.names, `Property test family ${i}: ${help}`);
          return { c, f: family(cfg, transform(cfg, c)) };
        });
        const body = await expose(
          snaps.map((s) => s.f),
          'text',
        );
        // Our own parser agrees with what was sent.
        const parsed = parseBody(body);
        for (const { c, f } of snaps) assert.deepEqual(new Set(parsed.samples.get(f.name) ?? []), expectedKeys(c));
        const lint = await promtoolCheckMetrics(body);
        assert.equal(lint.code, 0, `promtool check metrics exit code; output: ${lint.output.slice(0, 2000)}`);
        assert.equal(lint.output.trim(), '', 'promtool check metrics output');
        bodies++;
        series += snaps.reduce((n, s) => n + s.f.series.length, 0);
      },
    ),
    { seed: SEED, numRuns: 20 },
  );
  t.diagnostic(`promtool checked ${bodies} bodies, ${series} series`);
  assert.ok(bodies >= 20 && series >= 1000, `checked ${bodies} bodies, ${series} series`);
});
