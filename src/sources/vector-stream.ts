import { SourceError } from '../model/errors.js';

/**
 * Incremental reader of a Prometheus `/api/v1/query` answer.
 *
 * Ours rather than a general streaming JSON library because the shape is
 * known and this is the hot path: a 100k-series answer is ~40 MB. Bytes are
 * scanned as they arrive (strings are skipped with native `indexOf`), each
 * element of `data.result` is cut out and handed to `JSON.parse` on its own (a
 * few hundred bytes), and everything else — status, error, resultType,
 * warnings — is kept as a small "skeleton" that is parsed and checked at the
 * end. So the body is never held whole, parsing overlaps the download, and an
 * answer that stops early is reported as truncated. Both things kept are
 * bounded (`StreamLimits`): memory follows the configuration, not the answer.
 */

const QUOTE = '"';
const QUOTE_CODE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

export class TruncatedError extends Error {}

/** Bounds of what the parser holds, in characters of decoded text. */
export interface StreamLimits {
  /** Everything outside `data.result` (status, error text, warnings): small in every real answer. */
  readonly maxSkeletonChars: number;
  /** One element of `data.result` (one series). */
  readonly maxElementChars: number;
}

/** 1 MiB: a real envelope is a few hundred bytes, error text and warnings included. */
export const MAX_SKELETON_CHARS = 1 << 20;

const UNBOUNDED: StreamLimits = { maxSkeletonChars: MAX_SKELETON_CHARS, maxElementChars: Infinity };

const COMPACT_START = '{"metric":{';
const COMPACT_END = '"]}';

/**
 * End (exclusive) of a compact vector element starting at `i` —
 * `{"metric":{...},"value":[ts,"v"]}`, as Prometheus and VictoriaMetrics write
 * them — found with one native search instead of a byte-by-byte walk, or -1
 * (other layouts, or an element that continues in the next chunk: the
 * structural scan handles those). In valid JSON a quote inside a string is
 * escaped, so an unescaped `"]}` can only close the sample value and the
 * element.
 */
function fastElementEnd(chunk: string, i: number): number {
  if (!chunk.startsWith(COMPACT_START, i)) return -1;
  let q = chunk.indexOf(COMPACT_END, i + COMPACT_START.length);
  while (q !== -1) {
    let bs = 0;
    for (let k = q - 1; chunk.charCodeAt(k) === BACKSLASH; k--) bs++;
    if (bs % 2 === 0) return q + COMPACT_END.length;
    q = chunk.indexOf(COMPACT_END, q + 1);
  }
  return -1;
}

interface Container {
  readonly object: boolean;
  /** In an object: the next string is a key. */
  expectKey: boolean;
  /** The last key read in this object (recorded only at depth 1 and 2). */
  key: string | undefined;
}

function isBlank(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export class VectorStreamParser {
  private readonly stack: Container[] = [];
  private started = false;
  /** The first non-blank byte was not `{`: not a JSON object at all. */
  notJson = false;
  private inString = false;
  /** Backslashes at the end of the previous chunk, inside a string. */
  private pendingBackslashes = 0;
  /** Text of the key being read, when it is one we track. */
  private keyParts: string[] | undefined;
  /** Stack depth of the `data.result` array while inside it, else -1. */
  private resultDepth = -1;
  private element: string[] = [];
  private elementChars = 0;
  /** Where the current element starts in the current chunk (0 if it began earlier), or -1. */
  private elementStart = -1;
  private readonly skeleton: string[] = [];
  private skeletonChars = 0;
  /**
   * Chunks are decoded to text once; multi-byte characters may span chunks.
   * Strictly: invalid UTF-8 fails the run (as in scraped expositions) instead
   * of becoming U+FFFD in a label value. Measured no slower than StringDecoder.
   */
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private bytes = 0;
  /** Where skeleton bytes start in the current chunk, or -1 while inside the result array. */
  private skeletonStart = 0;

  constructor(
    private readonly onElement: (elementJson: string) => void,
    private readonly limits: StreamLimits = UNBOUNDED,
  ) {}

  /** Decodes a chunk; the first non-blank byte decides whether this is JSON at all (an HTML page need not be UTF-8). */
  private decode(bytes: Buffer): string | undefined {
    if (this.notJson) return undefined;
    let from = 0;
    if (!this.started) {
      while (from < bytes.length && isBlank(bytes[from])) from++;
      if (from === bytes.length) return undefined;
      this.started = true;
      this.notJson = bytes[from] !== LBRACE;
      if (this.notJson) return undefined;
    }
    const offset = this.bytes;
    this.bytes += bytes.length;
    try {
      return this.decoder.decode(from === 0 ? bytes : bytes.subarray(from), { stream: true });
    } catch {
      throw new SourceError('parse', `invalid UTF-8 in the answer after byte ${offset}`);
    }
  }

  write(bytes: Buffer): void {
    const chunk = this.decode(bytes);
    if (chunk === undefined) return;
    let i = 0;
    this.skeletonStart = this.resultDepth > 0 ? -1 : i;
    if (this.elementStart >= 0) this.elementStart = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.inString) {
        i = this.scanString(chunk, i);
        continue;
      }
      const c = chunk.charCodeAt(i);
      if (c === QUOTE_CODE) {
        this.inString = true;
        const top = this.stack[this.stack.length - 1];
        this.keyParts = top !== undefined && top.object && top.expectKey && this.stack.length <= 2 ? [] : undefined;
      } else if (c === LBRACE && this.stack.length === this.resultDepth) {
        const end = fastElementEnd(chunk, i);
        if (end > 0) {
          this.onElement(chunk.slice(i, end));
          i = end;
          continue;
        }
        this.open(chunk, i, true);
      } else if (c === LBRACE || c === LBRACKET) this.open(chunk, i, c === LBRACE);
      else if (c === RBRACE || c === RBRACKET) this.close(chunk, i);
      else if (c === COMMA || c === COLON) {
        const top = this.stack[this.stack.length - 1];
        if (top?.object) top.expectKey = c === COMMA;
      }
      i++;
    }
    if (this.elementStart >= 0) this.keepElement(chunk.slice(this.elementStart));
    else if (this.skeletonStart >= 0 && this.skeletonStart < n) this.keepSkeleton(chunk.slice(this.skeletonStart));
  }

  private keepElement(part: string): void {
    this.elementChars += part.length;
    if (this.elementChars > this.limits.maxElementChars) {
      throw new SourceError(
        'too_large',
        `a series in data.result is longer than ${this.limits.maxElementChars} characters (8 × max_label_value_bytes + 1 MiB)`,
      );
    }
    this.element.push(part);
  }

  private keepSkeleton(part: string): void {
    this.skeletonChars += part.length;
    if (this.skeletonChars > this.limits.maxSkeletonChars) {
      throw new SourceError(
        'too_large',
        `the answer outside data.result (status, error, warnings, other fields) is longer than ${this.limits.maxSkeletonChars} characters: not a Prometheus API answer`,
      );
    }
    this.skeleton.push(part);
  }

  /** Inside a string: jumps past its closing quote, or to the chunk's end. */
  private scanString(chunk: string, from: number): number {
    let q = chunk.indexOf(QUOTE, from);
    while (q !== -1) {
      let bs = 0;
      for (let k = q - 1; k >= from && chunk.charCodeAt(k) === BACKSLASH; k--) bs++;
      if (bs === q - from && from === 0) bs += this.pendingBackslashes;
      if (bs % 2 === 0) break;
      q = chunk.indexOf(QUOTE, q + 1);
    }
    if (q === -1) {
      let t = 0;
      for (let k = chunk.length - 1; k >= from && chunk.charCodeAt(k) === BACKSLASH; k--) t++;
      this.pendingBackslashes = t === chunk.length - from && from === 0 ? this.pendingBackslashes + t : t;
      this.keyParts?.push(chunk.slice(from));
      return chunk.length;
    }
    this.pendingBackslashes = 0;
    this.inString = false;
    if (this.keyParts) {
      this.keyParts.push(chunk.slice(from, q));
      const top = this.stack[this.stack.length - 1];
      if (top) top.key = this.keyParts.join('');
      this.keyParts = undefined;
    }
    return q + 1;
  }

  private open(chunk: string, i: number, object: boolean): void {
    const parent = this.stack[this.stack.length - 1];
    this.stack.push({ object, expectKey: object, key: undefined });
    const depth = this.stack.length;
    if (!object && depth === 3 && parent?.key === 'result' && this.stack[0]?.key === 'data') {
      // data.result opens: keep `[` in the skeleton, then stop copying.
      this.keepSkeleton(chunk.slice(this.skeletonStart, i + 1));
      this.skeletonStart = -1;
      this.resultDepth = depth;
    } else if (depth === this.resultDepth + 1 && this.resultDepth > 0) {
      this.elementStart = i;
    }
  }

  private close(chunk: string, i: number): void {
    const depth = this.stack.length;
    if (depth === 0) return;
    this.stack.pop();
    if (depth === this.resultDepth + 1 && this.elementStart >= 0) {
      const parts = this.element;
      const last = chunk.slice(this.elementStart, i + 1);
      if (this.elementChars + last.length > this.limits.maxElementChars) this.keepElement(last);
      this.element = [];
      this.elementChars = 0;
      this.elementStart = -1;
      this.onElement(parts.length === 0 ? last : parts.join('') + last);
    } else if (depth === this.resultDepth) {
      // data.result closes: copy from `]` on.
      this.resultDepth = -1;
      this.skeletonStart = i;
    }
  }

  /**
   * Ends the stream and returns the skeleton: the answer with an empty
   * `data.result`, for validation. Throws `TruncatedError` if the JSON did not
   * close.
   */
  end(): string {
    if (!this.started || this.inString || this.stack.length > 0) throw new TruncatedError('the JSON answer ended early (truncated)');
    try {
      return this.skeleton.join('') + this.decoder.decode();
    } catch {
      throw new SourceError('parse', `invalid UTF-8 at the end of the answer (byte ${this.bytes})`);
    }
  }
}
