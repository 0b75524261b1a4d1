import type { HttpDeps } from './deps.js';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A small self-contained landing page: links, and one row per transformation. */
export function landingPage(deps: HttpDeps): string {
  const rows = deps
    .statuses()
    .map((t) => {
      const family = deps.store.get(t.name);
      const state = t.runs === 0 ? 'pending' : t.lastError ? 'failing' : 'ok';
      const last = t.lastRunAtMs ? new Date(t.lastRunAtMs).toISOString() : '–';
      return `<tr class="${state}"><td>${esc(t.name)}</td><td>${esc(t.source)}</td><td>${t.intervalSeconds}s</td><td>${state}</td><td>${last}</td><td>${family?.series.length ?? 0}</td><td>${esc(t.lastError ?? '')}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>label-value-exporter</title>
<style>body{font-family:sans-serif;margin:2em}td,th{padding:.2em .8em;text-align:left}.failing{color:#b00}.pending{color:#888}</style>
</head><body>
<h1>label-value-exporter</h1>
<p><a href="/metrics">Metrics</a> · <a href="/-/healthy">Health</a> · <a href="/-/ready">Readiness</a></p>
<table><thead><tr><th>Transformation</th><th>Source</th><th>Interval</th><th>State</th><th>Last run</th><th>Series</th><th>Last error</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}
