import type { PrometheusSourceConfig } from './kinds/prometheus.js';
import type { SeriesSink } from '../model/series.js';
import { HttpClient } from './http-client.js';
import { VectorReader } from './prometheus-envelope.js';
import type { CollectOutcome, Source, SourceObserver, SourceQuery } from './source.js';
import { queryText } from './query-text.js';

/**
 * Any Prometheus-compatible query API: Prometheus, VictoriaMetrics single-node
 * and cluster (`/select/<tenant>/prometheus`), Thanos, Mimir (`/prometheus`).
 * Instant queries go as a POST form so long filters fit; what is asked is
 * `queryText`'s choice (the user's query, a pushed-down projection, or the selector).
 */
export class PrometheusSource implements Source {
  readonly type = 'prometheus' as const;
  readonly name: string;
  private readonly client: HttpClient;
  private readonly pushdown: boolean;
  private readonly victoriaMetrics: boolean;
  readonly labelKeep: boolean;
  private readonly maxLabelValueBytes: number;

  constructor(cfg: PrometheusSourceConfig, observer: SourceObserver) {
    this.name = cfg.name;
    this.pushdown = cfg.pushdown;
    this.victoriaMetrics = cfg.flavor === 'victoriametrics';
    this.labelKeep = this.victoriaMetrics && cfg.pushdown;
    this.maxLabelValueBytes = cfg.maxLabelValueBytes;
    this.client = new HttpClient(cfg.http, cfg.name, observer);
  }

  async collect(query: SourceQuery, sink: SeriesSink, signal: AbortSignal): Promise<CollectOutcome> {
    const form = new URLSearchParams({ query: queryText(query, this.pushdown, this.victoriaMetrics) });
    const warnings = await this.client.postForm(
      '/api/v1/query',
      form,
      signal,
      new VectorReader(sink, query.labels, this.maxLabelValueBytes),
    );
    return { warnings };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
