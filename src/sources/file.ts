import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { FileSourceConfig } from '../config/types.js';
import { SourceError } from '../model/errors.js';
import { matchesAll, parseMatchers } from '../model/selector.js';
import type { SeriesSink } from '../model/series.js';
import { ExpositionSyntaxError, parseSampleLine } from './exposition-parser.js';
import type { CollectOutcome, Source, SourceObserver, SourceQuery } from './source.js';

/**
 * A Prometheus text exposition file on disk, re-read at every run and
 * streamed line by line (textfile-collector style workflows, and the demo).
 */
export class FileSource implements Source {
  readonly type = 'file' as const;
  readonly name: string;
  private readonly path: string;

  constructor(cfg: FileSourceConfig, private readonly observer: SourceObserver) {
    this.name = cfg.name;
    this.path = cfg.path;
  }

  async collect(query: SourceQuery, sink: SeriesSink, signal: AbortSignal): Promise<CollectOutcome> {
    const started = performance.now();
    const matchers = parseMatchers(query.filter);
    let code = 'ok';
    let lineNo = 0;
    try {
      const input = createReadStream(this.path, { encoding: 'utf8', signal });
      const lines = createInterface({ input, crlfDelay: Infinity });
      for await (const line of lines) {
        lineNo++;
        if (line === '' || line.startsWith('#')) {
          if (line === '# EOF') break;
          continue;
        }
        const s = parseSampleLine(line);
        if (s.name === query.metric && matchesAll(matchers, s.labels)) sink(s.labels, s.value);
      }
      return { warnings: [] };
    } catch (e) {
      code = 'error';
      if (e instanceof ExpositionSyntaxError) {
        throw new SourceError('parse', `${this.path}:${lineNo}:${e.column}: ${e.message}`, { cause: e });
      }
      if (signal.aborted) throw new SourceError('timeout', `reading ${this.path} did not finish in time`, { cause: e });
      const err = e as NodeJS.ErrnoException;
      throw new SourceError('io', `cannot read ${this.path} (${err.code ?? err.message})`, { cause: e });
    } finally {
      this.observer.request(this.name, code, (performance.now() - started) / 1000);
    }
  }

  async close(): Promise<void> {}
}
