/**
 * The self-metrics table of the docs ("Our own metrics": docs/operations.md,
 * or README.md before the docs moved) lists exactly the metrics that
 * src/selfmetrics/definitions.ts defines, with the same labels, and says
 * "histogram" for the histograms.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PREFIX, SELF_METRICS, type MetricDef } from '../../../src/selfmetrics/definitions.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

interface Documented {
  readonly name: string;
  /** As given in braces; an abbreviated name without them has its row's first name's labels. */
  readonly labels: readonly string[];
  readonly histogram: boolean;
  readonly row: string;
}

const DEFINED: readonly MetricDef[] = Object.values(SELF_METRICS);
const DEFINED_NAMES = new Set(DEFINED.map((d) => d.name));

/** The lines of the largest markdown table whose rows start with a `label_value_exporter_…` name. */
function metricsTable(text: string): string[] {
  let best: string[] = [];
  let block: string[] = [];
  for (const line of [...text.split('\n'), '']) {
    if (line.startsWith('|')) {
      block.push(line);
      continue;
    }
    const rows = block.filter((l) => l.startsWith(`| \`${PREFIX}`));
    if (rows.length > best.length) best = rows;
    block = [];
  }
  return best;
}

/** docs/operations.md if it holds the table, else another docs/*.md that does, else README.md. */
function documentWithTable(): { file: string; rows: string[] } {
  const docs = path.join(REPO, 'docs');
  const others = existsSync(docs)
    ? readdirSync(docs)
        .filter((f) => f.endsWith('.md') && f !== 'operations.md')
        .sort()
        .map((f) => `docs/${f}`)
    : [];
  for (const file of ['docs/operations.md', ...others, 'README.md']) {
    const full = path.join(REPO, file);
    if (!existsSync(full)) continue;
    const rows = metricsTable(readFileSync(full, 'utf8'));
    if (rows.length > 0) return { file, rows };
  }
  throw new Error('no document holds the self-metrics table (a markdown table of `label_value_exporter_…` rows)');
}

/**
 * `..._suffix` after a full name F: F's longest prefix (at an underscore) that,
 * followed by `_suffix`, names a defined metric; the shortest one if none does
 * (so the test reports it as documented but not defined).
 */
function expand(abbreviated: string, first: string): string {
  const suffix = abbreviated.slice('...'.length);
  const parts = first.split('_');
  const candidates: string[] = [];
  for (let k = parts.length - 1; k >= 1; k--) candidates.push(parts.slice(0, k).join('_') + suffix);
  return candidates.find((c) => DEFINED_NAMES.has(c) && c.startsWith(PREFIX)) ?? `${abbreviated} (after ${first})`;
}

function documented(rows: readonly string[]): Documented[] {
  const out: Documented[] = [];
  for (const row of rows) {
    const [, nameCell = '', meaning = ''] = row.split('|');
    const histogram = /\bhistogram\b/.test(meaning);
    let first: { name: string; labels: readonly string[] } | undefined;
    for (const [, token = ''] of nameCell.matchAll(/`([^`]+)`/g)) {
      const m = /^([\w.]+)(?:\{([^}]*)\})?$/.exec(token);
      assert.ok(m, `cannot read ${JSON.stringify(token)} in: ${row}`);
      const [, raw = '', labelList] = m;
      const given =
        labelList === undefined
          ? undefined
          : labelList
              .split(',')
              .map((l) => l.trim())
              .filter(Boolean);
      if (raw.startsWith('...')) {
        assert.ok(first, `an abbreviated name before any full one in: ${row}`);
        out.push({ name: expand(raw, first.name), labels: given ?? first.labels, histogram, row });
      } else {
        first = { name: raw, labels: given ?? [] };
        out.push({ ...first, histogram, row });
      }
    }
  }
  return out;
}

describe('the documented self-metrics', () => {
  const { file, rows } = documentWithTable();
  const docs = documented(rows);

  it('are the defined ones, both ways', () => {
    const documentedNames = new Set(docs.map((d) => d.name));
    const undocumented = [...DEFINED_NAMES].filter((n) => !documentedNames.has(n));
    const undefinedNames = [...documentedNames].filter((n) => !DEFINED_NAMES.has(n));
    assert.deepEqual(
      { undocumented, undefinedNames },
      { undocumented: [], undefinedNames: [] },
      `${file} and src/selfmetrics/definitions.ts`,
    );
    assert.equal(docs.length, documentedNames.size, `a metric documented twice in ${file}`);
  });

  it('carry the defined labels', () => {
    for (const d of docs) {
      const def = DEFINED.find((x) => x.name === d.name);
      if (def) assert.deepEqual([...d.labels].sort(), [...def.labels].sort(), `labels of ${d.name} in ${file}`);
    }
  });

  it('say "histogram" exactly for the histograms', () => {
    for (const d of docs) {
      const def = DEFINED.find((x) => x.name === d.name);
      if (def) assert.equal(d.histogram, def.type === 'histogram', `${d.name} in ${file}: ${d.row}`);
    }
  });
});

describe('the defined self-metrics', () => {
  it('start with the prefix; counters, and only they, end in _total', () => {
    for (const d of DEFINED) {
      assert.ok(d.name.startsWith(PREFIX), d.name);
      assert.equal(d.name.endsWith('_total'), d.type === 'counter', d.name);
    }
  });

  it('list values only for labels they have', () => {
    for (const d of DEFINED) for (const label of Object.keys(d.values ?? {})) assert.ok(d.labels.includes(label), `${d.name}: ${label}`);
  });
});
