import type { Writable } from 'node:stream';
import { once } from 'node:events';
import type { FamilySnapshot } from '../snapshot/family.js';
import type { ExpositionFormat } from './format.js';
import { renderHeader } from './render.js';

async function put(out: Writable, chunk: string | Buffer): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/**
 * Writes a whole exposition: every family in name order (pre-rendered
 * samples, written as they are), then the exporter's own metrics, then
 * `# EOF` for OpenMetrics. Honours back-pressure, so a large body is sent in
 * chunks without blocking the event loop or building one giant string.
 */
export async function writeExposition(
  out: Writable,
  families: ReadonlyMap<string, FamilySnapshot>,
  selfMetrics: string,
  format: ExpositionFormat,
): Promise<void> {
  const sorted = [...families.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const f of sorted) {
    await put(out, renderHeader(f, format));
    if (f.samples.length > 0) await put(out, f.samples);
  }
  await put(out, selfMetrics);
  if (format === 'openmetrics') await put(out, '# EOF\n');
}
