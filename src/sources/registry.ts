import { hasHttp, type SourceConfig } from '../config/types.js';
import { kindOf } from './kinds/index.js';
import { RedactingSource } from './redacting-source.js';
import type { Source, SourceObserver } from './source.js';

/** The runtime source of a config, made by its kind (kinds/index.ts); an HTTP source's errors never carry its URL's secrets. */
export function createSource(cfg: SourceConfig, observer: SourceObserver): Source {
  const source = kindOf(cfg.type).create(cfg, observer);
  return hasHttp(cfg) ? new RedactingSource(source, cfg.http.url) : source;
}
