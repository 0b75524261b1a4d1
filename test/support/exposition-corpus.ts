import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The exposition corpus (test/fixtures/exposition-corpus/): one file per case,
 * `ok-*` or `bad-*` for Prometheus 2.42's verdict (checked against a real
 * Prometheus by test/e2e/prometheus-oracle.test.ts), `.prom` for the text
 * format and `.om` for OpenMetrics.
 *
 * Timestamps must be recent for Prometheus to store them, so the files hold
 * placeholders: `@T@` / `@T-2000@` (milliseconds, text format) and `@S@` /
 * `@S-2000@` (seconds, OpenMetrics), relative to one minute before loading.
 */
export interface CorpusCase {
  readonly name: string;
  readonly format: 'text' | 'openmetrics';
  readonly contentType: string;
  /** Prometheus 2.42's verdict. */
  readonly accepted: boolean;
  readonly body: Buffer;
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const CORPUS_DIR = path.resolve(here, '../../../test/fixtures/exposition-corpus');

export const CONTENT_TYPES = {
  text: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
} as const;

export function loadCorpus(baseMs = Math.floor(Date.now() / 1000) * 1000 - 60_000): CorpusCase[] {
  return readdirSync(CORPUS_DIR)
    .filter((f) => /^(ok|bad)-.*\.(prom|om)$/.test(f))
    .sort()
    .map((file) => {
      const format = file.endsWith('.om') ? 'openmetrics' : 'text';
      // latin1 keeps every byte (the corpus has invalid UTF-8 on purpose).
      const raw = readFileSync(path.join(CORPUS_DIR, file)).toString('latin1');
      const text = raw.replace(/@([TS])(?:-(\d+))?@/g, (_, unit: string, minus?: string) => {
        const ms = baseMs - Number(minus ?? 0);
        return unit === 'T' ? String(ms) : (ms / 1000).toFixed(3);
      });
      return {
        name: file,
        format,
        contentType: CONTENT_TYPES[format],
        accepted: file.startsWith('ok-'),
        body: Buffer.from(text, 'latin1'),
      };
    });
}
