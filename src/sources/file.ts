import { createReadStream } from 'node:fs';
import { DEFAULTS } from '../config/defaults.js';
import type { FileSourceConfig } from './kinds/file.js';
import { SourceError } from '../model/errors.js';
import type { SeriesSink } from '../model/series.js';
import { ExpositionConsumer } from './exposition-consumer.js';
import { JsonBodyReader } from './json-body.js';
import { feedJsonRecords } from './json-records.js';
import type { CollectOutcome, Source, SourceObserver, SourceQuery } from './source.js';

/**
 * A file on disk, re-read at every run: a Prometheus text exposition
 * (streamed, textfile-collector style; the demo uses it) or a JSON document
 * read with the transformation's `json:` mapping.
 */
export class FileSource implements Source {
  readonly type = 'file' as const;
  readonly name: string;

  constructor(
    private readonly cfg: FileSourceConfig,
    private readonly observer: SourceObserver,
  ) {
    this.name = cfg.name;
  }

  private async exposition(query: SourceQuery, sink: SeriesSink, signal: AbortSignal): Promise<void> {
    const consumer = new ExpositionConsumer(query.metric, query.filter, sink, this.cfg.path, true);
    for await (const chunk of createReadStream(this.cfg.path, { signal }) as AsyncIterable<Buffer>) consumer.write(chunk);
    consumer.finish({ status: 200, contentType: 'text/plain' });
    await consumer.deliver(signal);
  }

  private async json(query: SourceQuery, sink: SeriesSink, signal: AbortSignal): Promise<void> {
    if (!query.json) throw new SourceError('parse', `transformation reading json file ${this.cfg.path} has no json mapping`);
    // Read as a stream so a file larger than max_bytes fails without being read whole.
    const where = this.cfg.path;
    const reader = new JsonBodyReader(where, this.cfg.maxBytes ?? DEFAULTS.maxJsonResponseBytes, 'max_bytes');
    const stream = createReadStream(where, { signal });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) reader.write(chunk);
    } finally {
      stream.destroy();
    }
    const doc = reader.finish({ status: 200, contentType: 'application/json' });
    feedJsonRecords(doc, query.json, sink, { where, maxLabelValueBytes: this.cfg.maxLabelValueBytes ?? DEFAULTS.maxLabelValueBytes });
  }

  async collect(query: SourceQuery, sink: SeriesSink, signal: AbortSignal): Promise<CollectOutcome> {
    const started = performance.now();
    let code = 'ok';
    try {
      // Not opened at all for a run already over: Node 20 leaks the descriptor of a read stream made with an aborted signal.
      signal.throwIfAborted();
      await (this.cfg.format === 'json' ? this.json(query, sink, signal) : this.exposition(query, sink, signal));
      return { warnings: [] };
    } catch (e) {
      code = 'error';
      if (e instanceof SourceError) throw e;
      if (signal.aborted) throw new SourceError('timeout', `reading ${this.cfg.path} did not finish in time`, { cause: e });
      const err = e as NodeJS.ErrnoException;
      throw new SourceError('io', `cannot read ${this.cfg.path} (${err.code ?? err.message})`, { cause: e });
    } finally {
      this.observer.request(this.name, code, (performance.now() - started) / 1000);
    }
  }

  async close(): Promise<void> {}
}
