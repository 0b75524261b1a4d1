import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry, type RegistryContentType } from 'prom-client';
import { SELF_METRICS, type MetricDef, type SelfMetricDefs } from './definitions.js';
import { CounterFan, GaugeFan, HistogramFan, type AnyFan, type FanFor } from './fan-out.js';

const LINT_FAILING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

type AnyRegistry = Registry<RegistryContentType>;

/** Every self-metric of `SELF_METRICS`, by its key, on every registry. */
export type Fans = { readonly [K in keyof SelfMetricDefs]: FanFor<SelfMetricDefs[K]> };

/**
 * The metrics of `SELF_METRICS` on several registries. prom-client renames
 * counters in place when it renders OpenMetrics, so the text and OpenMetrics
 * registries each get their own instances (see `self-metrics.ts`).
 */
export class MetricSet {
  readonly fans: Fans;
  /** Metrics registered only by `enable`, with their instances per registry. */
  readonly #later: Array<{
    readonly def: MetricDef;
    readonly instances: ReadonlyArray<readonly [AnyRegistry, Counter | Gauge | Histogram]>;
  }> = [];
  readonly #enabled = new Set<MetricDef['group']>();

  constructor(registries: readonly AnyRegistry[]) {
    for (const registry of registries) {
      collectDefaultMetrics({ register: registry });
      // prom-client exposes these totals as gauges named *_total, which promtool's
      // linter rejects; the per-type gauges without the suffix carry the same data.
      for (const name of LINT_FAILING_DEFAULTS) registry.removeSingleMetric(name);
    }
    const fans: Record<string, AnyFan> = {};
    for (const [k, def] of Object.entries(SELF_METRICS) as Array<[string, MetricDef]>) {
      const instances = registries.map((r) => [r, create(def, def.group ? [] : [r])] as const);
      if (def.group) this.#later.push({ def, instances });
      fans[k] = fan(
        def,
        instances.map(([, m]) => m),
      );
    }
    this.fans = fans as unknown as Fans;
  }

  /** Registers the metrics of `group` (once; in table order). */
  enable(group: NonNullable<MetricDef['group']>): void {
    if (this.#enabled.has(group)) return;
    this.#enabled.add(group);
    for (const { def, instances } of this.#later) if (def.group === group) for (const [r, m] of instances) r.registerMetric(m);
  }

  /** Removes every series carrying `label` = `value`, of every metric that has that label (but those kept on removal). */
  forget(label: 'transformation' | 'remote', value: string): void {
    for (const f of Object.values(this.fans) as AnyFan[]) if (!f.def.keptOnRemoval) f.removeWith(label, value);
  }
}

function create(def: MetricDef, registers: AnyRegistry[]): Counter | Gauge | Histogram {
  const config = { name: def.name, help: def.help, labelNames: def.labels, registers };
  if (def.type === 'counter') return new Counter(config);
  if (def.type === 'gauge') return new Gauge(config);
  return new Histogram({ ...config, ...(def.buckets ? { buckets: [...def.buckets] } : {}) });
}

function fan(def: MetricDef, instances: ReadonlyArray<Counter | Gauge | Histogram>): AnyFan {
  if (def.type === 'counter') return new CounterFan(def, instances as Counter[]);
  if (def.type === 'gauge') return new GaugeFan(def, instances as Gauge[]);
  return new HistogramFan(def, instances as Histogram[]);
}
