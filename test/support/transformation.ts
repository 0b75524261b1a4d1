import type { TransformationConfig } from '../../src/config/types.js';

/** A complete TransformationConfig with the loader's defaults, for tests that build one by hand. */
export function transformationConfig(over: Partial<TransformationConfig> = {}): TransformationConfig {
  return {
    name: 'kubelet_minor_version',
    help: 'h',
    source: 'default',
    sources: ['default'],
    sourceLabel: null,
    json: null,
    sourceMetric: 'kube_node_info',
    queryFilter: '',
    metricType: 'gauge',
    valueFromLabel: 'minor',
    preserveLabels: ['cluster', 'node'],
    defaultValue: null,
    clearStaleMetrics: true,
    skipEmptyLabels: false,
    intervalSeconds: 60,
    timeoutSeconds: 60,
    maxStalenessSeconds: 180,
    value: null,
    shaping: null,
    onCollision: 'max',
    maxSeries: null,
    states: null,
    buckets: null,
    nameTemplate: null,
    maxNames: 100,
    query: null,
    pushdown: false,
    ...over,
  };
}
