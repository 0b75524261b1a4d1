import { SourceError } from '../model/errors.js';
import type { SeriesSink } from '../model/series.js';
import { redactUrlsInText } from '../model/url.js';
import type { CollectOutcome, Source, SourceQuery } from './source.js';

/**
 * A source whose errors never carry the secrets of its URL (query values,
 * userinfo): its URL is printed in some of them and a server may echo it, or
 * just its API key, in any other. One place for every source type and every
 * error, wherever built (HTTP client, body parsers, the JSON document read
 * after the request), so logs, the status page, `check --probe` and `preview`
 * all get clean messages.
 */
export class RedactingSource implements Source {
  readonly name: string;
  readonly type: Source['type'];
  readonly labelKeep?: boolean;

  constructor(
    private readonly inner: Source,
    private readonly url: string,
  ) {
    this.name = inner.name;
    this.type = inner.type;
    if (inner.labelKeep !== undefined) this.labelKeep = inner.labelKeep;
  }

  async collect(query: SourceQuery, sink: SeriesSink, signal: AbortSignal): Promise<CollectOutcome> {
    try {
      const outcome = await this.inner.collect(query, sink, signal);
      return { warnings: outcome.warnings.map((w) => redactUrlsInText(w, [this.url])) };
    } catch (e) {
      throw this.redacted(e);
    }
  }

  private redacted(e: unknown): SourceError {
    if (!(e instanceof SourceError)) {
      return new SourceError('bad_response', `unexpected error: ${redactUrlsInText((e as Error)?.message ?? String(e), [this.url])}`, {
        cause: e,
      });
    }
    const message = redactUrlsInText(e.message, [this.url]);
    return message === e.message ? e : new SourceError(e.reason, message, { cause: e.cause, status: e.status });
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
