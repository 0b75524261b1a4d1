import { METRIC_TYPES, type FamilyParts, type FamilyShape, type SampleEmitter, type TypeLabel } from '../model/metric-types.js';
import { splitSeriesKey, type OutputSeries } from '../model/series.js';
import type { FamilySnapshot, RenderedFamily } from '../snapshot/family.js';
import { escapeHelp, formatValue, type ExpositionFormat } from './format.js';
import { CHECK_MASK, runNow, type Steps } from '../model/time-slice.js';

export { formatBound } from '../model/metric-types.js';

/** What rendering needs to know of a transformation's output (see model/metric-types.ts). */
export type RenderSpec = FamilyShape;

/** `{labels}` with one more label appended (or only that one). */
function withLabel(labelText: string, extra: string): string {
  return labelText === '' ? `{${extra}}` : `{${labelText},${extra}}`;
}

/**
 * The sample lines of output series, as the metric-type table expands them,
 * gathered in `chunk`. Hand-written: it runs over every output series.
 */
class TextLines implements SampleEmitter {
  chunk = '';
  private labelText = '';
  private braces = '';

  series(labelText: string): void {
    this.labelText = labelText;
    this.braces = labelText === '' ? '' : `{${labelText}}`;
  }

  sample(name: string, extra: TypeLabel | undefined, value: number): void {
    this.chunk += `${name}${extra === undefined ? this.braces : withLabel(this.labelText, extra.text)} ${formatValue(value)}\n`;
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
  const type = METRIC_TYPES[spec.type];
  const families: RenderedFamily[] = [];
  let current = spec.dynamicNames ? undefined : spec.name;
  let names: FamilyParts | undefined = current === undefined ? undefined : type.parts(current, spec);
  let parts: Buffer[] = [];
  const text = new TextLines();
  for (let i = 0; i < series.length; i++) {
    const s = series[i] as OutputSeries;
    const [key, labelText] = splitSeriesKey(s.labelText, spec.dynamicNames);
    if (spec.dynamicNames && key !== current) {
      if (current !== undefined) families.push({ name: current, samples: yield* joined(parts, text.chunk) });
      parts = [];
      text.chunk = '';
      current = key;
      names = type.parts(key, spec);
    }
    text.series(labelText);
    type.expand(names as FamilyParts, s, text);
    if (text.chunk.length > CHUNK_CHARS) {
      parts.push(Buffer.from(text.chunk, 'utf8'));
      text.chunk = '';
    }
    if ((i & CHECK_MASK) === CHECK_MASK) yield;
  }
  if (current !== undefined) families.push({ name: current, samples: yield* joined(parts, text.chunk) });
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

/** The metadata lines of a family: its name and type per format come from the metric-type table. */
export function renderHeader(f: Pick<FamilySnapshot, 'name' | 'help' | 'type' | 'stateLabel'>, format: ExpositionFormat): string {
  const help = escapeHelp(f.help, format);
  const [family, type] = METRIC_TYPES[f.type].header(f.name, f.stateLabel, format);
  return `# HELP ${family} ${help}\n# TYPE ${family} ${type}\n`;
}
