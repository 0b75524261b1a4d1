import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/registry/load.js';
import { redactedConfig } from '../../../src/registry/redact.js';

const MINIMAL = `metric_transformations:
  - { name: m, source_metric: kube_node_info, value_from_label: minor }
`;

function urlOf(url: string): string {
  const config = parseConfig(`victoriametrics_url: ${JSON.stringify(url)}\n${MINIMAL}`, '/etc/lve/config.yml', {});
  const s = config.sources.get('default');
  assert.ok(s && s.type === 'prometheus');
  return s.http.url;
}

test('a base URL keeps its query string as written; only the path loses trailing slashes', () => {
  assert.equal(urlOf('http://vm:8428/q/?api_key=abc/'), 'http://vm:8428/q/?api_key=abc/', 'a key ending in "/" is kept whole');
  assert.equal(urlOf('http://vm:8428/select/0/prometheus/'), 'http://vm:8428/select/0/prometheus');
  assert.equal(urlOf('http://vm:8428'), 'http://vm:8428');
});

test("the shown config blanks a URL's query values (credentials in it went to basic auth)", () => {
  const config = parseConfig(
    `victoriametrics_url: "http://lve:pw-SECRET@vm:8428/q?api_key=key-SECRET"\n${MINIMAL}`,
    '/etc/lve/config.yml',
    {},
  );
  const shown = JSON.stringify(redactedConfig(config));
  assert.ok(!shown.includes('SECRET'), shown);
  assert.match(shown, /http:\/\/vm:8428\/q\?api_key=<secret>/);
});
