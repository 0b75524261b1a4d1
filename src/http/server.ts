import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../logging/logger.js';
import type { HttpDeps } from './deps.js';
import { ConnectionGuard } from './connections.js';
import { statusPage } from './status-page.js';
import { serveMetrics } from './metrics-route.js';
import { clientCertAcceptable, clientCertOptions, secureContextOptions } from './tls.js';
import { REALM, WebGate } from './web.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

interface Route {
  readonly methods: readonly string[];
  readonly handler: Handler;
}

const READ = ['GET', 'HEAD'] as const;
/** Reload changes state: POST only (PUT, GET… answer 405 with `Allow: POST`). */
const WRITE = ['POST'] as const;

function text(res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...extra });
  res.end(body);
}

function routes(deps: HttpDeps): Record<string, Route> {
  const healthy: Route = { methods: READ, handler: (_req, res) => text(res, 200, 'OK\n') };
  const reload: Route = {
    methods: WRITE,
    handler: async (req, res) => {
      req.resume();
      const r = await deps.reload();
      text(res, r.ok ? 200 : 500, `${r.message}\n`);
    },
  };
  return {
    '/metrics': { methods: READ, handler: (req, res) => serveMetrics(req, res, deps) },
    '/health': healthy,
    '/-/healthy': healthy,
    '/-/ready': {
      methods: READ,
      handler: (_req, res) =>
        deps.ready()
          ? text(res, 200, 'Ready\n')
          : text(
              res,
              503,
              'Not ready: waiting for every transformation to succeed once (or to fail its first 3 runs); see the status page at /\n',
            ),
    },
    '/-/reload': reload,
    '/reload': reload,
    '/': {
      methods: READ,
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(statusPage(deps));
      },
    },
  };
}

export interface HttpServerOptions {
  /** Web configuration (TLS, basic auth, headers); none: plain HTTP, no auth. */
  readonly web?: WebGate;
  /** Cap on concurrent connections; further ones are closed at once. */
  readonly maxConnections?: number;
  /** Told about every connection closed at once because of `maxConnections`. */
  readonly onDrop?: () => void;
}

export const DEFAULT_MAX_CONNECTIONS = 1024;

/** Limits against slow or oversized clients (slowloris, header floods). */
const LIMITS = {
  /** Whole request headers must arrive within this. */
  headersTimeout: 10_000,
  /** Whole request (headers and body) must arrive within this. */
  requestTimeout: 30_000,
  /** Idle keep-alive connections are closed after this. */
  keepAliveTimeout: 30_000,
  maxHeaderSize: 16 * 1024,
  /**
   * How often Node checks the two timeouts above. Its default (30 s) would let
   * a slowloris client hold a connection for up to 40 s instead of 10 s.
   */
  connectionsCheckingInterval: 1_000,
} as const;

/** TLS handshake must finish within this. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * The HTTP(S) endpoints. Each path answers its own methods only (405
 * otherwise). With a web configuration: HTTPS when it has TLS settings (fixed
 * at creation; certificates are swapped with `applyTls`), basic auth on every
 * path but the liveness probes, and its headers on every answer.
 */
export function createHttpServer(deps: HttpDeps, logger: Logger, options: HttpServerOptions = {}): Server {
  const table = routes(deps);
  const web = options.web ?? new WebGate();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    for (const [name, value] of Object.entries(web.current.headers)) res.setHeader(name, value);
    const verdict = await web.allowed(path, req.headers.authorization);
    if (verdict !== 'ok') {
      req.resume();
      // Busy: the credentials could not be checked now; says nothing about them, so no challenge.
      if (verdict === 'busy') return text(res, 503, 'Too many authentication attempts in progress; retry later\n', { 'retry-after': '1' });
      return text(res, 401, 'Unauthorized\n', { 'www-authenticate': `Basic realm="${REALM}", charset="UTF-8"` });
    }
    const route = table[path];
    if (!route) return text(res, 404, 'Not found\n');
    if (!route.methods.includes(req.method ?? '')) return text(res, 405, 'Method not allowed\n', { allow: route.methods.join(', ') });
    await route.handler(req, res);
  };
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((e: unknown) => {
      logger.error({ path: (req.url ?? '/').split('?', 1)[0], err: (e as Error).message }, 'request failed');
      if (!res.headersSent) text(res, 500, 'Internal error\n');
      else res.destroy();
    });
  };
  const httpOptions: ServerOptions = { ...LIMITS };
  const tls = web.current.tls;
  let server: Server;
  if (tls) {
    const https = createHttpsServer(
      { ...httpOptions, ...secureContextOptions(tls), ...clientCertOptions(tls.clientAuth), handshakeTimeout: HANDSHAKE_TIMEOUT_MS },
      listener,
    );
    https.on('secureConnection', (socket: TLSSocket) => {
      const type = web.current.tls?.clientAuth ?? 'NoClientCert';
      if (!clientCertAcceptable(socket, type)) {
        logger.debug({ remote: socket.remoteAddress, clientAuth: type }, 'TLS client certificate rejected');
        socket.destroy();
      }
    });
    https.on('tlsClientError', (err: Error) => logger.debug({ err: err.message }, 'TLS handshake failed'));
    server = https as unknown as Server;
  } else {
    server = createServer(httpOptions, listener);
  }
  // Also set as properties: older Node versions read some of them only there.
  server.headersTimeout = LIMITS.headersTimeout;
  server.requestTimeout = LIMITS.requestTimeout;
  server.keepAliveTimeout = LIMITS.keepAliveTimeout;
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  new ConnectionGuard(server.maxConnections).attach(server);
  const onDrop = options.onDrop;
  if (onDrop) server.on('drop', () => onDrop());
  return server;
}
