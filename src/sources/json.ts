import type { JsonSourceConfig } from '../config/types.js';
import { SourceError } from '../model/errors.js';
import type { SeriesSink } from '../model/series.js';
import type { BodyConsumer, ResponseHead } from './http-client.js';
import { HttpClient } from './http-client.js';
import { feedJsonRecords, parseJsonBody } from './json-records.js';
import type { CollectOutcome, Source, SourceObserver, SourceQuery } from './source.js';

/** Collects a JSON body; JSON APIs answer small documents, bounded by max_response_bytes. */
class TextConsumer implements BodyConsumer<string> {
  private readonly chunks: Buffer[] = [];
  write(chunk: Buffer): void {
    this.chunks.push(chunk);
  }
  finish(head: ResponseHead): string {
    const text = Buffer.concat(this.chunks).toString('utf8');
    if (head.status < 200 || head.status >= 300) {
      throw new SourceError('http_status', `HTTP ${head.status}: ${JSON.stringify(text.slice(0, 120))}`, { status: head.status });
    }
    return text;
  }
}

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
    const req = this.cfg.body === undefined
      ? ({ method: this.cfg.method, accept: 'application/json' } as const)
      : ({ method: this.cfg.method, accept: 'application/json', body: this.cfg.body, contentType: 'application/json' } as const);
    const text = await this.client.request(this.cfg.http.url, req, signal, new TextConsumer());
    feedJsonRecords(parseJsonBody(text, this.cfg.http.url), query.json, sink, this.cfg.http.url);
    return { warnings: [] };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
