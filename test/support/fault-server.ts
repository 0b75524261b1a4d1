/**
 * A local HTTP server that answers like a source (Prometheus query API, JSON
 * API, /metrics) or a remote-write receiver, compressed as asked, and breaks
 * the answer half-way on demand. The path says how: `/<encoding>/<fault>/...`
 * with encoding `gzip`, `deflate`, `br` or `identity` and fault
 * - `stall`: headers and half the compressed body, then silence (the socket stays open);
 * - `reset`: half the body, then a TCP reset;
 * - `trickle`: a never-ending answer, a few bytes every 200 ms (whitespace/comments), so no idle timeout fires;
 * - `slow`: the whole answer after `slowMs`.
 * Until `broken` is set, every path answers completely and at once.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import {
  brotliCompressSync,
  constants,
  createBrotliCompress,
  createDeflate,
  createGzip,
  deflateSync,
  gzipSync,
  type BrotliCompress,
  type Deflate,
  type Gzip,
} from 'node:zlib';

export type Encoding = 'gzip' | 'deflate' | 'br' | 'identity';
export type Fault = 'stall' | 'reset' | 'trickle' | 'slow';

const NODES = 200;

/** The full answer of each kind of endpoint: `minor` of node nK is K % 40. */
function answer(kind: string): { type: string; body: string; prefix: string; filler: string } {
  const nodes = Array.from({ length: NODES }, (_, k) => ({ node: `n${k}`, minor: String(k % 40) }));
  if (kind === 'json') return { type: 'application/json', body: JSON.stringify({ items: nodes }), prefix: '{"items":[', filler: ' ' };
  if (kind === 'metrics') {
    const lines = nodes.map((n) => `kube_node_info{node="${n.node}",minor="${n.minor}"} 1`);
    return {
      type: 'text/plain; version=0.0.4',
      body: `# TYPE kube_node_info gauge\n${lines.join('\n')}\n`,
      prefix: '# TYPE kube_node_info gauge\n',
      filler: '# still here\n',
    };
  }
  if (kind === 'write') return { type: 'text/plain', body: 'ok '.repeat(2000), prefix: 'ok ', filler: ' ' };
  const result = nodes.map((n) => ({ metric: { __name__: 'kube_node_info', ...n }, value: [1, '1'] }));
  return {
    type: 'application/json',
    body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }),
    prefix: '{"status":"success","data":{"resultType":"vector","result":[',
    filler: ' ',
  };
}

function compress(encoding: Encoding, body: string): Buffer {
  const raw = Buffer.from(body);
  if (encoding === 'gzip') return gzipSync(raw);
  if (encoding === 'deflate') return deflateSync(raw);
  if (encoding === 'br') return brotliCompressSync(raw);
  return raw;
}

function encoder(encoding: Encoding): Gzip | Deflate | BrotliCompress | undefined {
  if (encoding === 'gzip') return createGzip();
  if (encoding === 'deflate') return createDeflate();
  if (encoding === 'br') return createBrotliCompress();
  return undefined;
}

export class FaultServer {
  /** Set to make every path misbehave as its fault says. */
  broken = false;
  slowMs = 1500;
  /** Requests by kind (`query`, `json`, `metrics`, `write`). */
  readonly hits = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FaultServer> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const self = new FaultServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => self.handle(req, res));
    return self;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    const [, enc = 'identity', fault = 'stall', ...rest] = (req.url ?? '/').split('?')[0]?.split('/') ?? [];
    const kind = rest.at(-1) === 'query' ? 'query' : (rest.at(-1) ?? 'query');
    this.hits.set(kind, (this.hits.get(kind) ?? 0) + 1);
    const encoding = enc as Encoding;
    const a = answer(kind);
    const headers = { 'content-type': a.type, ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }) };
    const full = compress(encoding, a.body);
    if (!this.broken) return void res.writeHead(200, headers).end(full);
    switch (fault as Fault) {
      case 'slow':
        return this.later(() => res.writeHead(200, headers).end(full), this.slowMs);
      case 'reset':
        res.writeHead(200, headers).write(full.subarray(0, full.length >> 1));
        return this.later(() => res.socket?.resetAndDestroy(), 100);
      case 'trickle':
        return this.trickle(res, headers, encoding, a);
      default:
        res.writeHead(200, headers).write(full.subarray(0, full.length >> 1));
    }
  }

  /** An answer that never ends but never goes quiet either. */
  private trickle(res: ServerResponse, headers: Record<string, string>, encoding: Encoding, a: { prefix: string; filler: string }): void {
    res.writeHead(200, headers);
    const enc = encoder(encoding);
    const send = (text: string) => {
      if (!enc) return void res.write(text);
      enc.write(text);
      enc.flush(encoding === 'br' ? constants.BROTLI_OPERATION_FLUSH : constants.Z_SYNC_FLUSH);
    };
    enc?.on('data', (c: Buffer) => res.write(c));
    send(a.prefix);
    const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : send(a.filler)), 200);
    this.timers.add(timer);
  }

  private later(f: () => void, ms: number): void {
    const timer = setTimeout(f, ms);
    this.timers.add(timer);
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close').catch(() => undefined);
  }
}
