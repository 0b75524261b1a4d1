/**
 * Property-based tests of the config loader (issue 7): whatever text it is
 * given, `parseConfig` either returns a config or throws a `ConfigError` whose
 * problems all point at a real place in the text. Never another exception,
 * never a hang.
 *
 * Inputs: random strings (raw and YAML-flavoured), random YAML documents built
 * from the real keys with values of random types (serialized with `yaml`),
 * and byte-level mutations of the valid example configs.
 *
 * Reproducible: fixed seed (override with FC_SEED=<n>); fast-check prints the
 * seed and the shrunk counterexample on failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/registry/load.js';
import type { ExporterConfig } from '../../src/config/types.js';
import { ConfigError } from '../../src/model/errors.js';

const SEED = Number(process.env['FC_SEED'] ?? 0x7c0f19);
/** Root of the project, from the compiled test in dist/test/property/. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SEED_DIR = `${ROOT}examples/seed/`;
const SEED_FILES = readdirSync(SEED_DIR)
  .filter((f) => f.endsWith('.yml'))
  .sort()
  .map((f) => ({ name: f, bytes: readFileSync(`${SEED_DIR}${f}`) }));
/** A directory that does not exist: relative file paths in configs resolve under it and are never readable. */
const CONFIG_FILE = '/nonexistent-lve-property/config.yml';
const ENV: NodeJS.ProcessEnv = { VM_URL: 'http://vm:8428', FOO: 'bar', EMPTY: '' };
/** "Never hangs": one parse of a small document takes far less than this. */
const MAX_PARSE_MS = 2000;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function describe(e: unknown): string {
  if (e instanceof Error) return `${e.constructor.name}: ${e.message}`;
  return `non-error ${typeof e}: ${String(e)}`;
}

/** Sanity of a config the loader accepted. */
function checkConfig(cfg: ExporterConfig): void {
  assert.ok(Array.isArray(cfg.transformations));
  assert.ok(cfg.sources instanceof Map);
  assert.ok(Number.isInteger(cfg.listenPort) && cfg.listenPort >= 1 && cfg.listenPort <= 65535, `port ${cfg.listenPort}`);
  for (const t of cfg.transformations) {
    assert.match(t.name, METRIC_NAME);
    assert.match(t.sourceMetric, METRIC_NAME);
    assert.ok(cfg.sources.has(t.source), `transformation ${t.name} refers to a defined source`);
    assert.ok(Number.isFinite(t.intervalSeconds) && t.intervalSeconds > 0, `interval ${t.intervalSeconds}`);
    assert.ok(t.timeoutSeconds > 0, `timeout ${t.timeoutSeconds}`);
  }
}

/**
 * The property: returns a sane config, or throws a ConfigError whose every
 * problem has a file, a line in [0, lines + 1], a column ≥ 0 and a message.
 */
function checkParse(text: string): void {
  const started = performance.now();
  let outcome: { ok: true; cfg: ExporterConfig } | { ok: false; err: unknown };
  try {
    outcome = { ok: true, cfg: parseConfig(text, CONFIG_FILE, ENV) };
  } catch (e) {
    outcome = { ok: false, err: e };
  }
  const ms = performance.now() - started;
  assert.ok(ms < MAX_PARSE_MS, `parseConfig took ${ms.toFixed(0)} ms`);
  if (outcome.ok) {
    checkConfig(outcome.cfg);
    return;
  }
  const err = outcome.err;
  if (!(err instanceof ConfigError)) {
    assert.fail(`parseConfig threw something other than a ConfigError: ${describe(err)}`);
  }
  assert.ok(err.problems.length > 0, 'a ConfigError lists at least one problem');
  const lines = text.split('\n').length;
  for (const p of err.problems) {
    const where = JSON.stringify(p);
    assert.equal(typeof p.file, 'string', where);
    assert.ok(p.file.length > 0, `problem without a file: ${where}`);
    assert.ok(Number.isInteger(p.line) && p.line >= 0, `bad line: ${where}`);
    assert.ok(p.line <= lines + 1, `line ${p.line} beyond the text's ${lines} lines: ${where}`);
    assert.ok(Number.isInteger(p.column) && p.column >= 0, `bad column: ${where}`);
    assert.equal(typeof p.path, 'string', where);
    assert.equal(typeof p.message, 'string', where);
    assert.ok(p.message.trim().length > 0, `empty message: ${where}`);
  }
  assert.ok(err.message.length > 0);
}

// ---------------------------------------------------------------- arbitraries

/** Characters that mean something in YAML, plus a few words the loader knows. */
const yamlToken = fc.constantFrom(
  ':',
  ': ',
  '-',
  '- ',
  '[',
  ']',
  '{',
  '}',
  ',',
  '&a',
  '*a',
  '!',
  '!!str',
  '!!binary',
  '|',
  '>',
  "'",
  '"',
  '%YAML 1.1\n',
  '---\n',
  '...\n',
  '#',
  '?',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r\n',
  '<<',
  '~',
  'null',
  'yes',
  'no',
  '0x1F',
  '1e3',
  '.inf',
  '.nan',
  '\\',
  '\u0000',
  '\ufeff',
  '😀',
  'metric_transformations',
  'name',
  'source_metric',
  'value_from_label',
  'sources',
  'type',
  'prometheus',
  'file',
  'value',
  'parser',
  '${FOO}',
  '${NOPE}',
  'a',
  '1',
);
const randomText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'binary-ascii', maxLength: 200 }),
  fc.string({ unit: yamlToken, maxLength: 80 }),
  fc.string({ unit: yamlToken, maxLength: 40 }).map((s) => `metric_transformations:\n  - ${s}`),
);

/** Every key of the format, at any level, plus the YAML merge key and near-misses. */
const ANY_KEY = fc.constantFrom(
  'victoriametrics_url',
  'scrape_interval',
  'exporter_port',
  'exporter_address',
  'query_timeout',
  'metric_transformations',
  'sources',
  'max_staleness',
  'max_concurrent_requests',
  'name',
  'description',
  'source_metric',
  'metric_type',
  'value_from_label',
  'preserve_labels',
  'default_value',
  'query_filter',
  'clear_stale_metrics',
  'skip_empty_labels',
  'source',
  'interval',
  'timeout',
  'value',
  'type',
  'url',
  'basic_auth',
  'bearer_token',
  'bearer_token_file',
  'headers',
  'tls_config',
  'max_response_bytes',
  'path',
  'username',
  'password',
  'password_file',
  'ca_file',
  'cert_file',
  'key_file',
  'server_name',
  'insecure_skip_verify',
  'parser',
  'strict',
  'part',
  'pattern',
  'group',
  'values',
  'default',
  'case_insensitive',
  'metric_transformation',
  'Name',
  '__proto__',
  'constructor',
  '<<',
  '',
);
const scalar = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    0,
    -1,
    1,
    65535,
    65536,
    1.5,
    1e300,
    -0,
    Number.NaN,
    Infinity,
    -Infinity,
    '',
    '0',
    '5m',
    '30s',
    '-1s',
    '1h30m',
    'gauge',
    'info',
    'counter',
    'prometheus',
    'file',
    'number',
    'semver',
    'regex',
    'map',
    'boolean',
    'duration',
    'bytes',
    'timestamp',
    'sortable',
    'auto',
    'ms',
    'kube_node_info',
    'minor',
    '__name__',
    'x_info',
    'label_value_exporter_up',
    'http://localhost:8428',
    'http://user:pa%ss@vm:8428/',
    'vmselect:8481',
    'ftp://x',
    'http://[::1',
    '${VM_URL}',
    '${NOPE}',
    '${X:-y}',
    '$$',
    '(\\d+)',
    '(?<v>\\d+)',
    '(',
    '(?P<x>1)',
    'instance=~".*:10250"',
    '{',
    'in.prom',
    '/etc/hostname',
  ),
  fc.string({ maxLength: 12 }),
  fc.double(),
  fc.integer(),
);

const { node: randomNode } = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, scalar, tie('map'), tie('list')),
  map: fc.dictionary(ANY_KEY, tie('node'), { maxKeys: 5, noNullPrototype: true }),
  list: fc.array(tie('node'), { maxLength: 3 }),
}));

/** How often a field gets a good value, a wrong value of the right kind, or a random one. */
interface Mix {
  readonly good: number;
  readonly bad: number;
  readonly random: number;
}

/**
 * Config-shaped documents: the real keys at the right levels, each field with
 * a good value, a wrong one of the right kind (bad URL, unset variable, bad
 * regex, unknown source, reserved name, ...) or a random value, in the
 * proportions of `mix`. A mostly-good mix reaches the build phase (env
 * expansion, URL parsing, file checks, parser compilation); a noisy one the
 * schema checks.
 */
function configShaped(mix: Mix): fc.Arbitrary<Record<string, unknown>> {
  const v = <G, B>(good: fc.Arbitrary<G>, bad?: fc.Arbitrary<B>): fc.Arbitrary<unknown> =>
    fc.oneof(
      { weight: mix.good, arbitrary: good as fc.Arbitrary<unknown> },
      { weight: bad ? mix.bad : 0, arbitrary: (bad ?? good) as fc.Arbitrary<unknown> },
      { weight: mix.random, arbitrary: randomNode },
    );
  const opt = { requiredKeys: [] as [] };
  const seconds = v(
    fc.oneof(fc.integer({ min: 1, max: 3600 }), fc.constantFrom('5m', '1h30m', '90s', '1d', '500ms')),
    fc.constantFrom(0, -1, '0', '-1s', 'x', Infinity, Number.NaN),
  );
  const metricName = v(
    fc.oneof(fc.constantFrom('kubelet_minor_version', 'x_info', 'x', 'node:os:info'), fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/)),
    fc.constantFrom('label_value_exporter_up', 'process_cpu', 'nodejs_x', '1bad', 'a-b', ''),
  );
  const labelName = fc.constantFrom('minor', 'cluster', 'node', 'version', 'instance');
  const badLabelName = fc.constantFrom('__name__', '__x', 'a-b', '', '1a');
  const fileName = fc.constantFrom('in.prom', '/nonexistent', '${FOO}', '${NOPE}', '', '/etc/hostname', '/dev/null', '/');
  const str = fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('${FOO}', '${NOPE}', '${X:-y}', '$$', '${EMPTY}'));
  const valueBlock = fc.oneof(
    fc.record({ parser: fc.constant('number'), strict: v(fc.boolean()) }, opt),
    fc.record(
      { parser: fc.constant('semver'), part: v(fc.constantFrom('major', 'minor', 'patch', 'sortable'), fc.constant('build')) },
      opt,
    ),
    fc.record(
      {
        parser: fc.constant('regex'),
        pattern: v(
          fc.constantFrom('(\\d+)', '(?<v>\\d+)', '\\d+', '^v(\\d+)\\.(\\d+)', '(a+)+$'),
          fc.constantFrom('(', '(?P<x>1)', '[', '\\'),
        ),
        group: v(fc.constantFrom(0, 1, 2, 'v'), fc.constantFrom(-1, 3, 1.5, 'x', '')),
      },
      { requiredKeys: ['parser', 'pattern'] },
    ),
    fc.record(
      {
        parser: fc.constant('map'),
        values: v(
          fc.dictionary(fc.constantFrom('a', 'b', 'A', 'on', '__proto__', 'constructor', 'hasOwnProperty'), fc.integer(), {
            noNullPrototype: true,
          }),
          fc.dictionary(fc.constantFrom(' a', '', 'a'.repeat(5000)), fc.oneof(fc.double(), fc.string()), { noNullPrototype: true }),
        ),
        default: v(fc.integer(), fc.constantFrom(Number.NaN, Infinity)),
        case_insensitive: v(fc.boolean()),
      },
      { requiredKeys: ['parser', 'values'] },
    ),
    fc.record({ parser: fc.constantFrom('boolean', 'duration', 'bytes', 'nope') }),
    fc.record({ parser: fc.constant('timestamp'), unit: v(fc.constantFrom('auto', 's', 'ms'), fc.constant('ns')) }, opt),
  );
  const transformation = fc.record(
    {
      name: metricName,
      description: v(str),
      source_metric: metricName,
      metric_type: v(fc.constantFrom('gauge', 'info'), fc.constant('counter')),
      value_from_label: v(labelName, badLabelName),
      preserve_labels: v(fc.array(labelName, { maxLength: 4 }), fc.array(badLabelName, { minLength: 1, maxLength: 2 })),
      default_value: v(fc.integer(), fc.constantFrom(Number.NaN, Infinity)),
      query_filter: v(
        fc.constantFrom('instance=~".*:10250"', 'a="b"', '', 'a!~"x",b="y"'),
        fc.constantFrom('{', 'a=~"("', 'a=', '"', 'a="\\'),
      ),
      clear_stale_metrics: v(fc.boolean()),
      skip_empty_labels: v(fc.boolean()),
      source: v(
        fc.oneof(
          fc.constantFrom('default', 'vm', 'files', 'js'),
          fc.array(fc.constantFrom('default', 'vm', 'files'), { minLength: 1, maxLength: 3 }),
        ),
        fc.constantFrom('nope', '', []),
      ),
      source_label: v(labelName, badLabelName),
      json: v(
        fc.record({
          records: fc.constantFrom('$.items[*]', '$', '$..x'),
          labels: fc.dictionary(labelName, fc.constantFrom('$.a', '@.b', 'name'), { maxKeys: 3, noNullPrototype: true }),
        }),
        fc.record({
          records: fc.constantFrom('', '[', '$[', '$..'),
          labels: fc.dictionary(badLabelName, fc.constantFrom('', '$['), { maxKeys: 2, noNullPrototype: true }),
        }),
      ),
      interval: seconds,
      timeout: seconds,
      max_staleness: seconds,
      value: v(valueBlock),
    },
    { requiredKeys: ['name', 'source_metric', 'value_from_label'] },
  );
  const url = v(
    fc.constantFrom('http://vm:8428', 'https://vm/select/0/prometheus', '${VM_URL}', 'http://u:p@vm:8428/', 'http://[::1]:9090/metrics'),
    fc.constantFrom('http://u:%zz@vm/', 'vmselect:8481', 'ftp://x', '${NOPE}', 'http://[::1', '', 'http://'),
  );
  const http = {
    url,
    timeout: seconds,
    basic_auth: v(
      fc.record(
        { username: v(fc.constantFrom('u', '${FOO}'), fc.constant('${NOPE}')), password: v(str), password_file: v(fileName) },
        { requiredKeys: ['username'] },
      ),
    ),
    bearer_token: v(str),
    bearer_token_file: v(fileName),
    headers: v(
      fc.dictionary(fc.constantFrom('X-Scope-OrgID', 'Authorization'), str, { noNullPrototype: true }),
      fc.dictionary(fc.constantFrom('bad header', 'a:b', ''), str, { noNullPrototype: true }),
    ),
    tls_config: v(
      fc.record(
        { ca_file: v(fileName), cert_file: v(fileName), key_file: v(fileName), server_name: v(str), insecure_skip_verify: v(fc.boolean()) },
        opt,
      ),
    ),
    max_response_bytes: v(fc.integer({ min: 1, max: 1e9 }), fc.constantFrom(0, -1, 1.5)),
  };
  const sourceName = v(fc.constantFrom('default', 'vm', 'files', 'js'), fc.constant(''));
  const sourceBlock = fc.oneof(
    fc.record({ name: sourceName, type: fc.constantFrom('prometheus', 'scrape'), ...http }, { requiredKeys: ['name', 'type', 'url'] }),
    fc.record(
      { name: sourceName, type: fc.constant('json'), method: v(fc.constantFrom('GET', 'POST'), fc.constant('PUT')), body: v(str), ...http },
      { requiredKeys: ['name', 'type', 'url'] },
    ),
    fc.record(
      {
        name: sourceName,
        type: fc.constant('file'),
        path: v(fileName),
        format: v(fc.constantFrom('prometheus', 'json'), fc.constant('xml')),
      },
      { requiredKeys: ['name', 'type', 'path'] },
    ),
    fc.record({ name: sourceName, type: fc.constant('nope') }),
  );
  const extraKeys = fc.oneof(
    { weight: mix.good, arbitrary: fc.constant({}) },
    { weight: mix.random, arbitrary: fc.dictionary(ANY_KEY, randomNode, { maxKeys: 2, noNullPrototype: true }) },
  );
  return fc
    .tuple(
      fc.record(
        {
          victoriametrics_url: url,
          scrape_interval: seconds,
          exporter_port: v(fc.integer({ min: 1, max: 65535 }), fc.constantFrom(0, 65536, 80.5)),
          exporter_address: v(fc.constantFrom('0.0.0.0', '::', 'localhost')),
          query_timeout: seconds,
          metric_transformations: v(fc.array(transformation, { maxLength: 3 })),
          sources: v(fc.array(sourceBlock, { maxLength: 3 })),
          max_staleness: seconds,
          max_concurrent_requests: v(fc.integer({ min: 1, max: 100 }), fc.constantFrom(0, -1, 1.5)),
        },
        { requiredKeys: ['metric_transformations'] },
      ),
      extraKeys,
    )
    .map(([cfg, extra]) => ({ ...extra, ...cfg }));
}

/** YAML text of a value; `yaml` may refuse exotic values, which then are not a test case. */
function toYaml(v: unknown, indent: number): string | undefined {
  try {
    return stringify(v, { indent });
  } catch {
    return undefined;
  }
}

/** Byte-level mutations of a file. */
type Mutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'duplicate'; at: number; len: number; to: number }
  | { kind: 'token'; at: number; token: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 4 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 80 }), to: fc.nat() }),
  fc.record({ kind: fc.constant('token' as const), at: fc.nat(), token: yamlToken }),
);

function mutate(src: Buffer, mutations: readonly Mutation[]): Buffer {
  let b = src;
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    switch (m.kind) {
      case 'flip':
        if (at < b.length) {
          b = Buffer.from(b);
          b[at] = m.byte;
        }
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
        break;
      case 'duplicate': {
        const piece = b.subarray(at, at + m.len);
        const to = m.to % (b.length + 1);
        b = Buffer.concat([b.subarray(0, to), piece, b.subarray(to)]);
        break;
      }
      case 'token':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.token, 'utf8'), b.subarray(at)]);
        break;
    }
  }
  return b;
}

// ---------------------------------------------------------------------- tests

test('the seed configs load (the mutation corpus is valid to begin with)', () => {
  assert.ok(SEED_FILES.length >= 1, `no *.yml in ${SEED_DIR}`);
  for (const f of SEED_FILES) {
    const cfg = parseConfig(f.bytes.toString('utf8'), CONFIG_FILE, ENV);
    checkConfig(cfg);
  }
});

test('random strings: parseConfig returns a config or throws a ConfigError with sane positions', () => {
  fc.assert(fc.property(randomText, checkParse), { seed: SEED, numRuns: 1000 });
});

test('random documents of real keys and random values: only ConfigError, sane positions', () => {
  fc.assert(
    fc.property(randomNode, fc.integer({ min: 1, max: 4 }), (doc, indent) => {
      const text = toYaml(doc, indent);
      if (text !== undefined) checkParse(text);
    }),
    { seed: SEED, numRuns: 600 },
  );
});

test('config-shaped documents, every value possibly of a random type: only ConfigError, sane positions', () => {
  fc.assert(
    fc.property(configShaped({ good: 3, bad: 1, random: 1 }), fc.integer({ min: 1, max: 4 }), (doc, indent) => {
      const text = toYaml(doc, indent);
      if (text !== undefined) checkParse(text);
    }),
    { seed: SEED, numRuns: 400 },
  );
});

test('nearly valid config-shaped documents (build phase: env, URLs, files, parsers): only ConfigError or a sane config', () => {
  fc.assert(
    fc.property(configShaped({ good: 40, bad: 3, random: 1 }), fc.integer({ min: 1, max: 4 }), (doc, indent) => {
      const text = toYaml(doc, indent);
      if (text !== undefined) checkParse(text);
    }),
    { seed: SEED, numRuns: 600 },
  );
});

test('byte-level mutations of the seed configs: only ConfigError, sane positions', () => {
  fc.assert(
    fc.property(fc.constantFrom(...SEED_FILES), fc.array(mutation, { minLength: 1, maxLength: 6 }), (file, muts) => {
      checkParse(mutate(file.bytes, muts).toString('utf8'));
    }),
    { seed: SEED, numRuns: 1000 },
  );
});

// Regressions found by the properties above, kept as plain examples.

test('regression: a YAML merge key with a scalar or sequence-of-scalars value is a ConfigError', () => {
  checkParse('<<: 5\nmetric_transformations: []\n');
  checkParse('metric_transformations:\n  - <<: [1, 2]\n    name: x\n');
});

test('regression: an alias "billion laughs" document is a ConfigError, not a ReferenceError', () => {
  const bomb = [
    'a: &a [x, x, x, x, x, x, x, x, x, x]',
    'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
    'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
    'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
    'metric_transformations: []',
    '',
  ].join('\n');
  checkParse(bomb);
});

test('regression: an alias to an undefined anchor is a ConfigError, not a ReferenceError', () => {
  checkParse('*a');
  checkParse('metric_transformations: *nope\n');
});

test('regression: a URL with malformed percent-encoding in its credentials is a ConfigError, not a URIError', () => {
  checkParse('victoriametrics_url: "http://u:%zz@vm:8428/"\nmetric_transformations: []\n');
  checkParse('sources:\n  - name: vm\n    type: prometheus\n    url: "http://%E0%A4%A@vm/"\nmetric_transformations: []\n');
});
