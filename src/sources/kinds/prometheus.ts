import { z } from 'zod';
import { buildHttpClient } from '../../config/build-source.js';
import { DEFAULTS } from '../../config/defaults.js';
import { redactedHttp } from '../../config/redact.js';
import { httpOptions, maxLabelValueBytes, sourceName } from '../../config/schema.js';
import type { HttpClientConfig, QueryFlavor, SourceConfig } from '../../config/types.js';
import { redactUrl } from '../../model/url.js';
import { defineSourceKind } from '../kind.js';
import { PrometheusSource } from '../prometheus.js';

export interface PrometheusSourceConfig extends SourceConfig {
  readonly type: 'prometheus';
  readonly http: HttpClientConfig;
  /** Query language: `prometheus` checks `query:` strictly at load; `victoriametrics` accepts MetricsQL. */
  readonly flavor: QueryFlavor;
  /** May this source be sent `group by (...)` projections (docs/transformations.md "Asking for less")? */
  readonly pushdown: boolean;
  /** A longer label value in an answer fails the run (`too_large`). */
  readonly maxLabelValueBytes: number;
}

const schema = z.strictObject({
  name: sourceName,
  type: z.literal('prometheus'),
  ...httpOptions,
  // Query language of the source (docs/transformations.md "Queries"): how strictly `query:` is checked at load.
  flavor: z.enum(['prometheus', 'victoriametrics']).optional(),
  // Projection pushdown (docs/transformations.md "Asking for less"); false: always send the plain selector.
  pushdown: z.boolean().optional(),
  max_label_value_bytes: maxLabelValueBytes,
});

/** Any Prometheus-compatible query API (Prometheus, VictoriaMetrics, Thanos, Mimir): see ../prometheus.ts. */
export const prometheusKind = defineSourceKind<typeof schema, PrometheusSourceConfig>({
  type: 'prometheus',
  schema,
  queryApi: true,
  build(ctx, s, path, timeout): PrometheusSourceConfig {
    const maxLabelValueBytes = s.max_label_value_bytes ?? DEFAULTS.maxLabelValueBytes;
    const http = buildHttpClient(ctx, s, path, timeout, [...path, 'url'], true);
    return { name: s.name, type: s.type, http, flavor: s.flavor ?? 'prometheus', pushdown: s.pushdown ?? true, maxLabelValueBytes };
  },
  capabilities: (cfg) => ({ selectsLocally: false, readsJson: false, queryLanguage: cfg.flavor, projectable: cfg.pushdown }),
  describe: (cfg) => `${cfg.type} ${redactUrl(cfg.http.url)}`,
  redact: (cfg) => ({ name: cfg.name, type: cfg.type, ...redactedHttp(cfg.http) }),
  // `vector(1)` answers on every Prometheus-compatible API.
  probe: {
    query: { metric: 'vector(1)', filter: '', labels: null, json: { records: '$', labels: [] } },
    emptyMessage: 'answered, but vector(1) returned no series',
  },
  create: (cfg, observer) => new PrometheusSource(cfg, observer),
});

/**
 * The prototype's implicit source `default` (`victoriametrics_url`, or its default URL). It is a
 * VictoriaMetrics: its queries may be MetricsQL.
 */
export function prototypeDefaultSource(name: string, http: HttpClientConfig): PrometheusSourceConfig {
  return { name, type: 'prometheus', http, flavor: 'victoriametrics', pushdown: true, maxLabelValueBytes: DEFAULTS.maxLabelValueBytes };
}
