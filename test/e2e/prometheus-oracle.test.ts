/**
 * A real Prometheus 2.42 (the Debian binary) as the oracle of the exposition
 * parser: every case of test/fixtures/exposition-corpus/ is served by an
 * in-process static server, scraped by Prometheus (one job per case; text or
 * OpenMetrics by Content-Type) and read by our scrape source. For each case
 * the verdict (`up` 1 or 0; our read succeeds or fails) and the samples
 * (Prometheus' latest value per series; what our source hands over) must be
 * equal. The corpus file names carry Prometheus' verdict (`ok-`/`bad-`), so
 * the unit test of the corpus can run without Prometheus; here they are
 * checked against it too.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/registry/load.js';
import { SourceError } from '../../src/model/errors.js';
import { createSource } from '../../src/sources/registry.js';
import { loadCorpus, type CorpusCase } from '../support/exposition-corpus.js';
import { startPrometheus, type Prometheus } from '../support/prometheus.js';
import { startStaticServer, type StaticServer } from '../support/static-server.js';
import { KNOWN_DIFFERENCES } from '../support/exposition-differences.js';

interface Verdict {
  readonly accepted: boolean;
  /** `name{sorted labels}` → value as text (NaN and ±Inf spelled as Prometheus does). */
  readonly samples: Record<string, string>;
  readonly error?: string;
}

let prom: Prometheus | undefined;
let server: StaticServer | undefined;
const corpus = loadCorpus();

function valueText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Prometheus prints floats with Go's shortest 'f' form; Number() reads it back exactly. */
function promValueText(v: string): string {
  return v === 'NaN' || v === '+Inf' || v === '-Inf' ? v : valueText(Number(v));
}

/** Empty label values are no labels (Prometheus drops them at storage), `job`/`instance` are the target's. */
function seriesKey(name: string, labels: Readonly<Record<string, string>>, skip: ReadonlySet<string>): string {
  const pairs = Object.keys(labels)
    .filter((k) => k !== '__name__' && !skip.has(k) && labels[k] !== '')
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${name}{${pairs.join(',')}}`;
}

/** Metric names in the body, found without our parser (a name at a line's start). */
function candidateNames(c: CorpusCase): Set<string> {
  const names = new Set<string>();
  for (const line of c.body.toString('latin1').split('\n')) {
    const m = /^[ \t]*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    if (m?.[1] !== undefined) names.add(m[1]);
  }
  return names;
}

/** Our verdict: the scrape source, once per metric name of the case (it selects one metric). */
async function ours(c: CorpusCase, url: string, extraNames: Iterable<string>): Promise<Verdict> {
  const config = parseConfig(
    `sources:\n  - {name: s, type: scrape, url: ${JSON.stringify(url)}}\nmetric_transformations: []\n`,
    'oracle.yml',
    {},
  );
  const source = createSource(config.sources.get('s') ?? assert.fail('source s'), { request: () => undefined });
  const samples: Record<string, string> = {};
  try {
    for (const name of new Set([...candidateNames(c), ...extraNames, 'none_such_metric'])) {
      await source.collect(
        { metric: name, filter: '', labels: null },
        (labels, value) => {
          samples[seriesKey(name, labels, new Set())] = valueText(value);
        },
        new AbortController().signal,
      );
    }
    return { accepted: true, samples };
  } catch (e) {
    if (!(e instanceof SourceError)) throw e;
    return { accepted: false, samples: {}, error: e.message };
  } finally {
    await source.close();
  }
}

describe('the exposition parser agrees with a real Prometheus 2.42 on the corpus (e2e)', () => {
  before(async () => {
    server = await startStaticServer();
    for (const c of corpus) server.set(`/${c.name}`, c.body, c.contentType);
    prom = await startPrometheus({
      globalScrapeInterval: '1s',
      scrapeConfigs: corpus.map((c) => ({
        jobName: c.name,
        targets: [`127.0.0.1:${(server as StaticServer).port}`],
        metricsPath: `/${c.name}`,
        honorLabels: true,
      })),
    });
  });

  after(async () => {
    await prom?.stop();
    await server?.close();
  });

  test(`${corpus.length} cases: same verdict, same samples`, { timeout: 60_000 }, async () => {
    const p = prom as Prometheus;
    const srv = server as StaticServer;
    const up = await p.waitForQuery('up', (r) => r.length === corpus.length, 30_000);
    const all = await p.query('{__name__=~".+",__name__!~"up|scrape_.+"}');
    // The comparison of samples is not vacuous: the accepted cases hold this many series.
    assert.ok(all.length >= 70, `Prometheus stored ${all.length} corpus series`);
    const theirs = new Map<string, Verdict>();
    for (const u of up) {
      theirs.set(u.metric['job'] ?? '', { accepted: u.value[1] === '1', samples: {} });
    }
    for (const s of all) {
      const v = theirs.get(s.metric['job'] ?? '');
      assert.ok(v, `a sample of a known job: ${JSON.stringify(s.metric)}`);
      (v.samples as Record<string, string>)[seriesKey(s.metric['__name__'] ?? '', s.metric, new Set(['job', 'instance']))] = promValueText(
        s.value[1],
      );
    }
    const lastError = new Map((await p.activeTargets()).map((t) => [t.scrapePool ?? '', t.lastError ?? '']));
    const differences: string[] = [];
    const verdictLabels: string[] = [];
    for (const c of corpus) {
      const t = theirs.get(c.name) ?? assert.fail(`no up for ${c.name}`);
      if (!t.accepted) (t as { error?: string }).error = lastError.get(c.name);
      if (t.accepted !== c.accepted) verdictLabels.push(`${c.name}: Prometheus ${describeVerdict(t)}`);
      const names = Object.keys(t.samples).map((k) => k.slice(0, k.indexOf('{')));
      const o = await ours(c, `${srv.url}/${c.name}`, names);
      const same = o.accepted === t.accepted && (!o.accepted || JSON.stringify(sorted(o.samples)) === JSON.stringify(sorted(t.samples)));
      if (!same) differences.push(`${c.name}: prometheus ${describeVerdict(t)} | ours ${describeVerdict(o)}`);
    }
    const agreed = corpus.length - differences.length;
    console.log(`prometheus-oracle: ${agreed}/${corpus.length} cases agree`);
    assert.deepEqual(verdictLabels, [], "the corpus file names carry Prometheus 2.42's verdict");
    assert.deepEqual(
      differences.map((d) => d.slice(0, d.indexOf(':'))).sort(),
      [...KNOWN_DIFFERENCES.keys()].sort(),
      differences.join('\n'),
    );
  });
});

function sorted(r: Record<string, string>): Array<[string, string]> {
  return Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function describeVerdict(v: Verdict): string {
  return v.accepted ? `accepts ${JSON.stringify(sorted(v.samples))}` : `refuses${v.error ? ` (${v.error})` : ''}`;
}
