import type { MetricType, OutputSeries } from '../model/series.js';
import type { FamilySnapshot } from '../snapshot/family.js';
import { escapeHelp, formatValue, type ExpositionFormat } from './format.js';

/** Renders sample lines once per run. Hand-written: it runs over every output series. */
export function renderSamples(name: string, series: readonly OutputSeries[]): Buffer {
  const parts: string[] = [];
  let chunk = '';
  for (const s of series) {
    chunk += s.labelText === '' ? `${name} ${formatValue(s.value)}\n` : `${name}{${s.labelText}} ${formatValue(s.value)}\n`;
    if (chunk.length > 65536) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return Buffer.from(parts.join(''), 'utf8');
}

/**
 * The metadata lines of a family. An info family is `info` in OpenMetrics
 * only when its name ends in `_info` (OpenMetrics requires the suffix on the
 * samples); otherwise it is declared a gauge, so the series names are the same
 * in both formats.
 */
export function renderHeader(f: Pick<FamilySnapshot, 'name' | 'help' | 'type'>, format: ExpositionFormat): string {
  const help = escapeHelp(f.help, format);
  if (format === 'text') return `# HELP ${f.name} ${help}\n# TYPE ${f.name} gauge\n`;
  const type: MetricType = f.type === 'info' && f.name.endsWith('_info') ? 'info' : 'gauge';
  const family = type === 'info' ? f.name.slice(0, -'_info'.length) : f.name;
  return `# HELP ${family} ${help}\n# TYPE ${family} ${type}\n`;
}
