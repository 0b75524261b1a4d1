/**
 * The status page in a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core): it shows the transformations of a real run against a real
 * VictoriaMetrics, marks a failing one visibly, and leaks no secret.
 * The screenshot is kept in test-artifacts/status-page.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { requireBinary } from '../support/binaries.js';
import { freePort } from '../support/ports.js';
import { startVictoriaMetrics, type VictoriaMetrics } from '../support/victoria-metrics.js';
import { KUBE_NODE_INFO, NODE_COUNT } from '../support/dataset.js';
import { REPO, startExporter, type Exporter } from '../support/exporter.js';

const SECRET = 'tok-STATUS-S3CRET-9';

describe('status page in Chromium', () => {
  let vm: VictoriaMetrics;
  let exporter: Exporter;
  let browser: Browser;

  before(async () => {
    const executablePath = requireBinary('chromium', 'chromium');
    vm = await startVictoriaMetrics();
    await vm.importPrometheus(KUBE_NODE_INFO);
    await vm.waitForSeries('kube_node_info', NODE_COUNT);
    const closed = await freePort();
    exporter = await startExporter(`scrape_interval: 1
max_staleness: 1h
sources:
  - name: default
    type: prometheus
    url: ${vm.url}
    bearer_token: ${SECRET}
  - name: broken
    type: prometheus
    url: http://127.0.0.1:${closed}
metric_transformations:
  - name: kubelet_minor_version
    source_metric: kube_node_info
    value_from_label: minor
    preserve_labels: [cluster, node]
    default_value: 0
  - name: broken_minor_version
    source: broken
    source_metric: kube_node_info
    value_from_label: minor
`);
    await exporter.waitForSamples(
      (s) =>
        s.get('label_value_exporter_transformation_last_run_success{transformation="broken_minor_version"}') === 0 &&
        s.get('label_value_exporter_transformation_last_run_success{transformation="kubelet_minor_version"}') === 1,
      'one good and one failing transformation',
    );
    browser = await chromium.launch({
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  after(async () => {
    await browser?.close();
    await exporter?.stop();
    await vm?.stop();
  });

  test('shows each transformation, marks the failing one, previews output, redacts secrets', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const res = await page.goto(`${exporter.url}/`);
    assert.equal(res?.status(), 200);
    const good = page.locator('tr[data-transformation="kubelet_minor_version"]');
    const bad = page.locator('tr[data-transformation="broken_minor_version"]');
    assert.equal(await good.getAttribute('data-state'), 'ok');
    // It has never succeeded: marked as such, not merely "failing" (issue #13 item 7).
    assert.equal(await bad.getAttribute('data-state'), 'never-succeeded');
    assert.equal((await bad.locator('td.state').textContent())?.trim(), 'failing, never succeeded');
    assert.equal((await good.locator('td').nth(5).textContent())?.trim(), String(NODE_COUNT));
    assert.match((await bad.locator('td.error').textContent()) ?? '', /ECONNREFUSED/);
    // Visibly marked: red text, not just a class name.
    // (Page-side code as strings: this project compiles without DOM types.)
    const color = await page.evaluate(
      `getComputedStyle(document.querySelector('tr[data-transformation="broken_minor_version"] td.state')).color`,
    );
    assert.equal(color, 'rgb(192, 24, 24)');
    assert.equal(await page.locator('#failing-count').textContent(), '1');
    await page.evaluate(`document.querySelector('tr.detail details').open = true`);
    assert.match(
      (await page.locator('tr.detail pre').first().textContent()) ?? '',
      /kubelet_minor_version\{cluster="prod",node="worker-1"\} 28/,
    );
    const config = (await page.locator('#config').textContent()) ?? '';
    assert.match(config, /bearer_token: <secret>/);
    // The user's own YAML keys, not internal field names.
    assert.match(config, /^ {4}value_from_label: minor$/m);
    assert.doesNotMatch(config, /valueFromLabel/);
    const html = await page.content();
    assert.ok(!html.includes(SECRET), 'the bearer token must not appear on the page');
    // Self-contained: the page loads nothing but itself.
    assert.deepEqual(requests, [`${exporter.url}/`]);
    const dir = path.join(REPO, 'test-artifacts');
    await mkdir(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, 'status-page.png'), fullPage: true });
  });
});
