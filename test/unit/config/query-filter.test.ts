import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/registry/load.js';
import { ConfigError } from '../../../src/model/errors.js';
import { matchesAll, parseSelector } from '../../../src/model/selector.js';

/** A config whose one transformation reads `source` (a prometheus source of `flavor`) with `filter`, as a YAML single-quoted string. */
function config(filter: string, flavor: 'prometheus' | 'victoriametrics'): string {
  return [
    'sources:',
    '  - {name: s, type: prometheus, url: "http://127.0.0.1:9090", flavor: ' + flavor + '}',
    'metric_transformations:',
    '  - {name: m, source: s, source_metric: kube_node_info, value_from_label: minor, query_filter: ' +
      `'${filter.replace(/'/g, "''")}'` +
      '}',
    '',
  ].join('\n');
}

// What Prometheus' own parser accepts inside braces stays accepted, for both flavours.
const ACCEPTED = [
  `cluster='prod'`,
  'node=~`worker-\\d+`',
  'node=~"worker-\\\\d+"',
  'a="say \\"hi\\"\\n\\t\\x41\\u00e9\\101"',
  'a="x",',
  '  a = "x" ,  b !~ "y|z"  ',
  '"service.name"="api"',
  'or="x", and="y"',
  'node=~"(?i)worker-.*"',
  'node=~"(?P<n>w)"',
];
for (const filter of ACCEPTED) {
  for (const flavor of ['prometheus', 'victoriametrics'] as const) {
    test(`query_filter ${JSON.stringify(filter)} loads for flavor ${flavor}`, () => {
      const c = parseConfig(config(filter, flavor), '/tmp/c.yml', {});
      assert.equal(c.transformations[0]?.queryFilter, filter.trim());
    });
  }
}

test('MetricsQL "or" loads for flavor victoriametrics only, and means either group', () => {
  const filter = 'cluster="a" or cluster="b", zone!=""';
  assert.doesNotThrow(() => parseConfig(config(filter, 'victoriametrics'), '/tmp/c.yml', {}));
  assert.throws(
    () => parseConfig(config(filter, 'prometheus'), '/tmp/c.yml', {}),
    (e: unknown) => e instanceof ConfigError && /"or" between matchers is MetricsQL/.test(e.message),
  );
  const groups = parseSelector(filter, { allowOr: true });
  const any = (labels: Record<string, string>): boolean => groups.some((g) => matchesAll(g, labels));
  assert.equal(any({ cluster: 'a' }), true);
  assert.equal(any({ cluster: 'b', zone: 'z' }), true);
  assert.equal(any({ cluster: 'b' }), false);
  assert.equal(any({ cluster: 'c', zone: 'z' }), false);
});

test('a query_filter error in a double-quoted YAML string points at the character', () => {
  const text =
    'metric_transformations:\n  - name: m\n    source_metric: x\n    value_from_label: v\n    query_filter: "a=\\"b\\", c=~\\"(?=d)\\""\n';
  assert.throws(
    () => parseConfig(text, '/tmp/c.yml', {}),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      // After the opening quote at column 19, `a=\"b\", c=~` takes 12 columns: the regex's opening `\"` starts at column 32.
      assert.equal(`${e.problems[0]?.line}:${e.problems[0]?.column}`, '5:32');
      return true;
    },
  );
});
