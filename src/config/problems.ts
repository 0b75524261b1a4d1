import type { Document, LineCounter } from 'yaml';
import type { ConfigProblem } from '../model/errors.js';
import { formatPath, locate, type PathSegment } from './locate.js';
import { positionInScalar } from './locate-scalar.js';

/** Collects config problems with their file positions. */
export class Problems {
  readonly list: ConfigProblem[] = [];
  constructor(
    private readonly file: string,
    private readonly doc: Document | undefined,
    private readonly lc: LineCounter,
  ) {}

  /** Report at the value of `path`; `atKey` points at its key instead. */
  add(path: readonly PathSegment[], message: string, atKey = false): void {
    const pos = this.doc ? locate(this.doc, this.lc, path, atKey) : { line: 1, column: 1 };
    this.list.push({ file: this.file, line: pos.line, column: pos.column, path: formatPath(path), message });
  }

  /** Report at character `offset` of the string value at `path` (its start when that cannot be told). */
  addInValue(path: readonly PathSegment[], offset: number, message: string): void {
    const pos = this.doc ? positionInScalar(this.doc, this.lc, path, offset) : null;
    if (!pos) return this.add(path, message);
    this.list.push({ file: this.file, line: pos.line, column: pos.column, path: formatPath(path), message });
  }

  addAt(line: number, column: number, message: string): void {
    this.list.push({ file: this.file, line, column, path: '', message });
  }

  get empty(): boolean {
    return this.list.length === 0;
  }
}
