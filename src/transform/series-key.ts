import { SourceError } from '../model/errors.js';
import { labelText } from '../model/label-text.js';
import type { LabelSet } from '../model/series.js';
import type { PreviousSeries } from './diff.js';
import { flat, ownLabel } from './labels.js';
import { fillName } from './metric-type.js';
import type { TransformPlan } from './plan.js';
import type { RunStats } from './run-stats.js';

/**
 * The output key of source series during one run: the label text of the
 * output labels (see OutputSeries.labelText), with a dynamic name in front
 * when the transformation has one. Which labels come from the plan.
 */
export class SeriesKeys {
  /** The source whose series come next: the `source_label` value (see Transformer.useSource). */
  source = '';
  /** Dynamic names seen this run (capped by max_names). */
  readonly names = new Set<string>();
  private readonly values: string[] = [];
  /** The label text of a series on the general paths: shaped, or by the plain rules. */
  private readonly text: (labels: LabelSet) => string;

  /**
   * `previous`: the last successful run's result. Its label strings are reused
   * for series seen again, so in the steady state a run allocates no strings
   * that outlive it (less heap growth between garbage collections).
   */
  constructor(
    private readonly plan: TransformPlan,
    private readonly previous: PreviousSeries | undefined,
  ) {
    const shaper = plan.shaper;
    this.text = shaper ? (labels) => shaper.text(labels, this.source) : (labels) => this.plainText(labels);
  }

  /** The previous run's string for a label text seen before, else a flat copy (see `flat`). */
  intern(text: string): string {
    const known = this.previous?.index.get(text);
    return known ? known.labelText : flat(text);
  }

  /** The key of a series on the plain path (no shaping, no dynamic name). */
  plain(labels: LabelSet): string {
    return this.intern(this.plainText(labels));
  }

  /** The label text of a series without shaping: the plain path's rules. */
  private plainText(labels: LabelSet): string {
    const names = this.plan.fixedNames ?? this.allNames(labels);
    const values = this.values;
    values.length = names.length;
    const sourceLabel = this.plan.labels.sourceLabel;
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      values[i] = name === sourceLabel ? this.source : (ownLabel(labels, name) ?? '');
    }
    return labelText(names, values);
  }

  /** Without preserve_labels: the series' own labels but the excluded ones (see LabelPlan), and the source label; sorted. */
  private allNames(labels: LabelSet): string[] {
    const { sourceLabel, typeLabel, excludeValue } = this.plan.labels;
    const names: string[] = [];
    for (const n in labels) {
      if (n === '__name__' || labels[n] === undefined || n === sourceLabel || n === typeLabel || n === excludeValue) continue;
      names.push(n);
    }
    if (sourceLabel) names.push(sourceLabel);
    return names.sort();
  }

  /**
   * The output key of a source series on the general paths: its label text,
   * with a dynamic name in front (see OutputSeries.labelText); null when it
   * has no valid name (counted) or the run just failed (max_names).
   */
  key(labels: LabelSet, stats: RunStats): string | null {
    const text = this.text(labels);
    const cfg = this.plan.cfg;
    const template = cfg.nameTemplate;
    if (!template) return this.intern(text);
    const name = fillName(template, labels);
    if (name === null) {
      stats.skip('invalid_name', template.map((p) => (typeof p === 'string' ? p : (ownLabel(labels, p.label) ?? ''))).join(''));
      return null;
    }
    if (!this.names.has(name)) {
      if (this.names.size >= cfg.maxNames) {
        stats.failed = new SourceError(
          'too_many_names',
          `more than ${cfg.maxNames} distinct metric names (max_names: ${cfg.maxNames}); nothing of this run is served`,
        );
        return null;
      }
      this.names.add(name);
    }
    return this.intern(`${name} ${text}`);
  }
}
