/**
 * Label names that are Object.prototype members (`__proto__`, `constructor`,
 * `toString`, `hasOwnProperty`, `valueOf`, `isPrototypeOf`) are data like any
 * other, end to end: a scraped exposition → the scrape source (parser and
 * `query_filter`) → transformations (plain, all-labels, info with shaping)
 * → the exporter's /metrics → a real Prometheus scraping the exporter.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPrometheus, type Prometheus } from '../support/prometheus.js';
import { startStaticServer, type StaticServer } from '../support/static-server.js';
import { startExporter, type Exporter } from '../support/exporter.js';

const EXPOSITION = [
  '# HELP proto_info Series whose label names are Object.prototype members.',
  '# TYPE proto_info gauge',
  'proto_info{__proto__="a",constructor="3",toString="x",hasOwnProperty="h",valueOf="v1"} 1',
  'proto_info{__proto__="b",constructor="5",toString="",valueOf="v2"} 1',
  'proto_info{__proto__="c",constructor="7"} 1',
  'proto_info{constructor="9",toString="y"} 1',
  '',
].join('\n');

const TRANSFORMATIONS = [
  // query_filter on toString; value from constructor; preserved toString and hasOwnProperty.
  {
    name: 'proto_a',
    source: 's',
    source_metric: 'proto_info',
    query_filter: 'toString!=""',
    value_from_label: 'constructor',
    preserve_labels: ['toString', 'hasOwnProperty'],
  },
  // All labels kept (so __proto__ is output); toString="" also matches a missing toString.
  {
    name: 'proto_b',
    source: 's',
    source_metric: 'proto_info',
    query_filter: 'toString="", constructor=~".+"',
    value_from_label: 'constructor',
  },
  // Shaping (all labels, so __proto__ passes through the shaper): constructor and toString renamed,
  // a static label named isPrototypeOf, hasOwnProperty dropped.
  {
    name: 'proto_c',
    source: 's',
    source_metric: 'proto_info',
    value_from_label: 'valueOf',
    metric_type: 'info',
    rename_labels: { constructor: 'ctor', toString: 'to_string' },
    static_labels: { isPrototypeOf: 'yes' },
    drop_labels: ['hasOwnProperty'],
  },
];

/** The config as YAML (JSON is YAML). */
function configText(url: string): string {
  return JSON.stringify({ scrape_interval: 1, sources: [{ name: 's', type: 'scrape', url }], metric_transformations: TRANSFORMATIONS });
}

const EXPECTED = [
  'proto_a{hasOwnProperty="h",toString="x"} 3',
  'proto_a{toString="y"} 9',
  'proto_b{__proto__="b",valueOf="v2"} 5',
  'proto_b{__proto__="c"} 7',
  'proto_c{__proto__="a",ctor="3",isPrototypeOf="yes",to_string="x",valueOf="v1"} 1',
  'proto_c{__proto__="b",ctor="5",isPrototypeOf="yes",valueOf="v2"} 1',
  'proto_c{__proto__="c",ctor="7",isPrototypeOf="yes"} 1',
  'proto_c{ctor="9",isPrototypeOf="yes",to_string="y"} 1',
];

let server: StaticServer | undefined;
let exporter: Exporter | undefined;
let prom: Prometheus | undefined;

describe('labels named __proto__, constructor, toString: scrape → transformation → /metrics → Prometheus (e2e)', () => {
  before(async () => {
    server = await startStaticServer();
    server.set('/metrics', EXPOSITION);
    exporter = await startExporter(configText(`${server.url}/metrics`));
  });

  after(async () => {
    await prom?.stop();
    await exporter?.stop();
    await server?.close();
  });

  test('every series and label arrives, and the filters select by own labels only', { timeout: 40_000 }, async () => {
    const ex = exporter as Exporter;
    const ours = (s: Map<string, number>) =>
      [...s]
        .filter(([k]) => /^proto_/.test(k))
        .map(([k, v]) => `${k} ${v}`)
        .sort();
    const got = await ex.waitForSamples((s) => ours(s).length >= EXPECTED.length, 'the proto_ series on /metrics');
    assert.deepEqual(ours(got), EXPECTED);

    prom = await startPrometheus({ scrapeConfigs: [{ jobName: 'lve', targets: [`127.0.0.1:${ex.port}`], honorLabels: true }] });
    const seen = await prom.waitForQuery('{__name__=~"proto_.+"}', (r) => r.length === EXPECTED.length, 20_000);
    const text = seen
      .map((r) => {
        const { __name__: name, job: _job, instance: _instance, ...labels } = r.metric;
        const pairs = Object.keys(labels)
          .sort()
          .map((k) => `${k}="${labels[k]}"`);
        return `${name}{${pairs.join(',')}} ${r.value[1]}`;
      })
      .sort();
    assert.deepEqual(text, EXPECTED, 'Prometheus stored what /metrics served');
  });
});
