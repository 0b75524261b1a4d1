import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StaticServer {
  url: string;
  port: number;
  /** Serve body at path (query string ignored). Default content type: Prometheus text 0.0.4. */
  set(path: string, body: string | Buffer, contentType?: string): void;
  /** Stop serving path (it answers 404 afterwards). */
  remove(path: string): void;
  /** How many GET requests path has received. */
  hits(path: string): number;
  close(): Promise<void>;
}

const PROM_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * In-process HTTP server on 127.0.0.1 serving fixed bodies. Only a data carrier for a
 * real Prometheus to scrape fixture series from.
 */
export async function startStaticServer(): Promise<StaticServer> {
  const routes = new Map<string, { body: string | Buffer; contentType: string }>();
  const hitCounts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    hitCounts.set(pathname, (hitCounts.get(pathname) ?? 0) + 1);
    const route = routes.get(pathname);
    if (route === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${pathname}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': route.contentType });
    res.end(req.method === 'HEAD' ? undefined : route.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    set(path, body, contentType = PROM_TEXT) {
      routes.set(path, { body, contentType });
    },
    remove(path) {
      routes.delete(path);
    },
    hits(path) {
      return hitCounts.get(path) ?? 0;
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
