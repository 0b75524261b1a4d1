import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '../../../src/registry/load.js';
import { ConfigError } from '../../../src/model/errors.js';

/**
 * The prototype (shared/baselines/seed_exporter.py) read YAML with PyYAML and
 * converted its own keys itself: float(scrape_interval), int(exporter_port),
 * float(default_value), and `.get(key) or fallback` for optional keys. So
 * quoted numbers and empty keys ran there and must load here, meaning the same.
 */
const FILE = '/etc/lve/config.yml';

function load(text: string) {
  return parseConfig(text, FILE, {});
}

function problems(text: string): string[] {
  try {
    load(text);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems.map((p) => `${p.path}: ${p.message}`);
  }
  return assert.fail('loaded');
}

describe("the prototype's quoted numbers and empty keys load unchanged", () => {
  test('scrape_interval "300", exporter_port "8000", default_value "0", query_timeout "30"', () => {
    const config = load(`victoriametrics_url: "http://vmselect:8481/select/0/prometheus"
scrape_interval: "300"
exporter_port: "8000"
query_timeout: "30"
metric_transformations:
  - name: "kubelet_minor_version"
    source_metric: "kube_node_info"
    value_from_label: "minor"
    default_value: "0"
`);
    assert.equal(config.listenPort, 8000);
    const t = config.transformations[0];
    assert.equal(t?.intervalSeconds, 300);
    assert.equal(t?.defaultValue, 0);
    const s = config.sources.get('default');
    assert.ok(s?.type === 'prometheus');
    assert.equal(s.http.timeoutSeconds, 30);
  });

  test('what float() and int() read: whitespace, a sign, decimals, exponents', () => {
    const config = load(`scrape_interval: " 2.5 "
exporter_port: " +9101 "
metric_transformations:
  - { name: a, source_metric: m, value_from_label: l, default_value: "-1.5e3", interval: "1e2" }
`);
    assert.equal(config.listenPort, 9101);
    assert.equal(config.transformations[0]?.defaultValue, -1500);
    assert.equal(config.transformations[0]?.intervalSeconds, 100);
  });

  test('empty keys the prototype read with .get(): default_value, query_filter, preserve_labels', () => {
    const config = load(`metric_transformations:
  - name: "kubelet_minor_version"
    source_metric: "kube_node_info"
    value_from_label: "minor"
    default_value:
    query_filter:
    preserve_labels:
`);
    const t = config.transformations[0];
    assert.equal(t?.defaultValue, null);
    assert.equal(t?.queryFilter, '');
    assert.equal(t?.preserveLabels, null);
  });

  test('what the prototype refused is still refused, with a message about the value written', () => {
    assert.deepEqual(
      problems(`scrape_interval: "-5"
exporter_port: "8000.5"
metric_transformations:
  - { name: a, source_metric: m, value_from_label: l, default_value: "nan", timeout: "0" }
`),
      [
        'scrape_interval: must be a positive number of seconds',
        'exporter_port: expected a port number from 1 to 65535',
        'metric_transformations[0].default_value: expected a number (e.g. 0)',
        'metric_transformations[0].timeout: must be a positive number of seconds',
      ],
    );
  });
});
