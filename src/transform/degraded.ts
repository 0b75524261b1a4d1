import { suggest } from '../config/suggest.js';
import type { TransformationConfig } from '../config/types.js';
import type { SkipReason, TransformResult } from './transformer.js';

/** Why a run that the source answered produced nothing usable: its dominant reason and a sentence for people. */
export interface Degradation {
  /** The dominant skip or default reason (`missing_label`, `unparseable`, a parser's reason, ...). */
  readonly reason: SkipReason;
  readonly message: string;
}

/** Label names listed in the message; the rest is "…". */
const LISTED_NAMES = 8;

type Counts = Pick<
  TransformResult,
  'sourceSeries' | 'skipped' | 'defaulted' | 'defaultedBy' | 'skipExamples' | 'missingValueLabel' | 'labelNamesSeen'
>;
type Config = Pick<TransformationConfig, 'valueFromLabel' | 'defaultValue'>;

function total(m: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const v of m.values()) n += v;
  return n;
}

/** The reason with the most series, over skipped and defaulted series together. */
function dominant(r: Counts): SkipReason | undefined {
  const all = new Map<SkipReason, number>(r.skipped);
  for (const [reason, n] of r.defaultedBy) all.set(reason, (all.get(reason) ?? 0) + n);
  let best: SkipReason | undefined;
  let most = 0;
  for (const [reason, n] of all) {
    if (n > most) [best, most] = [reason, n];
  }
  return best;
}

/** `value_from_label "minor" is on none of 8 series; they carry a, b, … (did you mean "b"?)` */
function missingText(cfg: Config, r: Counts): string {
  const label = JSON.stringify(cfg.valueFromLabel);
  const where =
    r.missingValueLabel >= r.sourceSeries
      ? `on none of ${r.sourceSeries} series`
      : `missing on ${r.missingValueLabel} of ${r.sourceSeries} series`;
  const names = r.labelNamesSeen;
  if (names.length === 0) return `value_from_label ${label} is ${where}; they carry no labels`;
  const listed = names.slice(0, LISTED_NAMES).join(', ') + (names.length > LISTED_NAMES ? ', …' : '');
  const guess = suggest(cfg.valueFromLabel, names);
  return `value_from_label ${label} is ${where}; they carry ${listed}${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ''}`;
}

function reasonText(cfg: Config, r: Counts, reason: SkipReason): string {
  if (reason === 'missing_label') return missingText(cfg, r);
  const n = (r.skipped.get(reason) ?? 0) + (r.defaultedBy.get(reason) ?? 0);
  const label = JSON.stringify(cfg.valueFromLabel);
  const examples = (r.skipExamples.get(reason) ?? []).map((v) => JSON.stringify(v)).join(', ');
  const eg = examples ? ` (e.g. ${examples})` : '';
  if (reason === 'empty_label') return `label ${label} is empty on ${n} of ${r.sourceSeries} series`;
  if (reason === 'unparseable') return `label ${label} is not a number on ${n} of ${r.sourceSeries} series${eg}`;
  return `label ${label} gives no value on ${n} of ${r.sourceSeries} series: ${reason}${eg}`;
}

/**
 * Whether a run that read source series is degraded — it produced no output
 * series, or every series it produced carries `default_value` — and why, named
 * by the dominant reason. Counted before any `--shard.*` cut, so a replica that
 * owns none of the output series is not degraded. Undefined: not degraded.
 */
export function degradation(cfg: Config, r: Counts): Degradation | undefined {
  if (r.sourceSeries === 0) return undefined;
  const produced = r.sourceSeries - total(r.skipped);
  if (produced > 0 && r.defaulted < produced) return undefined;
  const reason = dominant(r) ?? 'missing_label';
  const outcome = produced > 0 ? `every output series is default_value ${cfg.defaultValue}` : 'no output series';
  return { reason, message: `${reasonText(cfg, r, reason)}: ${outcome}` };
}
