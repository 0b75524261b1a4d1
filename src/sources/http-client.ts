import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import type { HttpClientConfig } from '../config/types.js';
import { abandonOnAbort, Deadline, DeadlineExceeded, formatSeconds, withDeadline } from '../model/deadline.js';
import { SourceError } from '../model/errors.js';
import { blankSecrets, joinPath, redactUrlsInText } from '../model/url.js';
import { decoded, pumpBody } from './body.js';
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

/** Failures that cut a request short, whatever status it had already answered with. */
const TRANSPORT_FAILURES: ReadonlySet<string> = new Set(['timeout', 'connection', 'too_large']);
const MAX_REDIRECTS = 5;
/** On close (reload, shutdown), requests in flight get this long before their connections are destroyed. */
const CLOSE_GRACE_SECONDS = 2;

/** What a request got so far: the status (or failure) for our metrics, the secrets sent for redaction. */
interface Exchange {
  code: string;
  readonly sent: string[];
}
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

/** undici's own idle timers (set to the request timeout): held by the socket, so they fire whatever the GC does. */
const UNDICI_TIMEOUTS: Readonly<Record<string, string>> = {
  UND_ERR_HEADERS_TIMEOUT: 'no response headers',
  UND_ERR_BODY_TIMEOUT: 'body stalled: no data',
};

/** Why a request failed; an abort says which deadline fired (or that the caller gave up). */
function classify(e: unknown, signal: AbortSignal, timeoutSeconds: number): SourceError {
  if (e instanceof SourceError) return e;
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    const message =
      reason instanceof DeadlineExceeded ? reason.message : `request abandoned: ${(reason as Error)?.message ?? String(reason)}`;
    return new SourceError('timeout', message, { cause: e });
  }
  const err = e as NodeJS.ErrnoException;
  const code = err.code ?? err.name;
  const idle = UNDICI_TIMEOUTS[code];
  if (idle) return new SourceError('timeout', `${idle} for ${formatSeconds(timeoutSeconds)} (request timeout)`, { cause: e });
  return new SourceError('connection', `request failed: ${code}${err.message ? ` (${err.message})` : ''}`, { cause: e });
}

/**
 * HTTP client of one source: TLS, auth and extra headers from the config,
 * a timeout that fires whatever the GC does and ends every wait (headers,
 * body, decoder), decompression, a body-size limit, and redirects that keep the
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
    /** What the client talks to, for the name of its deadline: `source`, `remote_write`. */
    private readonly role = 'source',
  ) {
    const tls = cfg.tls;
    // undici's own timers (300 s by default) as a second line behind our deadline: they are held by the socket.
    const timeoutMs = Math.max(1, Math.ceil(cfg.timeoutSeconds * 1000));
    this.dispatcher = new Agent({
      connect: {
        rejectUnauthorized: !tls.insecureSkipVerify,
        ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}),
        ...(tls.certFile ? { cert: readFileSync(tls.certFile) } : {}),
        ...(tls.keyFile ? { key: readFileSync(tls.keyFile) } : {}),
        ...(tls.serverName ? { servername: tls.serverName } : {}),
      },
      keepAliveTimeout: 30_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
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
    const req = {
      method: 'POST',
      body: form.toString(),
      contentType: 'application/x-www-form-urlencoded',
      accept: 'application/json',
    } as const;
    return this.request(joinPath(this.cfg.url, path), req, signal, consumer);
  }

  /** Sends `req` to `url` (the source's own URL, or below it) and streams the answer into `consumer`. */
  async request<T>(url: string, req: RequestSpec, signal: AbortSignal, consumer: BodyConsumer<T>): Promise<T> {
    const started = performance.now();
    const deadline = new Deadline(`request timeout (${this.role} ${this.sourceName})`, this.cfg.timeoutSeconds, signal);
    const exchange: Exchange = { code: 'error', sent: [] };
    try {
      // Whatever undici or a decoder does with the abort, the deadline holds: work past it is abandoned.
      return await abandonOnAbort(this.exchange(new URL(url), req, deadline.signal, consumer, exchange), deadline.signal);
    } catch (e) {
      const err = redacted(classify(e, deadline.signal, this.cfg.timeoutSeconds), exchange.sent);
      // A request that broke off after its status line did not complete: count it under why
      // (a body that timed out is not a "200"). A complete answer keeps its status (e.g. 503).
      if (exchange.code === 'error' || TRANSPORT_FAILURES.has(err.reason)) exchange.code = err.reason;
      throw err;
    } finally {
      deadline.dispose();
      this.observer.request(this.sourceName, exchange.code, (performance.now() - started) / 1000);
    }
  }

  /** The request and its redirects, then the body streamed into `consumer`; every wait ends when `signal` aborts. */
  private async exchange<T>(target: URL, req: RequestSpec, signal: AbortSignal, consumer: BodyConsumer<T>, ex: Exchange): Promise<T> {
    for (let hop = 0; ; hop++) {
      const res = await request(target, {
        method: req.method,
        body: req.body ?? null,
        headers: this.headers(target, req, ex.sent),
        dispatcher: this.dispatcher,
        signal,
      });
      ex.code = String(res.statusCode);
      const location = res.headers.location;
      if (REDIRECTS.has(res.statusCode) && typeof location === 'string' && hop < MAX_REDIRECTS) {
        await res.body.dump({ signal, limit: 128 * 1024 });
        target = new URL(location, target);
        continue;
      }
      const encoding = res.headers['content-encoding'];
      const ct = res.headers['content-type'];
      const retryAfter = res.headers['retry-after'];
      const head = {
        status: res.statusCode,
        contentType: typeof ct === 'string' ? ct : '',
        ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
      };
      consumer.start?.(head);
      const stream = decoded(res.body as unknown as Readable, typeof encoding === 'string' ? encoding : undefined);
      await pumpBody(stream, this.cfg.maxResponseBytes, signal, (chunk) => consumer.write(chunk));
      return consumer.finish(head);
    }
  }

  async close(): Promise<void> {
    try {
      await withDeadline('closing connections', CLOSE_GRACE_SECONDS, undefined, () => this.dispatcher.close());
    } catch {
      // close() waits for the requests in flight: one stuck past its abort must not hold a reload or a shutdown.
      void this.dispatcher.destroy().catch(() => undefined);
    }
  }
}
