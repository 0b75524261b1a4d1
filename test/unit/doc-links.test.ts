/**
 * The documentation can be navigated: every relative link in the Markdown files (README.md, docs/, CHANGELOG.md,
 * bench/, deploy/) names an existing file, and an existing heading when it has an `#anchor` (GitHub's anchors);
 * every reference to a section in code (`README "Title"`, `README's "Title"`, `docs/x.md "Title"`,
 * `docs/x.md#anchor`, under src/ test/ bench/ deploy/ monitoring/ examples/) names a heading of that file (a
 * title may be the start of a heading, up to a word boundary). A README reference inside user-visible text may
 * also be met by a README link of that title. The parsing is shared with scripts/rewrite-doc-refs.mjs, which
 * points comments at the file that holds a section after it moved.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

interface Ref {
  readonly raw: string;
  readonly file: string;
  readonly titles: readonly string[];
  readonly anchor: string | null;
  readonly line: number;
}
interface DocRefs {
  slug(heading: string): string;
  headings(md: string): Array<{ text: string; anchor: string }>;
  links(md: string): Array<{ text: string; target: string; line: number }>;
  titleMatches(title: string, heading: string): boolean;
  findRefs(text: string): Ref[];
  readDocs(repo: string): Map<string, string>;
  linkResolves(repo: string, from: string, target: string, docs?: Map<string, string>): boolean;
  resolveRef(ref: Ref, docs: Map<string, string>, repo: string, allowLinks?: boolean): { ok: boolean };
  codeFiles(repo: string): string[];
  rewriteText(
    path: string,
    text: string,
    docs: Map<string, string>,
    repo: string,
  ): { text: string; changes: string[]; unresolved: string[] };
}
const lib = (await import(pathToFileURL(path.join(REPO, 'scripts/rewrite-doc-refs.mjs')).href)) as DocRefs;

/** The Markdown files whose links must resolve, repository-relative. */
function markdownFiles(): string[] {
  const out = ['README.md', 'CHANGELOG.md'];
  const walk = (rel: string, deep: boolean): void => {
    if (!existsSync(path.join(REPO, rel))) return;
    for (const e of readdirSync(path.join(REPO, rel)).sort()) {
      const p = `${rel}/${e}`;
      if (statSync(path.join(REPO, p)).isDirectory()) {
        if (deep) walk(p, deep);
      } else if (e.endsWith('.md')) out.push(p);
    }
  };
  walk('docs', false);
  walk('bench', false);
  walk('deploy', true);
  return out;
}

/** `file:line: [text](target)` for each link of `md` (as if at `file`) that does not resolve. */
function brokenLinks(file: string, md: string, docs: Map<string, string>): string[] {
  const withThis = new Map(docs).set(file, md);
  return lib
    .links(md)
    .filter((l) => !lib.linkResolves(REPO, file, l.target, withThis))
    .map((l) => `${file}:${l.line}: [${l.text}](${l.target})`);
}

/** `file:line: reference` for each documentation reference in `text` that names no heading. */
function brokenRefs(file: string, text: string, docs: Map<string, string>): string[] {
  return lib
    .findRefs(text)
    .filter((r) => !lib.resolveRef(r, docs, REPO, true).ok)
    .map((r) => `${file}:${r.line}: ${r.raw.replace(/\s+/g, ' ')}`);
}

const docs = lib.readDocs(REPO);

test('every relative link in the Markdown documents resolves, anchors included', () => {
  const files = markdownFiles();
  assert.ok(files.includes('docs/configuration.md'), files.join(', '));
  const checked = files.flatMap((f) => lib.links(readFileSync(path.join(REPO, f), 'utf8')));
  assert.ok(checked.length > 100, `only ${checked.length} links found`);
  assert.deepEqual(
    files.flatMap((f) => brokenLinks(f, readFileSync(path.join(REPO, f), 'utf8'), docs)),
    [],
  );
});

test('every reference to a documentation section in code names an existing heading', () => {
  const files = lib.codeFiles(REPO);
  assert.ok(files.some((f) => f.startsWith('src/')) && files.some((f) => f.startsWith('deploy/')));
  const refs = files.flatMap((f) => lib.findRefs(readFileSync(path.join(REPO, f), 'utf8')));
  assert.ok(refs.length > 10, `only ${refs.length} references found`);
  assert.deepEqual(
    files.flatMap((f) => brokenRefs(f, readFileSync(path.join(REPO, f), 'utf8'), docs)),
    [],
  );
});

test('code comments point at the file that holds the section (scripts/rewrite-doc-refs.mjs has nothing to do)', () => {
  const pending = lib.codeFiles(REPO).flatMap((f) => {
    const r = lib.rewriteText(f, readFileSync(path.join(REPO, f), 'utf8'), docs, REPO);
    return [...r.changes.map((c) => `${f}: ${c}`), ...r.unresolved];
  });
  assert.deepEqual(pending, [], 'run `node scripts/rewrite-doc-refs.mjs`');
});

test('a broken link or reference fails the check', () => {
  const md = [
    '# Title',
    'See [the setup](docs/no-such-file.md), [a section](docs/configuration.md#no-such-heading),',
    '[this one](#title), [a wrapped',
    'one](docs/operations.md#limits-deadlines-and-faults) and [a file](examples/demo/config.yml).',
    '```',
    '[inside a code block](nowhere.md)',
    '```',
  ].join('\n');
  assert.deepEqual(brokenLinks('README.md', md, docs), [
    'README.md:2: [the setup](docs/no-such-file.md)',
    'README.md:2: [a section](docs/configuration.md#no-such-heading)',
  ]);
  assert.deepEqual(brokenLinks('docs/x.md', '[up](../README.md#quick-start) [gone](../README.md#sources)', docs), [
    'docs/x.md:1: [gone](../README.md#sources)',
  ]);

  const code = [
    '// Port (README "Quick start"), limits (docs/operations.md "Limits"): both exist.',
    '/** Pushdown (docs/transformations.md "Asking for',
    ' * less") and README\'s "Docker" moved; docs/operations.md#sharding exists. */',
    '// README "Listen address" never existed; docs/operations.md "Sharding", "No such section";',
    'throw new Error(\'see docs/operations.md#no-such-anchor and docs/nope.md "Sharding"\');',
    '# deploy: (README "Limitsx")',
  ].join('\n');
  assert.deepEqual(
    lib.findRefs(code).map((r) => [r.file, ...(r.anchor === null ? r.titles : [`#${r.anchor}`])]),
    [
      ['README.md', 'Quick start'],
      ['docs/operations.md', 'Limits'],
      ['docs/transformations.md', 'Asking for less'],
      ['README.md', 'Docker'],
      ['docs/operations.md', '#sharding'],
      ['README.md', 'Listen address'],
      ['docs/operations.md', 'Sharding', 'No such section'],
      ['docs/operations.md', '#no-such-anchor'],
      ['docs/nope.md', 'Sharding'],
      ['README.md', 'Limitsx'],
    ],
  );
  assert.deepEqual(brokenRefs('src/x.ts', code, docs), [
    'src/x.ts:3: README\'s "Docker"',
    'src/x.ts:4: README "Listen address"',
    'src/x.ts:4: docs/operations.md "Sharding", "No such section"',
    'src/x.ts:5: docs/operations.md#no-such-anchor',
    'src/x.ts:5: docs/nope.md "Sharding"',
    'src/x.ts:6: README "Limitsx"',
  ]);
});

test('the rewrite points a moved section at its file, in comments only, and is idempotent', () => {
  const code = [
    '// Limits (README "Limits"), and (README "Asking for',
    '// less"); README "Quick start" stays.',
    'const help = \'split the work (README "Sharding")\';',
    '/** The port; see README "Listen address". */',
  ].join('\n');
  const once = lib.rewriteText('src/x.ts', code, docs, REPO);
  assert.equal(
    once.text,
    [
      '// Limits (docs/operations.md "Limits"), and (docs/transformations.md "Asking for',
      '// less"); README "Quick start" stays.',
      'const help = \'split the work (README "Sharding")\';',
      '/** The port; see docs/configuration.md "Top level". */',
    ].join('\n'),
  );
  assert.deepEqual(once.unresolved, []);
  assert.deepEqual(lib.rewriteText('src/x.ts', once.text, docs, REPO).changes, []);
});

test('GitHub anchors and title matching', () => {
  assert.equal(lib.slug('Querying at scrape time (`mode: on_scrape`)'), 'querying-at-scrape-time-mode-on_scrape');
  assert.equal(lib.slug('Limits, deadlines and faults'), 'limits-deadlines-and-faults');
  assert.equal(lib.slug('`query_filter`'), 'query_filter');
  assert.deepEqual(
    lib.headings('# A\n## A\n```\n# not a heading\n```\n### `b` c\n').map((h) => h.anchor),
    ['a', 'a-1', 'b-c'],
  );
  assert.ok(lib.titleMatches('Limits', 'Limits, deadlines and faults'));
  assert.ok(lib.titleMatches('Asking for less', 'Asking for less (projection pushdown)'));
  assert.ok(lib.titleMatches('query:', '`query:`'));
  assert.ok(!lib.titleMatches('Limit', 'Limits, deadlines and faults'));
  assert.ok(!lib.titleMatches('', 'Sources'));
});

test('the README keeps what CI and the tests read from it', () => {
  const readme = docs.get('README.md') ?? assert.fail('README.md');
  // .ci/run runs the README's test command; test/e2e/headline-queries.test.ts runs its first promql block.
  assert.match(readme, /^npm ci && npm run demo {6}# the exporter on a bundled demo file, no server needed$/m);
  assert.match(readme, /^bash scripts\/test\.sh {8}# the whole test suite/m);
  const promql = /```promql\n([\s\S]*?)```/.exec(readme)?.[1] ?? assert.fail('no promql block');
  assert.match(promql, /^max\(kubelet_minor_version\) - min\(kubelet_minor_version\) > 2/m);
  assert.ok(readme.split('\n').length <= 250, `README.md has ${readme.split('\n').length} lines`);
});
