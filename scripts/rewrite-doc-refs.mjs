// Points references to documentation sections in code at the file that holds the section now.
//   node scripts/rewrite-doc-refs.mjs            rewrite in place, list what changed
//   node scripts/rewrite-doc-refs.mjs --dry-run  only list what would change
//
// A reference is `README "Title"`, `README's "Title"`, `docs/x.md "Title"` (several titles: `"A", "B"`) or
// `docs/x.md#anchor`, in files under src/ test/ bench/ deploy/ monitoring/ examples/. A title names a heading:
// the heading's text, or its start up to a word boundary (`"Limits"` names "Limits, deadlines and faults").
// A reference whose file has no such heading is pointed at the one Markdown file (README.md or docs/*.md) that
// has it. Only comments and prose are rewritten: a reference inside a string literal is user-visible output
// (an error message, --help), which must not change; README keeps a link of that title for those.
// Idempotent: a second run changes nothing. test/unit/doc-links.test.ts imports the helpers below.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Directories whose files may refer to documentation sections. */
export const CODE_DIRS = ['src', 'test', 'bench', 'deploy', 'monitoring', 'examples'];
/** Files scanned for references, by extension. */
const CODE_EXT = /\.(ts|mts|js|mjs|cjs|sh|ya?ml|prom|json|md|txt)$/;
/** Files that quote broken references on purpose. */
export const SKIP_FILES = ['test/unit/doc-links.test.ts'];

/** Titles that name no section anywhere, and the section meant (see the report of issue #14). */
const RENAMED_TITLES = new Map([['Listen address', 'Top level']]);
/** Informal references that the reference syntax does not catch, and what they become. */
const LITERAL_FIXES = [["README's sharding section", 'docs/operations.md "Sharding"']];

/** The text of a heading or a link as GitHub renders it: no code marks, no link targets, no emphasis. */
export function plainText(md) {
  return md
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .replace(/\*\*|\*/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** GitHub's anchor for a heading (github-slugger): lower case, punctuation removed, spaces to hyphens. */
export function slug(headingText) {
  return plainText(headingText)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Lines outside fenced code blocks, with their 0-based numbers. */
function proseLines(md) {
  const out = [];
  let fence = null;
  md.split('\n').forEach((line, i) => {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (m) {
      if (fence === null) fence = m[1][0];
      else if (m[1][0] === fence) fence = null;
      return;
    }
    if (fence === null) out.push({ line, i });
  });
  return out;
}

/** The headings of a Markdown text: their plain text and anchor (repeats get -1, -2, ... as on GitHub). */
export function headings(md) {
  const seen = new Map();
  const out = [];
  for (const { line } of proseLines(md)) {
    const m = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.push({ text: plainText(m[1]), anchor: n === 0 ? base : `${base}-${n}` });
  }
  return out;
}

/** The inline links of a Markdown text outside code blocks: text, target and 1-based line. */
export function links(md) {
  const out = [];
  const lines = proseLines(md);
  // Join consecutive prose lines so that a link's text may wrap; remember where each line starts.
  let text = '';
  const starts = [];
  for (const { line, i } of lines) {
    starts.push({ at: text.length, i });
    text += `${line}\n`;
  }
  const re = /!?\[((?:[^\][]|\[[^\]]*\])*)\]\(\s*<?([^()\s<>]*(?:\([^()\s]*\)[^()\s<>]*)*)>?(?:\s+"[^"]*")?\s*\)/g;
  for (const m of text.matchAll(re)) {
    let line = 0;
    for (const s of starts) if (s.at <= m.index) line = s.i + 1;
    out.push({ text: plainText(m[1]), target: m[2], line });
  }
  return out;
}

/** Does a reference's title name this heading: the whole text, or its start up to a word boundary? */
export function titleMatches(title, heading) {
  const t = plainText(title).toLowerCase();
  const h = plainText(heading).toLowerCase();
  if (t === '' || !h.startsWith(t)) return false;
  return h.length === t.length || !/[\p{L}\p{N}_]/u.test(h[t.length]);
}

const REF_FILE = String.raw`(README(?:\.md)?|docs\/[\w.-]+\.md)`;
// A title may wrap onto the next comment line (` * `, `// `, `# `).
const TITLE = String.raw`\\?"([^"\n\\]+(?:\n[ \t]*(?:\*|\/\/|#)?[ \t]*[^"\n\\]+)?)\\?"`;
const REF = new RegExp(String.raw`\b${REF_FILE}('s)?(?:[ \t]+(${TITLE}(?:[ \t]*(?:,|and)[ \t]*${TITLE})*)|#([\w-]+))`, 'g');

/**
 * The documentation references in a file's text: the file named (README.md or docs/x.md), its titles or
 * anchor, where the reference starts, and the 1-based line.
 */
export function findRefs(text) {
  const out = [];
  for (const m of text.matchAll(REF)) {
    const file = m[1] === 'README' ? 'README.md' : m[1];
    const titles =
      m[3] === undefined
        ? []
        : [...m[3].matchAll(new RegExp(TITLE, 'g'))].map((t) => t[1].replace(/[ \t]*\n[ \t]*(?:\*|\/\/|#)?[ \t]*/g, ' '));
    out.push({
      raw: m[0],
      file,
      word: m[1],
      titles,
      anchor: m[6] ?? null,
      index: m.index,
      line: text.slice(0, m.index).split('\n').length,
    });
  }
  return out;
}

/** The Markdown documents references may name, read from the repository: path → text. */
export function readDocs(repo) {
  const docs = new Map();
  docs.set('README.md', readFileSync(join(repo, 'README.md'), 'utf8'));
  const dir = join(repo, 'docs');
  if (existsSync(dir))
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.md')) docs.set(`docs/${f}`, readFileSync(join(dir, f), 'utf8'));
  return docs;
}

/** Does a link target (relative to the file `from`) name an existing file, and heading when it has an anchor? */
export function linkResolves(repo, from, target, docsByPath = new Map()) {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return true; // http:, https:, mailto:
  const [path, anchor] = target.split('#', 2);
  const file = path === '' ? join(repo, from) : join(repo, dirname(from), decodeURI(path));
  const rel = relative(repo, file).split('\\').join('/');
  if (!docsByPath.has(rel) && !existsSync(file)) return false;
  if (anchor === undefined || anchor === '') return true;
  if (!file.endsWith('.md')) return false;
  const md = docsByPath.get(rel) ?? readFileSync(file, 'utf8');
  return headings(md).some((h) => h.anchor === anchor);
}

/**
 * Where a reference points, given the documents: `ok` when its file has the section (for README, a link of
 * that title to an existing section counts when `allowLinks`), else the one other document holding every
 * title (or the anchor), or null.
 */
export function resolveRef(ref, docs, repo, allowLinks = true) {
  const has = (path) => {
    const md = docs.get(path);
    if (md === undefined) return false;
    const hs = headings(md);
    if (ref.anchor !== null) return hs.some((h) => h.anchor === ref.anchor);
    return ref.titles.every((t) => {
      if (hs.some((h) => titleMatches(t, h.text))) return true;
      if (!allowLinks || path !== 'README.md') return false;
      return links(md).some((l) => titleMatches(t, l.text) && linkResolves(repo, path, l.target, docs));
    });
  };
  if (has(ref.file)) return { ok: true, holder: ref.file };
  const holders = [...docs.keys()].filter((p) => p !== ref.file && has(p));
  return { ok: false, holder: holders.length === 1 ? holders[0] : null, candidates: holders };
}

/** Is the reference at `index` in a comment (or prose), rather than in a string literal of code? */
export function inComment(path, text, index) {
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  const before = text.slice(lineStart, index);
  if (/\.(md|txt)$/.test(path)) return true;
  if (/\.(ya?ml|sh|prom)$/.test(path)) return before.includes('#');
  return /^\s*(\*|\/\*|\/\/)/.test(before) || before.includes('//');
}

/** Every file under the code directories that may hold references, repository-relative. */
export function codeFiles(repo) {
  const out = [];
  const walk = (rel) => {
    for (const e of readdirSync(join(repo, rel)).sort()) {
      const p = `${rel}/${e}`;
      if (e === 'node_modules' || e === 'dist' || e.startsWith('.')) continue;
      if (statSync(join(repo, p)).isDirectory()) walk(p);
      else if (CODE_EXT.test(e) && !SKIP_FILES.includes(p)) out.push(p);
    }
  };
  for (const d of CODE_DIRS) if (existsSync(join(repo, d))) walk(d);
  return out;
}

/** Rewrites one file's text; returns the new text and what changed, and what could not be resolved. */
export function rewriteText(path, text, docs, repo) {
  const changes = [];
  const unresolved = [];
  for (const [from, to] of LITERAL_FIXES) {
    if (text.includes(from)) {
      text = text.split(from).join(to);
      changes.push(`${from} → ${to}`);
    }
  }
  // Right to left, so that earlier indexes stay valid.
  for (const ref of findRefs(text).reverse()) {
    let r = resolveRef(ref, docs, repo, false);
    if (r.ok) continue;
    let replaced = ref.raw;
    if (r.holder === null && ref.titles.some((t) => RENAMED_TITLES.has(t))) {
      for (const [old, now] of RENAMED_TITLES) replaced = replaced.split(`"${old}"`).join(`"${now}"`);
      const renamed = findRefs(replaced)[0];
      r = renamed === undefined ? r : resolveRef(renamed, docs, repo, false);
      if (r.ok) r = { ok: false, holder: ref.file };
    }
    if (r.holder === null || r.holder === undefined) {
      if (!resolveRef(ref, docs, repo, true).ok) unresolved.push(`${path}:${ref.line}: ${ref.raw.replace(/\s+/g, ' ')}`);
      continue;
    }
    if (!inComment(path, text, ref.index)) {
      // User-visible text keeps its words; the test accepts it when README links to the section.
      if (!resolveRef(ref, docs, repo, true).ok)
        unresolved.push(`${path}:${ref.line}: ${ref.raw} (in a string: add a README link "${ref.titles[0]}")`);
      continue;
    }
    const word = r.holder === ref.file ? ref.word : r.holder === 'README.md' ? 'README' : r.holder;
    const next = word + replaced.slice(ref.word.length);
    text = text.slice(0, ref.index) + next + text.slice(ref.index + ref.raw.length);
    changes.push(`${ref.line}: ${ref.raw.replace(/\s+/g, ' ')} → ${next.replace(/\s+/g, ' ')}`);
  }
  return { text, changes: changes.reverse(), unresolved };
}

function main() {
  const repo = fileURLToPath(new URL('..', import.meta.url));
  const dry = process.argv.includes('--dry-run');
  const docs = readDocs(repo);
  let changed = 0;
  const unresolved = [];
  for (const path of codeFiles(repo)) {
    const before = readFileSync(join(repo, path), 'utf8');
    const r = rewriteText(path, before, docs, repo);
    unresolved.push(...r.unresolved);
    if (r.text === before) continue;
    changed++;
    for (const c of r.changes) console.log(`${path}: ${c}`);
    if (!dry) writeFileSync(join(repo, path), r.text);
  }
  for (const u of unresolved) console.error(`unresolved: ${u}`);
  console.log(`${changed} file(s) ${dry ? 'would change' : 'changed'}; ${unresolved.length} unresolved`);
  process.exitCode = unresolved.length > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
