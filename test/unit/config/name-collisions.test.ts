import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/registry/load.js';
import { metricsInQuery, nameCollisionWarnings } from '../../../src/config/name-collisions.js';

function warnings(transformations: string): string[] {
  return nameCollisionWarnings(parseConfig(`metric_transformations:\n${transformations}`, '/etc/lve/config.yml', {}));
}

test('metricsInQuery: selector names, __name__ matchers, range selectors; not label values or functions', () => {
  const r = metricsInQuery(
    'max by (node) (kube_node_info{cluster="a"}) * on(node) group_left {__name__="node_uname_info"} + rate(http_total[5m]) + {__name__=~"go_.*"}',
  );
  assert.deepEqual([...r.names].sort(), ['http_total', 'kube_node_info', 'node_uname_info']);
  assert.deepEqual(r.patterns.map(String), ['/^(?:go_.*)$/']);
});

test('no warning for a config that reads other metrics than it serves', () => {
  assert.deepEqual(warnings('  - { name: kubelet_minor_version, source_metric: kube_node_info, value_from_label: minor }\n'), []);
});

test('served sample names count: a counter x serves x_total, a histogram x_bucket', () => {
  const w = warnings(`  - { name: node_reboots, metric_type: counter, source_metric: kube_node_info, value_from_label: minor }
  - { name: node_minor, metric_type: histogram, buckets: [1], source_metric: kube_node_info, value_from_label: minor }
  - { name: a, query: 'node_reboots_total + node_minor_bucket', value_from_label: x }
`);
  assert.equal(w.length, 2, w.join('\n'));
  assert.match(w[0] ?? '', /^"node_reboots" serves node_reboots_total, a metric transformation\(s\) a read/);
  assert.match(w[1] ?? '', /^"node_minor" serves node_minor_bucket/);
});

test('a __name__ regex and a dynamic name are compared as patterns', () => {
  const w = warnings(`  - { name: "{{app}}_version", source_metric: app_info, value_from_label: v }
  - { name: node_os_image_info, metric_type: info, source_metric: kube_node_info, value_from_label: os_image }
  - { name: b, query: '{__name__=~"node_os_.*"} or api_version', value_from_label: x }
`);
  assert.equal(w.length, 2, w.join('\n'));
  assert.match(w[0] ?? '', /^"\{\{app\}\}_version" serves api_version/);
  assert.match(w[1] ?? '', /^"node_os_image_info" serves node_os_image_info, a metric a query reads/);
});
