/**
 * Benchmark child process: our real pipeline, isolated from the harness.
 * Runs one transformation `runs` times back to back against the given query
 * API (query → parse → transform → render → swap), prints each run's time as
 * a JSON line, then serves the resulting snapshot over HTTP exactly as the
 * exporter does, until killed. Usage: child.js URL RUNS
 * Usage: child.js URL RUNS [PRESERVE_LABELS], e.g. `cluster` for an aggregating transformation.
 * BENCH_PUSHDOWN=auto (default, as in production) | true | false.
 */
import { once } from 'node:events';
import { parseConfig } from '../src/registry/load.js';
import { createHttpServer } from '../src/http/server.js';
import { createLogger } from '../src/logging/logger.js';
import { PushdownAdvisor } from '../src/scheduler/pushdown-advisor.js';
import { runTransformation } from '../src/scheduler/run.js';
import { SelfMetrics } from '../src/selfmetrics/self-metrics.js';
import { SnapshotStore } from '../src/snapshot/store.js';
import { createSource } from '../src/sources/registry.js';

const [url = '', runsArg = '5', preserve = 'cluster,node,instance'] = process.argv.slice(2);
const pushdown = process.env.BENCH_PUSHDOWN ?? 'auto';
const config = parseConfig(
  `victoriametrics_url: "${url}"
query_timeout: 600
metric_transformations:
  - name: kubelet_minor_version
    source_metric: kube_node_info
    value_from_label: minor
    preserve_labels: [${preserve}]
    default_value: 0
    pushdown: ${pushdown}
`,
  'bench.yml',
);
const t = config.transformations[0];
const sourceCfg = config.sources.get('default');
if (!t || !sourceCfg) throw new Error('bench config');
const metrics = new SelfMetrics();
const source = createSource(sourceCfg, { request: (s, c, sec) => metrics.sourceRequest(s, c, sec) });
const store = new SnapshotStore();
const advisor = new PushdownAdvisor(t, source.labelKeep === true);
for (let i = 0; i < Number(runsArg); i++) {
  const started = performance.now();
  // As a scheduled job does: pushdown: auto decides per run from what the earlier runs saw.
  const pushed = advisor.use();
  const outcome = await runTransformation(t, [source], store, AbortSignal.timeout(600_000), { keepStale: true, projection: pushed });
  const seconds = (performance.now() - started) / 1000;
  if (!outcome.ok) throw outcome.error;
  advisor.record(pushed, outcome.result.sourceSeries);
  const mem = process.memoryUsage();
  process.stdout.write(
    `${JSON.stringify({ run: i, seconds, pushed, series: outcome.result.series.length, rssMB: Math.round(mem.rss / 1048576), heapMB: Math.round(mem.heapUsed / 1048576), extMB: Math.round((mem.external + mem.arrayBuffers) / 1048576) })}\n`,
  );
}
const server = createHttpServer(
  {
    store,
    selfMetrics: (f) => metrics.render(f),
    scraped: (f) => metrics.scraped(f),
    ready: () => true,
    statuses: () => [],
    reload: async () => ({ ok: false, message: 'not in the benchmark' }),
    configText: () => '',
    version: 'benchmark',
  },
  createLogger('warn', 'logfmt'),
);
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const addr = server.address();
process.stdout.write(`${JSON.stringify({ listening: typeof addr === 'object' && addr ? addr.port : 0 })}\n`);
