import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { expand } from '../../config/build-source.js';
import { DEFAULTS } from '../../config/defaults.js';
import { maxLabelValueBytes, sourceName } from '../../config/schema.js';
import type { SourceConfig } from '../../config/types.js';
import { defineSourceKind } from '../kind.js';
import { FileSource } from '../file.js';

export interface FileSourceConfig extends SourceConfig {
  readonly type: 'file';
  /** Absolute path, re-read at every run. */
  readonly path: string;
  readonly format: 'prometheus' | 'json';
  /** JSON files (set for them only): parsed whole, so larger files fail the run (`too_large`); expositions stream. */
  readonly maxBytes?: number;
  /** JSON files (set for them only): a longer label value fails the run. */
  readonly maxLabelValueBytes?: number;
}

const schema = z.strictObject({
  name: sourceName,
  type: z.literal('file'),
  path: z.string().min(1),
  format: z.enum(['prometheus', 'json']).optional(),
  // JSON files are parsed whole: a larger one fails the run.
  max_bytes: z.number().int().positive().optional(),
  max_label_value_bytes: maxLabelValueBytes,
});

/** A file on disk, re-read at every run: an exposition or a JSON document (see ../file.ts). */
export const fileKind = defineSourceKind<typeof schema, FileSourceConfig>({
  type: 'file',
  schema,
  queryApi: false,
  build(ctx, s, path): FileSourceConfig {
    const file = expand(ctx, s.path, [...path, 'path']);
    const format = s.format ?? (file.endsWith('.json') ? 'json' : 'prometheus');
    // Only JSON files are parsed whole; an exposition streams line by line (lines capped at 1 MiB).
    const limits =
      format === 'json'
        ? {
            maxBytes: s.max_bytes ?? DEFAULTS.maxJsonResponseBytes,
            maxLabelValueBytes: s.max_label_value_bytes ?? DEFAULTS.maxLabelValueBytes,
          }
        : {};
    return { name: s.name, type: 'file', path: isAbsolute(file) ? file : resolve(ctx.dir, file), format, ...limits };
  },
  capabilities: (cfg) => ({
    selectsLocally: cfg.format === 'prometheus',
    readsJson: cfg.format === 'json',
    queryLanguage: null,
    projectable: false,
  }),
  describe: (cfg) => `file ${cfg.path}`,
  redact: (cfg) => ({ name: cfg.name, type: cfg.type, path: cfg.path }),
  // Read and parsed in full (a JSON document as one record).
  probe: { query: { metric: '', filter: '', labels: null, json: { records: '$', labels: [] } } },
  create: (cfg, observer) => new FileSource(cfg, observer),
});
