/**
 * `check` (without --probe) catches query_filter mistakes at their line and
 * column, against a real VictoriaMetrics. Each mistake here used to pass
 * `check` and `check --probe`, and the first error a user saw was the
 * server's message about a `group by (…)` query they never wrote: the test
 * shows that the server really refuses each of them, so catching them at load
 * loses nothing. Filters the server accepts still pass `check` (MetricsQL's
 * `or` is left to unit tests: the VictoriaMetrics installed here predates it).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeTempDir } from '../support/temp.js';
import { startVictoriaMetrics, type VictoriaMetrics } from '../support/victoria-metrics.js';
import { KUBE_NODE_INFO, NODE_COUNT } from '../support/dataset.js';
import { CLI } from '../support/exporter.js';

function run(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
}

describe('check catches query_filter mistakes that the backend would refuse at run time', () => {
  let vm: VictoriaMetrics | undefined;
  let dir = '';

  before(async () => {
    dir = await makeTempDir('query-filter-check');
    vm = await startVictoriaMetrics();
    await vm.importPrometheus(KUBE_NODE_INFO);
    await vm.waitForSeries('kube_node_info', NODE_COUNT);
  });

  after(async () => {
    await vm?.stop();
  });

  /** A config reading the real VictoriaMetrics with `filter` as a single-quoted YAML string (the filter on line 5, from column 19). */
  async function configWith(name: string, filter: string): Promise<string> {
    assert.ok(vm);
    const f = path.join(dir, name);
    await writeFile(
      f,
      `victoriametrics_url: "${vm.url}"
metric_transformations:
  - name: kubelet_minor_version
    source_metric: kube_node_info
    query_filter: '${filter.replace(/'/g, "''")}'
    value_from_label: minor
    preserve_labels: [node]
`,
    );
    return f;
  }

  const MISTAKES = [
    {
      name: 'unclosed quote',
      filter: 'cluster="prod", node=~"worker-.*',
      column: 42,
      message: /unterminated quoted string \(the " opened here is not closed\)$/,
    },
    {
      name: 'lookahead regex',
      filter: 'node=~"(?!worker-1).*"',
      column: 26,
      message: /not valid RE2 syntax .*invalid or unsupported Perl syntax: `\(\?!`; lookahead and lookbehind/,
    },
  ];

  for (const m of MISTAKES) {
    test(`${m.name}: the server refuses the query, and check (no --probe) reports it at line 5 column ${m.column}`, async () => {
      assert.ok(vm);
      await assert.rejects(
        vm.query(`group by (node, minor) (kube_node_info{${m.filter}})`),
        'the backend refuses it: this is the run-time failure check now prevents',
      );
      const f = await configWith(`${m.name.replace(/ /g, '-')}.yml`, m.filter);
      const r = run(['check', '--config.file', f]);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      const line = r.stderr.split('\n').find((l) => l.includes('query_filter')) ?? '';
      assert.ok(line.startsWith(`${f}:5:${m.column}: metric_transformations[0].query_filter: invalid label matchers: `), r.stderr);
      assert.match(line, m.message);
    });
  }

  test('filters the server accepts pass check: quotes, backticks, escapes, trailing comma, spaces', async () => {
    assert.ok(vm);
    const filters = [`cluster="prod", node=~\`worker-\\d+\`,`, `node=~"worker-\\\\d"`, `  cluster = 'prod' , minor!~"2[0-7]"  `];
    for (const [i, filter] of filters.entries()) {
      const served = await vm.query(`kube_node_info{${filter}}`);
      assert.ok(served.length > 0, `${filter} selects series on the server`);
      const r = run(['check', '--config.file', await configWith(`ok-${i}.yml`, filter)]);
      assert.equal(r.status, 0, `${filter}: ${r.stdout}${r.stderr}`);
    }
  });
});
