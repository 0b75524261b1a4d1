import { counterBase } from '../model/family-names.js';
import { escapeLabelValue } from '../model/label-text.js';
import { splitSeriesKey, type MetricType, type OutputSeries } from '../model/series.js';
import type { FamilySnapshot, RenderedFamily } from '../snapshot/family.js';
import { escapeHelp, formatValue, type ExpositionFormat } from './format.js';
import { CHECK_MASK, runNow, type Steps } from '../model/time-slice.js';

/** What rendering needs to know of a transformation's output. */
export interface RenderSpec {
  /** The configured name (for a dynamic name, unused: each series carries its own). */
  readonly name: string;
  readonly type: MetricType;
  readonly dynamicNames: boolean;
  /** Stateset: the states in index order and the label that names them. */
  readonly states?: { readonly values: readonly string[]; readonly label: string } | null;
  /** Histogram: the bucket upper bounds (+Inf is implied). */
  readonly buckets?: readonly number[] | null;
}

/**
 * A bucket bound as Go's `strconv.FormatFloat(v, 'g', -1, 64)` plus `.0` for
 * integers, which is what client_golang writes and the canonical form
 * OpenMetrics parsers insist on (`le="1.0"`, not `le="1"`).
 */
export function formatBound(v: number): string {
  const s = formatValue(v);
  return Number.isInteger(v) && !s.includes('e') ? `${s}.0` : s;
}

/** `{labels}` with one more label appended (or only that one). */
function withLabel(labelText: string, extra: string): string {
  return labelText === '' ? `{${extra}}` : `{${labelText},${extra}}`;
}

/** The sample lines of one output series under its family name. Hand-written: it runs over every output series. */
function lines(spec: RenderSpec, name: string, labelText: string, s: OutputSeries, stateLabels: readonly string[]): string {
  const braces = labelText === '' ? '' : `{${labelText}}`;
  switch (spec.type) {
    case 'counter':
      return `${counterBase(name)}_total${braces} ${formatValue(s.value)}\n`;
    case 'stateset': {
      let out = '';
      for (let i = 0; i < stateLabels.length; i++) out += `${name}${withLabel(labelText, stateLabels[i] as string)} ${i === s.value ? 1 : 0}\n`;
      return out;
    }
    case 'histogram': {
      const h = s.histogram;
      const bounds = spec.buckets ?? [];
      let out = '';
      for (let i = 0; i < bounds.length; i++) out += `${name}_bucket${withLabel(labelText, `le="${formatBound(bounds[i] as number)}"`)} ${h?.buckets[i] ?? 0}\n`;
      out += `${name}_bucket${withLabel(labelText, 'le="+Inf"')} ${s.value}\n`;
      return `${out}${name}_sum${braces} ${formatValue(h?.sum ?? 0)}\n${name}_count${braces} ${s.value}\n`;
    }
    default:
      return `${name}${braces} ${formatValue(s.value)}\n`;
  }
}

/**
 * Renders the sample lines of a run once, grouped into families (several
 * only for a dynamic name; series come sorted by key, so by name first).
 */
export function renderFamilies(spec: RenderSpec, series: readonly OutputSeries[]): RenderedFamily[] {
  return runNow(renderSteps(spec, series));
}

/** Text gathered before it is encoded into a Buffer: small enough to encode in well under a time slice. */
const CHUNK_CHARS = 65536;

/**
 * `renderFamilies` as cooperative work (see model/time-slice.ts): it pauses
 * every CHECK_EVERY series, and text is encoded chunk by chunk as it is
 * rendered (one encode of the whole text took ~100 ms per million series).
 */
export function* renderSteps(spec: RenderSpec, series: readonly OutputSeries[]): Steps<RenderedFamily[]> {
  const stateLabels = (spec.states?.values ?? []).map((v) => `${spec.states?.label}="${escapeLabelValue(v)}"`);
  const families: RenderedFamily[] = [];
  let current = spec.dynamicNames ? undefined : spec.name;
  let parts: Buffer[] = [];
  let chunk = '';
  for (let i = 0; i < series.length; i++) {
    const s = series[i] as OutputSeries;
    const [key, labelText] = splitSeriesKey(s.labelText, spec.dynamicNames);
    if (spec.dynamicNames && key !== current) {
      if (current !== undefined) families.push({ name: current, samples: yield* joined(parts, chunk) });
      parts = [];
      chunk = '';
      current = key;
    }
    chunk += lines(spec, current as string, labelText, s, stateLabels);
    if (chunk.length > CHUNK_CHARS) {
      parts.push(Buffer.from(chunk, 'utf8'));
      chunk = '';
    }
    if ((i & CHECK_MASK) === CHECK_MASK) yield;
  }
  if (current !== undefined) families.push({ name: current, samples: yield* joined(parts, chunk) });
  return families;
}

/** One Buffer of the encoded parts and the rest of the text, copied a few MB at a time. */
function* joined(parts: Buffer[], rest: string): Steps<Buffer> {
  if (rest !== '') parts.push(Buffer.from(rest, 'utf8'));
  if (parts.length === 1) return parts[0] as Buffer;
  let size = 0;
  for (const p of parts) size += p.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    at += (parts[i] as Buffer).copy(out, at);
    if ((i & 63) === 63) yield;
  }
  return out;
}

/** The sample lines of a fixed-name gauge or info family. */
export function renderSamples(name: string, series: readonly OutputSeries[]): Buffer {
  return renderFamilies({ name, type: 'gauge', dynamicNames: false }, series)[0]?.samples ?? Buffer.alloc(0);
}

/**
 * The metadata lines of a family. An info family is `info` in OpenMetrics
 * only when its name ends in `_info` (OpenMetrics requires the suffix on the
 * samples); otherwise it is declared a gauge, so the series names are the same
 * in both formats. A stateset is a gauge in the text format, which has no
 * such type, and in OpenMetrics unless its state label is the family's name
 * (as OpenMetrics requires of a stateset). A counter's family is `x_total` in the text format (as
 * client_golang writes it) and `x` in OpenMetrics.
 */
export function renderHeader(f: Pick<FamilySnapshot, 'name' | 'help' | 'type' | 'stateLabel'>, format: ExpositionFormat): string {
  const help = escapeHelp(f.help, format);
  let family = f.name;
  let type: string;
  if (f.type === 'counter') {
    family = format === 'text' ? `${counterBase(f.name)}_total` : counterBase(f.name);
    type = 'counter';
  } else if (f.type === 'histogram') type = 'histogram';
  else if (format === 'text') type = 'gauge';
  else if (f.type === 'stateset' && f.stateLabel === f.name) type = 'stateset';
  else if (f.type === 'info' && f.name.endsWith('_info')) {
    type = 'info';
    family = f.name.slice(0, -'_info'.length);
  } else type = 'gauge';
  return `# HELP ${family} ${help}\n# TYPE ${family} ${type}\n`;
}
