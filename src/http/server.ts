import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../logging/logger.js';
import type { HttpDeps } from './deps.js';
import { statusPage } from './status-page.js';
import { serveMetrics } from './metrics-route.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

interface Route {
  readonly methods: readonly string[];
  readonly handler: Handler;
}

const READ = ['GET', 'HEAD'] as const;
const WRITE = ['POST', 'PUT'] as const;

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
      handler: (_req, res) => (deps.ready() ? text(res, 200, 'Ready\n') : text(res, 503, 'Not ready: waiting for the first run of every transformation\n')),
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

/** The HTTP endpoints. Each path answers its own methods only (405 otherwise). */
export function createHttpServer(deps: HttpDeps, logger: Logger): Server {
  const table = routes(deps);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const route = table[path];
    if (!route) return text(res, 404, 'Not found\n');
    if (!route.methods.includes(req.method ?? '')) return text(res, 405, 'Method not allowed\n', { allow: route.methods.join(', ') });
    Promise.resolve(route.handler(req, res)).catch((e: unknown) => {
      logger.error({ path, err: (e as Error).message }, 'request failed');
      if (!res.headersSent) text(res, 500, 'Internal error\n');
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 30_000;
  return server;
}
