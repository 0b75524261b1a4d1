/**
 * Every metric type and a dynamic name, end to end: the golden case's data
 * (test/golden/cases/metric-types) imported into a real VictoriaMetrics, the
 * exporter reading it from there, and two real scrapers reading our output:
 * Prometheus, which negotiates OpenMetrics, and a second VictoriaMetrics with
 * -promscrape.config, which asks for the text format. The live output must be
 * the golden output byte for byte in both formats, pass promtool (text) and
 * the reference OpenMetrics parser, and answer the PromQL each type is for.
 * The same data read from a real Prometheus as the source gives the same output.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withLogs } from '../support/logs.js';
import { checkOpenMetrics } from '../support/openmetrics-check.js';
import { startPrometheus, type Prometheus } from '../support/prometheus.js';
import { labelsOf, type InstantSample } from '../support/promql.js';
import { promtoolCheckMetrics } from '../support/promtool.js';
import { startStaticServer, type StaticServer } from '../support/static-server.js';
import { makeTempDir } from '../support/temp.js';
import { waitFor } from '../support/wait.js';
import { startVictoriaMetrics, type VictoriaMetrics } from '../support/victoria-metrics.js';
import { REPO, startExporter, type Exporter } from '../support/exporter.js';

const CASE = path.join(REPO, 'test/golden/cases/metric-types');
const INPUT = readFileSync(path.join(CASE, 'input.prom'), 'utf8');
const EXPECTED_TEXT = readFileSync(path.join(CASE, 'expected.prom'), 'utf8');
const EXPECTED_OM = readFileSync(path.join(CASE, 'expected.om'), 'utf8');
/** The golden config, reading the real VictoriaMetrics instead of the file. */
const CONFIG = readFileSync(path.join(CASE, 'config.yml'), 'utf8').replace(/^sources:.*\n/, '');

const OWN = /^(label_value_exporter_|process_|nodejs_)/;

/** The exposition without the exporter's own families (and without `# EOF`). */
function derivedOnly(body: string): string {
  const out: string[] = [];
  for (const line of body.split('\n')) {
    if (line === '' || line === '# EOF') continue;
    const name = line.startsWith('#') ? (line.split(' ')[2] ?? '') : line;
    if (!OWN.test(name)) out.push(line);
  }
  return `${out.join('\n')}\n`;
}

/** Polls an instant query on either server until the predicate holds. */
async function waitForQuery(s: Prometheus | VictoriaMetrics, expr: string, ok: (r: InstantSample[]) => boolean): Promise<InstantSample[]> {
  let last: InstantSample[] = [];
  return waitFor(
    async () => {
      last = await s.query(expr);
      return ok(last) ? last : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250, what: `query ${expr}`, process: s.process, detail: () => JSON.stringify(last) },
  );
}

function values(result: InstantSample[], key: string): Record<string, number> {
  return Object.fromEntries(result.map((s) => [labelsOf(s)[key] ?? '', Number(s.value[1])]));
}

describe('metric types end to end', () => {
  let source: VictoriaMetrics;
  let scraperVm: VictoriaMetrics;
  let prom: Prometheus;
  let exporter: Exporter;

  before(async () => {
    source = await startVictoriaMetrics();
    await source.importPrometheus(INPUT);
    await source.waitForSeries('{__name__=~"argocd_app_info|jenkins_job_info|kube_node_info|service_window_info"}', 17);
    exporter = await startExporter(`victoriametrics_url: "${source.url}"\nscrape_interval: 1\n${CONFIG}`);
    const dir = await makeTempDir('vm-scrape');
    const scrapeFile = path.join(dir, 'scrape.yml');
    await writeFile(
      scrapeFile,
      `scrape_configs:\n  - job_name: lve\n    scrape_interval: 1s\n    honor_labels: true\n    static_configs: [{ targets: ["127.0.0.1:${exporter.port}"] }]\n`,
    );
    scraperVm = await startVictoriaMetrics({ extraArgs: [`-promscrape.config=${scrapeFile}`] });
    prom = await startPrometheus({ scrapeConfigs: [{ jobName: 'lve', targets: [`127.0.0.1:${exporter.port}`], honorLabels: true }] });
  });

  after(async () => {
    await prom?.stop();
    await scraperVm?.stop();
    await exporter?.stop();
    await source?.stop();
  });

  const procs = () => [exporter.proc, source.process, scraperVm.process, prom.process];

  test('the live output equals the golden files in both formats and passes both checkers', async () => {
    await withLogs(procs(), async () => {
      await exporter.waitForSamples(
        (s) =>
          s.has('kubelet_minor_versions_count{cluster="gke"}') &&
          s.has('argocd_app_sync{name="search",status="Synced"}') &&
          s.has('jenkins_job_last_build_number_total{folder="ci",job="nightly"}') &&
          s.has('ingress_nginx_service_window_in_window{env="prod"}') &&
          s.has('argocd_app_health{name="search",project="web",argocd_app_health="Healthy"}'),
        'every transformation served',
      );
      const text = await exporter.metricsText();
      assert.equal(derivedOnly(text), EXPECTED_TEXT);
      const om = await exporter.metricsText({ accept: 'application/openmetrics-text; version=1.0.0' });
      assert.equal(derivedOnly(om), derivedOnly(EXPECTED_OM));
      const lint = await promtoolCheckMetrics(text);
      assert.equal(lint.code, 0, lint.output);
      const strict = checkOpenMetrics(om);
      assert.ok(strict.ok, strict.output);
      assert.match(strict.output, /^argocd_app_health stateset 18$/m);
      assert.match(strict.output, /^jenkins_job_last_build_number counter 2$/m);
      assert.match(strict.output, /^kubelet_minor_versions histogram 16$/m);
    });
  });

  for (const [name, scraper] of [
    ['Prometheus (OpenMetrics)', () => prom],
    ['VictoriaMetrics promscrape (text format)', () => scraperVm],
  ] as const) {
    test(`${name} scrapes us and answers the queries each type is for`, async () => {
      await withLogs(procs(), async () => {
        const s = scraper();
        // Histogram: the median kubelet minor version per cluster, and how many nodes are below 1.27.
        const median = await waitForQuery(
          s,
          'histogram_quantile(0.5, sum by (cluster, le) (kubelet_minor_versions_bucket))',
          (r) => r.length === 2,
        );
        const m = values(median, 'cluster');
        assert.ok((m['eks'] as number) > 27 && (m['eks'] as number) <= 28, `eks median ${m['eks']}`);
        assert.deepEqual(values(await s.query('kubelet_minor_versions_bucket{le="26.0"}'), 'cluster'), { eks: 0, gke: 1 });
        assert.deepEqual(values(await s.query('kubelet_minor_versions_count'), 'cluster'), { eks: 3, gke: 2 });
        // Stateset: which applications are degraded; exactly one state is 1 per application.
        assert.deepEqual(values(await s.query('argocd_app_health{argocd_app_health="Degraded"} == 1'), 'name'), { payments: 1 });
        assert.deepEqual(values(await s.query('sum by (name) (argocd_app_health)'), 'name'), { checkout: 1, payments: 1, search: 1 });
        assert.deepEqual(values(await s.query('argocd_app_sync{status="Unknown"}'), 'name'), {
          checkout: 0,
          legacy: 1,
          payments: 0,
          search: 0,
        });
        // Counter: carried under its _total name.
        assert.deepEqual(values(await s.query('jenkins_job_last_build_number_total'), 'job'), { 'deploy-api': 1843, nightly: 97 });
        // Dynamic names: one metric per component.
        assert.deepEqual(values(await s.query('ingress_nginx_service_window_in_window'), 'env'), { prod: 1, staging: 0 });
        assert.deepEqual(values(await s.query('cert_manager_service_window_in_window'), 'env'), { prod: 0 });
      });
    });
  }

  test('both formats were actually negotiated', async () => {
    const samples = await exporter.samples();
    assert.ok((samples.get('label_value_exporter_metrics_requests_total{format="openmetrics"}') ?? 0) >= 1);
    assert.ok((samples.get('label_value_exporter_metrics_requests_total{format="text"}') ?? 0) >= 1);
    const up = await prom.query('up{job="lve"}');
    assert.equal(up[0]?.value[1], '1');
    const vmUp = await scraperVm.query('up{job="lve"}');
    assert.equal(vmUp[0]?.value[1], '1');
  });
});

describe('metric types with a real Prometheus as the source', () => {
  let fixtures: StaticServer;
  let prom: Prometheus;
  let exporter: Exporter;

  before(async () => {
    // Prometheus scrapes the same data (honor_labels keeps its job labels) and answers our queries.
    fixtures = await startStaticServer();
    fixtures.set('/metrics', INPUT);
    prom = await startPrometheus({ scrapeConfigs: [{ jobName: 'fixtures', targets: [`127.0.0.1:${fixtures.port}`], honorLabels: true }] });
    await prom.waitForQuery(
      'count({__name__=~"argocd_app_info|jenkins_job_info|kube_node_info|service_window_info"})',
      (r) => Number(r[0]?.value[1]) === 17,
    );
    exporter = await startExporter(`victoriametrics_url: "${prom.url}"\nscrape_interval: 1\n${CONFIG}`);
  });

  after(async () => {
    await exporter?.stop();
    await prom?.stop();
    await fixtures?.close();
  });

  test('the live output equals the golden files in both formats', async () => {
    await withLogs([exporter.proc, prom.process], async () => {
      await exporter.waitForSamples(
        (s) =>
          s.has('kubelet_minor_versions_count{cluster="gke"}') &&
          s.has('argocd_app_sync{name="search",status="Synced"}') &&
          s.has('jenkins_job_last_build_number_total{folder="ci",job="nightly"}') &&
          s.has('ingress_nginx_service_window_in_window{env="prod"}') &&
          s.has('argocd_app_health{name="search",project="web",argocd_app_health="Healthy"}'),
        'every transformation served',
      );
      assert.equal(derivedOnly(await exporter.metricsText()), EXPECTED_TEXT);
      assert.equal(
        derivedOnly(await exporter.metricsText({ accept: 'application/openmetrics-text; version=1.0.0' })),
        derivedOnly(EXPECTED_OM),
      );
    });
  });
});
