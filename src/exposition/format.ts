/** The two exposition formats we serve. */
export type { ExpositionFormat } from '../model/metric-types.js';
import type { ExpositionFormat } from '../model/metric-types.js';

/** Sample value spelling shared by both formats (and remote write): defined with the metric types. */
export { formatValue } from '../model/metric-types.js';

export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = {
  text: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

/** HELP text: the text format escapes `\` and newline; OpenMetrics also `"`. */
export function escapeHelp(help: string, format: ExpositionFormat): string {
  const s = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return format === 'openmetrics' ? s.replace(/"/g, '\\"') : s;
}
