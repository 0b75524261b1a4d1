import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import type { HttpClientConfig } from '../config/types.js';
import { SourceError } from '../model/errors.js';
import { decoded, readLimited } from './body.js';
import type { SourceObserver } from './source.js';

export interface HttpResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
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

function classify(e: unknown, signal: AbortSignal, timeoutSeconds: number): SourceError {
  if (e instanceof SourceError) return e;
  if (signal.aborted) return new SourceError('timeout', `no complete answer within ${timeoutSeconds}s`, { cause: e });
  const err = e as NodeJS.ErrnoException;
  const code = err.code ?? err.name;
  return new SourceError('connection', `request failed: ${code}${err.message ? ` (${err.message})` : ''}`, { cause: e });
}

/**
 * HTTP client of one source: TLS, auth and extra headers from the config,
 * a timeout, decompression, a body-size limit, and redirects that keep the
 * method and body (a query sent by POST must not silently become a GET).
 * Credentials are sent only to the configured origin.
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

  private headers(target: URL, contentType: string): Record<string, string> {
    const h: Record<string, string> = {
      'content-type': contentType,
      'accept-encoding': 'gzip, deflate',
      'user-agent': 'label-value-exporter',
      accept: 'application/json',
    };
    if (target.origin !== this.origin) return h;
    for (const [k, v] of this.cfg.headers) h[k.toLowerCase()] = v.reveal();
    const { basicAuth, bearerToken, bearerTokenFile } = this.cfg;
    if (basicAuth) {
      const password = basicAuth.passwordFile ? readSecretFile(basicAuth.passwordFile) : (basicAuth.password?.reveal() ?? '');
      h.authorization = `Basic ${Buffer.from(`${basicAuth.username}:${password}`).toString('base64')}`;
    } else if (bearerToken || bearerTokenFile) {
      h.authorization = `Bearer ${bearerTokenFile ? readSecretFile(bearerTokenFile) : bearerToken?.reveal()}`;
    }
    return h;
  }

  /** POSTs a form to `path` below the base URL and reads the whole answer. */
  async postForm(path: string, form: URLSearchParams, signal: AbortSignal): Promise<HttpResponse> {
    const started = performance.now();
    const timeout = AbortSignal.timeout(this.cfg.timeoutSeconds * 1000);
    const combined = AbortSignal.any([signal, timeout]);
    let code = 'error';
    try {
      let target = new URL(this.cfg.url + path);
      for (let hop = 0; ; hop++) {
        const res = await request(target, {
          method: 'POST',
          body: form.toString(),
          headers: this.headers(target, 'application/x-www-form-urlencoded'),
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
        const stream = decoded(res.body as unknown as Readable, typeof encoding === 'string' ? encoding : undefined);
        const body = await readLimited(stream, this.cfg.maxResponseBytes);
        const ct = res.headers['content-type'];
        return { status: res.statusCode, contentType: typeof ct === 'string' ? ct : '', body };
      }
    } catch (e) {
      const err = classify(e, combined, this.cfg.timeoutSeconds);
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
