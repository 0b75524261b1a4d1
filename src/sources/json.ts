import type { JsonSourceConfig } from './kinds/json.js';
import { SourceError } from '../model/errors.js';
import type { SeriesSink } from '../model/series.js';
import { HttpClient } from './http-client.js';
import { JsonBodyReader } from './json-body.js';
import { feedJsonRecords } from './json-records.js';
import type { CollectOutcome, Source, SourceObserver, SourceQuery } from './source.js';

/**
 * An internal JSON HTTP API polled on the schedule (GET, or POST with a
 * body). Each transformation reading it says with `json:` which records are
 * series and which fields are labels.
 */
export class JsonSource implements Source {
  readonly type = 'json' as const;
  readonly name: string;
  private readonly client: HttpClient;

  constructor(
    private readonly cfg: JsonSourceConfig,
    observer: SourceObserver,
  ) {
    this.name = cfg.name;
    this.client = new HttpClient(cfg.http, cfg.name, observer);
  }

  async collect(query: SourceQuery, sink: SeriesSink, signal: AbortSignal): Promise<CollectOutcome> {
    if (!query.json) throw new SourceError('parse', `transformation reading json source ${this.name} has no json mapping`);
    const req =
      this.cfg.body === undefined
        ? ({ method: this.cfg.method, accept: 'application/json' } as const)
        : ({ method: this.cfg.method, accept: 'application/json', body: this.cfg.body, contentType: 'application/json' } as const);
    // JSON is parsed whole (see JsonBodyReader): max_response_bytes (32 MiB by default for json sources) bounds the heap.
    const where = this.cfg.http.url;
    const doc = await this.client.request(
      where,
      req,
      signal,
      new JsonBodyReader(where, this.cfg.http.maxResponseBytes, 'max_response_bytes'),
    );
    feedJsonRecords(doc, query.json, sink, { where, maxLabelValueBytes: this.cfg.maxLabelValueBytes });
    return { warnings: [] };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
