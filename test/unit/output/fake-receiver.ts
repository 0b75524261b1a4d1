/** An in-process remote-write receiver for fault injection: answers as scripted, records what it got. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { once } from 'node:events';
import { decodeWriteRequest, unsnappy, type DecodedSeries } from './decode.js';

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface Received {
  headers: IncomingHttpHeaders;
  series: DecodedSeries[];
  /** What we answered. */
  status: number;
}

export class FakeReceiver {
  readonly requests: Received[] = [];
  private server: Server | undefined;
  url = '';

  /** `answer(n, headers)`: the reply to the n-th request (0-based); default 204. */
  constructor(private answer: (n: number, headers: IncomingHttpHeaders) => Answer = () => ({ status: 204 })) {}

  setAnswer(answer: (n: number, headers: IncomingHttpHeaders) => Answer): void {
    this.answer = answer;
  }

  /** Series of the requests answered 2xx, in order. */
  accepted(): DecodedSeries[] {
    return this.requests.filter((r) => r.status < 300).flatMap((r) => r.series);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const n = this.requests.length;
        const a = this.answer(n, req.headers);
        this.requests.push({ headers: req.headers, series: decodeWriteRequest(unsnappy(Buffer.concat(chunks))), status: a.status });
        res.writeHead(a.status, a.headers ?? {});
        res.end(a.body ?? '');
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    const addr = this.server.address();
    if (addr === null || typeof addr === 'string') throw new Error('no address');
    this.url = `http://127.0.0.1:${addr.port}/api/v1/write`;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/** Polls `check` until true (fault-injection tests wait for retries). */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
