/**
 * parser: version against real programs on 127.0.0.1: a real
 * prometheus-node-exporter (kernel release from node_uname_info, os-release
 * VERSION_ID from node_os_info) and a real VictoriaMetrics' own /metrics
 * (go_info's Go version). Expected numbers are computed here from this
 * machine's own view (os.release(), /etc/os-release) and from the text the
 * program serves, not from our parser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { startNodeExporter } from '../support/node-exporter.js';
import { withLogs } from '../support/logs.js';
import { startVictoriaMetrics } from '../support/victoria-metrics.js';
import { family } from '../support/dataset.js';
import { startExporter } from '../support/exporter.js';

const TEST_TIMEOUT = 60_000;

/** parts as numbers, `digits` digits each after the first: the documented encoding, computed independently. */
function encode(parts: readonly number[], n: number, digits = 3): number {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 10 ** digits + (parts[i] ?? 0);
  return v;
}

const dotted = (text: string): number[] => (/\d+(?:\.\d+)*/.exec(text)?.[0] ?? '').split('.').map(Number);

test(
  'version: kernel release, os-release VERSION_ID (node_exporter) and Go version (VictoriaMetrics) as ordered numbers',
  { timeout: TEST_TIMEOUT },
  async () => {
    const ne = await startNodeExporter(['uname', 'os']);
    const vm = await startVictoriaMetrics();
    const osRelease = await readFile('/etc/os-release', 'utf8');
    const versionId = /^VERSION_ID="?([^"\n]*)"?$/m.exec(osRelease)?.[1];
    assert.ok(versionId, 'this machine has a VERSION_ID');
    const goVersion = /^go_info\{version="(go[^"]+)"\}/m.exec(await (await fetch(`${vm.url}/metrics`)).text())?.[1];
    assert.ok(goVersion, 'VictoriaMetrics serves go_info');
    const ex = await startExporter(
      `${JSON.stringify({
        scrape_interval: 1,
        sources: [
          { name: 'node', type: 'scrape', url: ne.url },
          { name: 'vm', type: 'scrape', url: `${vm.url}/metrics` },
        ],
        metric_transformations: [
          {
            name: 'node_kernel_version',
            source: 'node',
            source_metric: 'node_uname_info',
            value_from_label: 'release',
            value: { parser: 'version', parts: 2 },
            preserve_labels: ['nodename'],
          },
          {
            name: 'node_os_version_id',
            source: 'node',
            source_metric: 'node_os_info',
            value_from_label: 'version_id',
            value: { parser: 'version', parts: 2 },
            preserve_labels: ['id'],
          },
          { name: 'vm_go_version', source: 'vm', source_metric: 'go_info', value_from_label: 'version', value: { parser: 'version' } },
        ],
      })}\n`,
    );
    try {
      await withLogs([ex.proc, ne.proc], async () => {
        const names = ['node_kernel_version', 'node_os_version_id', 'vm_go_version'];
        const s = await ex.waitForSamples((x) => names.every((n) => family(x, n).size === 1), 'one series per transformation');
        const value = (n: string) => [...family(s, n).values()][0];
        // e.g. 6.18.44-fc → 6018: above 6.9 (6009), where a decimal regex gave 6.18 < 6.9.
        assert.equal(value('node_kernel_version'), encode(dotted(os.release()), 2), os.release());
        assert.equal(value('node_os_version_id'), encode(dotted(versionId), 2), versionId);
        assert.equal(value('vm_go_version'), encode(dotted(goVersion), 3), goVersion);
      });
    } finally {
      await ex.stop();
      await vm.stop();
      await ne.proc.stop();
    }
  },
);
