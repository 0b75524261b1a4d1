import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { queryText } from './query-text.js';
import type { SourceQuery } from './source.js';

const BASE: SourceQuery = { metric: 'kube_node_info', filter: 'cluster="prod"', labels: ['cluster', 'node', 'minor'] };

describe('queryText: what a query-API source is asked', () => {
  test('the plain selector without pushdown', () => {
    assert.equal(queryText(BASE, true), 'kube_node_info{cluster="prod"}');
    assert.equal(queryText({ ...BASE, filter: '' }, true), 'kube_node_info');
    assert.equal(queryText({ ...BASE, pushdown: false }, true), 'kube_node_info{cluster="prod"}');
  });

  test('with pushdown allowed by transformation and source: group by the labels read', () => {
    assert.equal(queryText({ ...BASE, pushdown: true }, true), 'group by (cluster, node, minor) (kube_node_info{cluster="prod"})');
    assert.equal(queryText({ ...BASE, filter: '', pushdown: true }, true), 'group by (cluster, node, minor) (kube_node_info)');
  });

  test('the source opt-out (pushdown: false on the source) wins', () => {
    assert.equal(queryText({ ...BASE, pushdown: true }, false), 'kube_node_info{cluster="prod"}');
  });

  test('all labels read (no projection): nothing to push down', () => {
    assert.equal(queryText({ ...BASE, labels: null, pushdown: true }, true), 'kube_node_info{cluster="prod"}');
  });

  test('labels Prometheus 2.42 rejects in by (...) keep the plain selector', () => {
    for (const l of ['inf', 'NaN', 'without', 'Without']) {
      assert.equal(queryText({ ...BASE, labels: ['node', l], pushdown: true }, true), 'kube_node_info{cluster="prod"}', l);
    }
    // Other keywords are accepted as grouping labels (checked against Prometheus 2.42 and VictoriaMetrics 1.79).
    assert.equal(
      queryText({ ...BASE, filter: '', labels: ['on', 'offset', 'by'], pushdown: true }, true),
      'group by (on, offset, by) (kube_node_info)',
    );
  });

  test("the user's query is sent as written, never rewritten", () => {
    const expr = 'max by (node, minor) (kube_node_info)';
    assert.equal(queryText({ ...BASE, expr, pushdown: true }, true), expr);
    assert.equal(queryText({ ...BASE, expr }, false), expr);
  });
});
