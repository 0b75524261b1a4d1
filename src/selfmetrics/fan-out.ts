import type { Counter, Gauge, Histogram } from 'prom-client';
import type { MetricDef } from './definitions.js';

type LabelValue<D extends MetricDef, K extends string> = D extends { readonly values: infer V }
  ? K extends keyof V
    ? V[K] extends readonly (infer E)[]
      ? E
      : string
    : string
  : string;
type Enumerated<D extends MetricDef> = D extends { readonly values: infer V } ? keyof V : never;

/** A metric's labels, typed from its definition (an enumerated label takes only its listed values). */
export type LabelsOf<D extends MetricDef> = { readonly [K in D['labels'][number]]: LabelValue<D, K> };
/** The labels `zero` takes: all but the enumerated ones. */
export type FixedLabels<D extends MetricDef> = Omit<LabelsOf<D>, Enumerated<D>>;

type Labels = Readonly<Record<string, string>>;
type Instance = Counter | Gauge | Histogram;

/**
 * One self-metric on every registry: each update goes to all of them. It
 * remembers the label sets it wrote, so a removal can match on one label
 * (`removeWith`) without a hand-kept list of the others' values.
 */
abstract class FanOut<D extends MetricDef, M extends Instance> {
  /** Written series by key (their label values in table order); the label-less series is prom-client's own. */
  readonly #written = new Map<string, Labels>();

  constructor(
    readonly def: D,
    protected readonly instances: readonly M[],
  ) {}

  /** The labels as prom-client gets them: keys in table order, no prototype. Remembers the series. */
  protected labels(labels: LabelsOf<D>): Labels {
    const given = labels as Labels;
    const out: Record<string, string> = Object.create(null);
    for (const name of this.def.labels) out[name] = given[name] as string;
    if (this.def.labels.length > 0) this.#written.set(key(this.def, out), out);
    return out;
  }

  /** Creates the series at zero for every combination of the enumerated labels' values. */
  zero(fixed: FixedLabels<D>): void {
    let combos: Labels[] = [fixed as Labels];
    for (const name of this.def.labels) {
      const values = this.def.values?.[name];
      if (values && !(name in fixed)) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
    }
    for (const c of combos) this.zeroOne(this.labels(c as LabelsOf<D>));
  }

  protected abstract zeroOne(labels: Labels): void;

  remove(labels: LabelsOf<D>): void {
    const l = labels as Labels;
    this.#written.delete(key(this.def, l));
    for (const m of this.instances) m.remove(l);
  }

  /** Removes every series written whose labels pass `match`. */
  removeWhere(match: (labels: LabelsOf<D>) => boolean): void {
    for (const [k, l] of this.#written) {
      if (!match(l as LabelsOf<D>)) continue;
      this.#written.delete(k);
      for (const m of this.instances) m.remove(l);
    }
  }

  /** Removes every series written with `label` = `value` (nothing if the metric has no such label). */
  removeWith(label: string, value: string): void {
    if (this.def.labels.includes(label)) this.removeWhere((l) => (l as Labels)[label] === value);
  }

  reset(): void {
    this.#written.clear();
    for (const m of this.instances) m.reset();
  }
}

function key(def: MetricDef, labels: Labels): string {
  return JSON.stringify(def.labels.map((n) => labels[n]));
}

export class CounterFan<D extends MetricDef> extends FanOut<D, Counter> {
  inc(labels: LabelsOf<D>, by = 1): void {
    const l = this.labels(labels);
    for (const m of this.instances) m.inc(l, by);
  }

  protected zeroOne(labels: Labels): void {
    for (const m of this.instances) m.inc(labels, 0);
  }
}

export class GaugeFan<D extends MetricDef> extends FanOut<D, Gauge> {
  set(labels: LabelsOf<D>, value: number): void {
    const l = this.labels(labels);
    for (const m of this.instances) m.set(l, value);
  }

  protected zeroOne(labels: Labels): void {
    for (const m of this.instances) m.set(labels, 0);
  }
}

export class HistogramFan<D extends MetricDef> extends FanOut<D, Histogram> {
  observe(labels: LabelsOf<D>, value: number): void {
    const l = this.labels(labels);
    for (const m of this.instances) m.observe(l, value);
  }

  protected zeroOne(labels: Labels): void {
    for (const m of this.instances) m.zero(labels);
  }
}

/** The fan-out class for a definition's type. */
export type FanFor<D extends MetricDef> = D['type'] extends 'counter'
  ? CounterFan<D>
  : D['type'] extends 'gauge'
    ? GaugeFan<D>
    : HistogramFan<D>;
export type AnyFan = CounterFan<MetricDef> | GaugeFan<MetricDef> | HistogramFan<MetricDef>;
