import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { CONTENT_TYPES } from '../exposition/format.js';
import { negotiate } from '../exposition/negotiate.js';
import { writeExposition } from '../exposition/write.js';
import type { HttpDeps } from './deps.js';

function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [coding = '', ...params] = part.trim().split(';');
    if (coding.trim().toLowerCase() !== 'gzip') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** Aborts when the connection closes before the answer was sent. */
function clientGone(res: ServerResponse): AbortSignal {
  const gone = new AbortController();
  res.once('close', () => gone.abort());
  return gone.signal;
}

/** GET /metrics: our derived series from the current snapshot plus our own metrics. */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse, deps: HttpDeps): Promise<void> {
  const format = negotiate(req.headers.accept);
  deps.scraped(format);
  // Scrape-time queries (mode: on_scrape). HEAD only asks whether /metrics answers: it never queries a source.
  if (deps.refresh && req.method !== 'HEAD') await deps.refresh(clientGone(res));
  const families = deps.store.current();
  const self = await deps.selfMetrics(format);
  const gzip = acceptsGzip(req.headers['accept-encoding']);
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[format],
    vary: 'Accept, Accept-Encoding',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const z = gzip ? createGzip({ level: 1 }) : undefined;
  const out: Writable = z ?? res;
  // pipeline, not pipe: a client gone destroys the gzip stream too, so the writer stops.
  const sent = z ? pipeline(z, res) : finished(res);
  sent.catch(() => undefined); // awaited below; a client gone early must not be an unhandled rejection
  try {
    await writeExposition(out, families, self, format);
    out.end();
    await sent;
  } catch (e) {
    // The client went away mid-body: nothing to answer, nothing to log.
    if (res.destroyed) return;
    throw e;
  }
}
