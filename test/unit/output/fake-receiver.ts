/** An in-process remote-write receiver for fault injection: answers as scripted, records what it got. */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { decodeWriteRequest, unsnappy, type DecodedSeries } from './decode.js';

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer only after this long (a slow receiver). */
  delayMs?: number;
  /** Send the head and these bytes of body, then stall for ever (never end the answer). */
  stallBody?: Buffer;
}

export interface Received {
  headers: IncomingHttpHeaders;
  series: DecodedSeries[];
  /** What we answered. */
  status: number;
  /** True when the answer stalled (never completed): not accepted. */
  stalled: boolean;
  /** When it arrived (ms since the epoch). */
  at: number;
}

function seriesKey(s: DecodedSeries): string {
  return JSON.stringify(s.labels);
}

export class FakeReceiver {
  readonly requests: Received[] = [];
  /** Requests being answered now, and the most at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** Requests that arrived holding a series another unanswered request also holds (per-series order at risk). */
  overlaps = 0;
  private readonly busySeries = new Map<string, number>();
  private server: Server | undefined;
  url = '';

  /** `answer(n, headers)`: the reply to the n-th request (0-based); default 204. */
  constructor(private answer: (n: number, headers: IncomingHttpHeaders) => Answer = () => ({ status: 204 })) {}

  setAnswer(answer: (n: number, headers: IncomingHttpHeaders) => Answer): void {
    this.answer = answer;
  }

  /** Series of the requests answered 2xx, in order. */
  accepted(): DecodedSeries[] {
    return this.requests.filter((r) => r.status < 300 && !r.stalled).flatMap((r) => r.series);
  }

  private track(series: DecodedSeries[], delta: 1 | -1): void {
    for (const key of new Set(series.map(seriesKey))) {
      const n = (this.busySeries.get(key) ?? 0) + delta;
      if (n === 0) this.busySeries.delete(key);
      else this.busySeries.set(key, n);
    }
  }

  private reply(res: ServerResponse, a: Answer, series: DecodedSeries[]): void {
    if (a.stallBody) {
      res.writeHead(a.status, a.headers ?? {});
      res.write(a.stallBody); // ...and never end: the sender's deadline must give up
      return;
    }
    const done = () => {
      this.inFlight--;
      this.track(series, -1);
      res.writeHead(a.status, a.headers ?? {});
      res.end(a.body ?? '');
    };
    if (a.delayMs) setTimeout(done, a.delayMs);
    else done();
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const n = this.requests.length;
        const a = this.answer(n, req.headers);
        const series = decodeWriteRequest(unsnappy(Buffer.concat(chunks)));
        if (series.some((s) => this.busySeries.has(seriesKey(s)))) this.overlaps++;
        this.requests.push({ headers: req.headers, series, status: a.status, stalled: a.stallBody !== undefined, at: Date.now() });
        if (!a.stallBody) {
          this.inFlight++;
          this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
          this.track(series, 1);
        }
        this.reply(res, a, series);
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
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
