import { redactUrlsInText } from '../model/url.js';
import type { FamilySnapshot } from '../snapshot/family.js';
import type { HttpDeps, TransformationView } from './deps.js';

const PREVIEW_SERIES = 5;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function ago(ms: number | undefined, now: number): string {
  if (ms === undefined) return 'never';
  const s = Math.round((now - ms) / 1000);
  return `${new Date(ms).toISOString().replace('.000', '')} (${s < 120 ? `${s}s` : `${Math.round(s / 60)}m`} ago)`;
}

type State = 'pending' | 'ok' | 'failing' | 'never-succeeded' | 'degraded' | 'stale' | 'not-owned';

function stateOf(t: TransformationView, family: FamilySnapshot | undefined): State {
  if (t.shard?.owned === false) return 'not-owned';
  if (t.runs === 0) return 'pending';
  if (t.lastSuccessAtMs !== undefined && !family) return 'stale';
  if (t.lastError) return t.lastSuccessAtMs === undefined ? 'never-succeeded' : 'failing';
  return t.degraded ? 'degraded' : 'ok';
}

const STATE_TEXT: Record<State, string> = {
  pending: 'pending',
  ok: 'ok',
  failing: 'failing',
  'never-succeeded': 'failing, never succeeded',
  degraded: 'degraded',
  stale: 'stale',
  'not-owned': 'not owned',
};

/** Skipped and defaulted source series of the last successful run. */
function counts(t: TransformationView): string {
  if (t.skipped === undefined && t.defaulted === undefined) return '–';
  return `<span class="skipped">${t.skipped ?? 0}</span> / <span class="defaulted">${t.defaulted ?? 0}</span>`;
}

/** The last error, or why the last run was degraded. */
function problem(t: TransformationView): string {
  if (t.lastError) return esc(redactUrlsInText(t.lastError));
  return t.degraded ? `<span class="degraded-reason">${esc(redactUrlsInText(t.degraded))}</span>` : '';
}

/**
 * The first `want` lines of a family's rendered samples and how many there
 * are. Only those lines are decoded: a large family's samples are ~130 MB at
 * 1M series, too much to turn into a string for every view of this page.
 */
function sampleLines(samples: Buffer, want: number): { readonly first: string[]; readonly total: number } {
  const first: string[] = [];
  let total = 0;
  for (let start = 0; start < samples.length; total++) {
    const nl = samples.indexOf(0x0a, start);
    const end = nl === -1 ? samples.length : nl;
    if (first.length < want) first.push(samples.toString('utf8', start, end));
    start = end + 1;
  }
  return { first, total };
}

/** The first sample lines as served (every metric type renders its own way). */
function preview(family: FamilySnapshot | undefined): string {
  if (!family || family.series.length === 0) return '<em>no series served</em>';
  const lines: string[] = [];
  let total = 0;
  for (const f of family.families) {
    const part = sampleLines(f.samples, PREVIEW_SERIES - lines.length);
    lines.push(...part.first);
    total += part.total;
  }
  const more = total > lines.length ? `\n… ${total - lines.length} more lines` : '';
  return `<pre>${esc(lines.join('\n') + more)}</pre>`;
}

function row(t: TransformationView, deps: HttpDeps, now: number): string {
  const family = deps.store.get(t.name);
  if (t.shard?.owned === false) {
    return `<tr class="not-owned" data-transformation="${esc(t.name)}" data-state="not-owned">
<td class="name">${esc(t.name)}</td><td>${esc(t.source)}</td><td>every ${t.intervalSeconds}s</td>
<td class="state">not owned by this shard</td><td colspan="5" class="shard">${esc(t.shard.note)}</td></tr>`;
  }
  const state = stateOf(t, family);
  const age = t.lastSuccessAtMs === undefined ? '–' : `${Math.round((now - t.lastSuccessAtMs) / 1000)}s / ${t.maxStalenessSeconds}s`;
  return `<tr class="${state}" data-transformation="${esc(t.name)}" data-state="${state}">
<td class="name">${esc(t.name)}</td><td>${esc(t.source)}</td><td>${t.onScrapeCacheSeconds === undefined ? `every ${t.intervalSeconds}s` : `on scrape, cache ${t.onScrapeCacheSeconds}s`}</td>
<td class="state">${STATE_TEXT[state]}</td><td>${ago(t.lastRunAtMs, now)}</td><td>${family?.series.length ?? 0}</td>
<td class="counts">${counts(t)}</td><td>${age}</td><td class="error">${problem(t)}</td></tr>${t.shard ? `\n<tr class="detail"><td colspan="9" class="shard">${esc(t.shard.note)}</td></tr>` : ''}
<tr class="detail"><td colspan="9"><details><summary>output preview</summary>${preview(family)}</details></td></tr>`;
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;width:100%}th,td{padding:.3em .6em;text-align:left;border-bottom:1px solid #ddd;vertical-align:top}
th{background:#f4f4f4}tr.detail td{border-bottom:2px solid #ccc}pre{margin:.3em 0;white-space:pre-wrap;word-break:break-all}
.state{font-weight:bold}.ok .state{color:#1a7f37}.failing .state,.failing .error{color:#c01818}.failing .name::before{content:"✖ ";color:#c01818}
.never-succeeded .state,.never-succeeded .error{color:#c01818}.never-succeeded .name::before{content:"✖ ";color:#c01818}
.degraded .state,.degraded .error{color:#b35900}.degraded .name::before{content:"⚠ ";color:#b35900}#config-problem{color:#c01818;font-weight:bold}
.stale .state{color:#b35900}.not-owned .state{color:#777;font-weight:normal}.pending .state{color:#777}nav a{margin-right:1em}`;

/**
 * The status page at `/`: self-contained (no external assets, clusters are
 * often air-gapped). Each transformation with its source, schedule, last run,
 * state, series count, data age against max_staleness and last error, a
 * preview of its output, and the running config with secrets redacted.
 */
export function statusPage(deps: HttpDeps, now = Date.now()): string {
  const statuses = deps.statuses();
  const failing = statuses.filter((t) => t.lastError).length;
  const degraded = statuses.filter((t) => !t.lastError && t.degraded).length;
  const fileProblem = deps.configProblem?.();
  const others = statuses.filter((t) => t.shard?.owned === false).length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>label-value-exporter</title><style>${STYLE}</style></head>
<body>
<h1>label-value-exporter</h1>
<p>${esc(deps.version)} · ${deps.ready() ? 'ready' : 'not ready (waiting for first successful runs)'} · ${statuses.length} transformation(s), <span id="failing-count">${failing}</span> failing, <span id="degraded-count">${degraded}</span> degraded${others ? `, <span id="not-owned-count">${others}</span> run by other shards` : ''}</p>
${fileProblem ? `<p id="config-problem">The config file on disk failed to load at ${ago(fileProblem.atMs, now)}; still running the last good configuration: ${esc(redactUrlsInText(fileProblem.message))}</p>\n` : ''}<nav><a href="/metrics">Metrics</a><a href="/-/healthy">Health</a><a href="/-/ready">Readiness</a></nav>
<h2>Transformations</h2>
<table id="transformations"><thead><tr><th>Transformation</th><th>Source</th><th>Schedule</th><th>State</th><th>Last run</th><th>Series</th><th>Skipped / defaulted</th><th>Data age / max</th><th>Last error / degraded because</th></tr></thead>
<tbody>
${statuses.map((t) => row(t, deps, now)).join('\n')}
</tbody></table>
<h2>Configuration</h2>
<p>Secrets are shown as &lt;secret&gt;.</p>
<pre id="config">${esc(deps.configText())}</pre>
</body></html>
`;
}
