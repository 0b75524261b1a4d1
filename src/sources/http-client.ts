import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import type { HttpClientConfig } from '../config/types.js';
import { SourceError } from '../model/errors.js';
import { blankSecrets, joinPath, redactUrlsInText } from '../model/url.js';
import { decoded } from './body.js';
import type { SourceObserver } from './source.js';

export interface ResponseHead {
  readonly status: number;
  readonly contentType: string;
  /** The Retry-After header, when the server sent one (remote write honours it). */
  readonly retryAfter?: string;
}

/** What to send. The body is re-sent as is on redirects (a POST stays a POST). */
export interface RequestSpec {
  readonly method: 'GET' | 'POST';
  readonly body?: string | Buffer;
  readonly contentType?: string;
  readonly accept: string;
  /** Fixed protocol headers (e.g. remote write's Content-Encoding), set before the configured ones. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Consumes a response body chunk by chunk; `finish` gives the request's result. */
export interface BodyConsumer<T> {
  /** Called with the status and content type before the first chunk. */
  start?(head: ResponseHead): void;
  write(chunk: Buffer): void;
  finish(head: ResponseHead): T;
}

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function readSecretFile(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new SourceError('io', `cannot read credentials file ${JSON.stringify(file)} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/**
 * Blanks the credentials sent with a request out of an error message: error
 * pages of servers and proxies often echo the request's headers. A credential
 * cut off by a body preview's ellipsis is blanked too.
 */
export function redactSecrets(message: string, secrets: Iterable<string>): string {
  return blankSecrets(message, secrets);
}

/**
 * The error with the request's credentials blanked, and every URL in its
 * message redacted (userinfo, query values): servers echo the URL asked for,
 * whose query string may carry an API key.
 */
function redacted(err: SourceError, secrets: readonly string[]): SourceError {
  const message = redactUrlsInText(redactSecrets(err.message, secrets));
  return message === err.message ? err : new SourceError(err.reason, message, { cause: err.cause, status: err.status });
}

function classify(e: unknown, signal: AbortSignal, timeoutSeconds: number): SourceError {
  if (e instanceof SourceError) return e;
  if (signal.aborted) return new SourceError('timeout', `no complete answer within ${timeoutSeconds}s`, { cause: e });
  const err = e as NodeJS.ErrnoException;
  const code = err.code ?? err.name;
  return new SourceError('connection', `request failed: ${code}${err.message ? ` (${err.message})` : ''}`, { cause: e });
}

/** Feeds a (decoded) body to `consumer`, failing with `too_large` past `limit` bytes. */
async function pump<T>(stream: Readable, limit: number, consumer: BodyConsumer<T>): Promise<void> {
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      stream.destroy();
      throw new SourceError('too_large', `response body exceeds max_response_bytes (${limit} bytes)`);
    }
    consumer.write(chunk);
  }
}

/**
 * HTTP client of one source: TLS, auth and extra headers from the config,
 * a timeout, decompression, a body-size limit, and redirects that keep the
 * method and body (a query sent by POST must not silently become a GET).
 * Credentials are sent only to the configured origin. The body is streamed
 * to a consumer, never held whole.
 */
export class HttpClient {
  private readonly dispatcher: Dispatcher;
  private readonly origin: string;

  constructor(
    private readonly cfg: HttpClientConfig,
    private readonly sourceName: string,
    private readonly observer: SourceObserver,
  ) {
    const tls = cfg.tls;
    this.dispatcher = new Agent({
      connect: {
        rejectUnauthorized: !tls.insecureSkipVerify,
        ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}),
        ...(tls.certFile ? { cert: readFileSync(tls.certFile) } : {}),
        ...(tls.keyFile ? { key: readFileSync(tls.keyFile) } : {}),
        ...(tls.serverName ? { servername: tls.serverName } : {}),
      },
      keepAliveTimeout: 30_000,
    });
    this.origin = new URL(cfg.url).origin;
  }

  /** `sent` collects the secret values put into the headers, to keep them out of error messages. */
  private headers(target: URL, req: RequestSpec, sent: string[]): Record<string, string> {
    const h: Record<string, string> = {
      'accept-encoding': this.cfg.identityEncoding ? 'identity' : 'gzip, deflate',
      'user-agent': 'label-value-exporter',
      accept: req.accept,
      ...(req.contentType ? { 'content-type': req.contentType } : {}),
      ...req.headers,
    };
    if (target.origin !== this.origin) return h;
    for (const [k, v] of this.cfg.headers) {
      const value = v.reveal();
      h[k.toLowerCase()] = value;
      sent.push(value);
    }
    const { basicAuth, bearerToken, bearerTokenFile } = this.cfg;
    if (basicAuth) {
      const password = basicAuth.passwordFile ? readSecretFile(basicAuth.passwordFile) : (basicAuth.password?.reveal() ?? '');
      const token = Buffer.from(`${basicAuth.username}:${password}`).toString('base64');
      h.authorization = `Basic ${token}`;
      sent.push(token, password);
    } else if (bearerToken || bearerTokenFile) {
      const token = bearerTokenFile ? readSecretFile(bearerTokenFile) : (bearerToken?.reveal() ?? '');
      h.authorization = `Bearer ${token}`;
      sent.push(token);
    }
    return h;
  }

  /** POSTs a form to `path` below the base URL (its query string kept) and streams the answer into `consumer`. */
  postForm<T>(path: string, form: URLSearchParams, signal: AbortSignal, consumer: BodyConsumer<T>): Promise<T> {
    const req = { method: 'POST', body: form.toString(), contentType: 'application/x-www-form-urlencoded', accept: 'application/json' } as const;
    return this.request(joinPath(this.cfg.url, path), req, signal, consumer);
  }

  /** Sends `req` to `url` (the source's own URL, or below it) and streams the answer into `consumer`. */
  async request<T>(url: string, req: RequestSpec, signal: AbortSignal, consumer: BodyConsumer<T>): Promise<T> {
    const started = performance.now();
    const combined = AbortSignal.any([signal, AbortSignal.timeout(this.cfg.timeoutSeconds * 1000)]);
    let code = 'error';
    const sent: string[] = [];
    try {
      let target = new URL(url);
      for (let hop = 0; ; hop++) {
        const res = await request(target, {
          method: req.method,
          body: req.body ?? null,
          headers: this.headers(target, req, sent),
          dispatcher: this.dispatcher,
          signal: combined,
        });
        code = String(res.statusCode);
        const location = res.headers.location;
        if (REDIRECTS.has(res.statusCode) && typeof location === 'string' && hop < MAX_REDIRECTS) {
          await res.body.dump();
          target = new URL(location, target);
          continue;
        }
        const encoding = res.headers['content-encoding'];
        const ct = res.headers['content-type'];
        const retryAfter = res.headers['retry-after'];
        const head = { status: res.statusCode, contentType: typeof ct === 'string' ? ct : '', ...(typeof retryAfter === 'string' ? { retryAfter } : {}) };
        consumer.start?.(head);
        const stream = decoded(res.body as unknown as Readable, typeof encoding === 'string' ? encoding : undefined);
        await pump(stream, this.cfg.maxResponseBytes, consumer);
        return consumer.finish(head);
      }
    } catch (e) {
      const err = redacted(classify(e, combined, this.cfg.timeoutSeconds), sent);
      if (code === 'error') code = err.reason;
      throw err;
    } finally {
      this.observer.request(this.sourceName, code, (performance.now() - started) / 1000);
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
