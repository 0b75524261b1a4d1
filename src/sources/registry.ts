import type { SourceConfig } from '../config/types.js';
import { FileSource } from './file.js';
import { JsonSource } from './json.js';
import { ScrapeSource } from './scrape.js';
import { PrometheusSource } from './prometheus.js';
import { RedactingSource } from './redacting-source.js';
import type { Source, SourceObserver } from './source.js';

/** One factory per source type: adding a type touches its file and this map. */
const FACTORIES: { [K in SourceConfig['type']]: (cfg: Extract<SourceConfig, { type: K }>, o: SourceObserver) => Source } = {
  prometheus: (cfg, o) => new PrometheusSource(cfg, o),
  file: (cfg, o) => new FileSource(cfg, o),
  scrape: (cfg, o) => new ScrapeSource(cfg, o),
  json: (cfg, o) => new JsonSource(cfg, o),
};

export function createSource(cfg: SourceConfig, observer: SourceObserver): Source {
  const factory = FACTORIES[cfg.type] as (c: SourceConfig, o: SourceObserver) => Source;
  const source = factory(cfg, observer);
  return cfg.type === 'file' ? source : new RedactingSource(source, cfg.http.url);
}
