import { z } from 'zod';
import { buildHttpClient } from '../../config/build-source.js';
import { redactedHttp } from '../../config/redact.js';
import { httpOptions, sourceName } from '../../config/schema.js';
import type { HttpClientConfig, SourceConfig } from '../../config/types.js';
import { redactUrl } from '../../model/url.js';
import { defineSourceKind } from '../kind.js';
import { ScrapeSource } from '../scrape.js';

/** A /metrics endpoint (Prometheus text or OpenMetrics), fetched at every run. */
export interface ScrapeSourceConfig extends SourceConfig {
  readonly type: 'scrape';
  readonly http: HttpClientConfig;
}

const schema = z.strictObject({
  name: sourceName,
  type: z.literal('scrape'),
  ...httpOptions,
});

/** Any /metrics endpoint, series selected locally (see ../scrape.ts). */
export const scrapeKind = defineSourceKind<typeof schema, ScrapeSourceConfig>({
  type: 'scrape',
  schema,
  queryApi: false,
  build: (ctx, s, path, timeout): ScrapeSourceConfig => ({ name: s.name, type: s.type, http: buildHttpClient(ctx, s, path, timeout) }),
  capabilities: () => ({ selectsLocally: true, readsJson: false, queryLanguage: null, projectable: false }),
  describe: (cfg) => `${cfg.type} ${redactUrl(cfg.http.url)}`,
  redact: (cfg) => ({ name: cfg.name, type: cfg.type, ...redactedHttp(cfg.http) }),
  // Read and parsed in full.
  probe: { query: { metric: '', filter: '', labels: null, json: { records: '$', labels: [] } } },
  create: (cfg, observer) => new ScrapeSource(cfg, observer),
});
