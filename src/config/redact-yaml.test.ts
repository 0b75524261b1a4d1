import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactedYaml } from './redact-yaml.js';

const TEXT = `# prod token: tok-COMMENT-S3CRET
scrape_interval: 30
x-auth: &pw pw-ANCHOR-S3CRET
sources:
  - name: vm
    type: prometheus
    url: "http://lve:pw-URL-S3CRET@vm:8428/select?api_key=key-S3CRET"
    bearer_token: tok-S3CRET
    headers: {X-Api-Key: hdr-S3CRET}
    basic_auth: {username: alice, password: *pw}
  - name: other
    type: prometheus
    url: http://vm2:8428
    basic_auth: {username: bob, password: pw-PLAIN-S3CRET}
    headers: *pw
metric_transformations:
  - name: kubelet_minor_version
    source_metric: kube_node_info
    value_from_label: minor   # the kubelet's minor version
    preserve_labels: [cluster, node]
    default_value: 0
`;

test("the status page config keeps the user's keys and hides every secret", () => {
  const shown = redactedYaml(TEXT) ?? '';
  assert.ok(!/S3CRET/.test(shown), shown);
  assert.match(shown, /^ {4}value_from_label: minor$/m);
  assert.match(shown, /^ {4}preserve_labels: \[ cluster, node \]$/m);
  assert.match(shown, /^ {4}default_value: 0$/m);
  assert.match(shown, /^scrape_interval: 30$/m);
  assert.match(shown, /bearer_token: <secret>/);
  assert.match(shown, /X-Api-Key: <secret>/);
  assert.match(shown, /username: alice/);
  assert.match(shown, /vm:8428\/select\?api_key=<secret>/);
  assert.doesNotMatch(shown, /valueFromLabel|preserveLabels/);
});

test('text that is not YAML gives null (the caller falls back to the built config)', () => {
  assert.equal(redactedYaml('a: [\n'), null);
});
