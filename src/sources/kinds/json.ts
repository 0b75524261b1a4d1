import { z } from 'zod';
import { buildHttpClient } from '../../config/build-source.js';
import { DEFAULTS } from '../../config/defaults.js';
import { redactedHttp } from '../../config/redact.js';
import { httpOptions, maxLabelValueBytes, sourceName } from '../../config/schema.js';
import type { HttpClientConfig, SourceConfig } from '../../config/types.js';
import { redactUrl } from '../../model/url.js';
import { defineSourceKind } from '../kind.js';
import { JsonSource } from '../json.js';

/** A JSON HTTP API, polled at every run. */
export interface JsonSourceConfig extends SourceConfig {
  readonly type: 'json';
  readonly http: HttpClientConfig;
  readonly method: 'GET' | 'POST';
  readonly body?: string;
  /** A longer label value in a record fails the run (`too_large`). */
  readonly maxLabelValueBytes: number;
}

const schema = z.strictObject({
  name: sourceName,
  type: z.literal('json'),
  method: z.enum(['GET', 'POST']).optional(),
  body: z.string().optional(),
  ...httpOptions,
  max_label_value_bytes: maxLabelValueBytes,
});

/** An internal JSON HTTP API; each transformation maps its records with `json:` (see ../json.ts). */
export const jsonKind = defineSourceKind<typeof schema, JsonSourceConfig>({
  type: 'json',
  schema,
  queryApi: false,
  build(ctx, s, path, timeout): JsonSourceConfig {
    // A JSON answer is parsed whole: its default bound is the heap-safe one, not the streamed sources'.
    const http = { ...buildHttpClient(ctx, s, path, timeout), maxResponseBytes: s.max_response_bytes ?? DEFAULTS.maxJsonResponseBytes };
    const maxLabelValueBytes = s.max_label_value_bytes ?? DEFAULTS.maxLabelValueBytes;
    return {
      name: s.name,
      type: 'json',
      http,
      method: s.method ?? (s.body === undefined ? 'GET' : 'POST'),
      ...(s.body === undefined ? {} : { body: s.body }),
      maxLabelValueBytes,
    };
  },
  capabilities: () => ({ selectsLocally: false, readsJson: true, queryLanguage: null, projectable: false }),
  describe: (cfg) => `${cfg.type} ${redactUrl(cfg.http.url)}`,
  redact: (cfg) => ({ name: cfg.name, type: cfg.type, ...redactedHttp(cfg.http) }),
  // Read and parsed in full, the whole document as one record.
  probe: { query: { metric: '', filter: '', labels: null, json: { records: '$', labels: [] } } },
  create: (cfg, observer) => new JsonSource(cfg, observer),
});
