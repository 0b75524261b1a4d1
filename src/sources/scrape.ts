import type { ScrapeSourceConfig } from './kinds/scrape.js';
import type { SeriesSink } from '../model/series.js';
import { ExpositionConsumer } from './exposition-consumer.js';
import { HttpClient } from './http-client.js';
import type { CollectOutcome, Source, SourceObserver, SourceQuery } from './source.js';

const ACCEPT = 'application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/**
 * Any /metrics endpoint (an exporter's, Prometheus' or VictoriaMetrics' own):
 * fetched at every run, parsed as it streams, and the series of
 * `source_metric` that match `query_filter` selected locally.
 */
export class ScrapeSource implements Source {
  readonly type = 'scrape' as const;
  readonly name: string;
  private readonly client: HttpClient;
  private readonly url: string;

  constructor(cfg: ScrapeSourceConfig, observer: SourceObserver) {
    this.name = cfg.name;
    this.url = cfg.http.url;
    this.client = new HttpClient(cfg.http, cfg.name, observer);
  }

  async collect(query: SourceQuery, sink: SeriesSink, signal: AbortSignal): Promise<CollectOutcome> {
    const consumer = new ExpositionConsumer(query.metric, query.filter, sink, this.url, true);
    await this.client.request(this.url, { method: 'GET', accept: ACCEPT }, signal, consumer);
    await consumer.deliver(signal);
    return { warnings: [] };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
