import { METRIC_TYPES } from './metric-types.js';
import type { MetricType } from './series.js';

export { counterBase } from './metric-types.js';

/** Every name a family of this type and name occupies in either exposition format (see `MetricTypeEntry.claimedNames`). */
export function claimedNames(name: string, type: MetricType): readonly string[] {
  return METRIC_TYPES[type].claimedNames(name);
}

/** The label a metric type adds to every output series: `le` for a histogram, the state label for a stateset. */
export function typeLabel(type: MetricType, stateLabel: string | undefined): string | null {
  return METRIC_TYPES[type].typeLabel(stateLabel);
}
