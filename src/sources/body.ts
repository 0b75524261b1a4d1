import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { pipeline, type Readable } from 'node:stream';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { SourceError } from '../model/errors.js';

function decoder(encoding: string | undefined): NodeJS.ReadWriteStream | undefined {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
}

/**
 * Undoes `Content-Encoding` as the body streams in. `pipeline`, not `pipe`:
 * an error or abort of the body (connection reset, deadline) destroys the
 * decoder with that error, so the reader fails instead of waiting for ever.
 */
export function decoded(body: Readable, encoding: string | undefined): Readable {
  const d = decoder(encoding);
  if (!d) return body;
  // The callback only keeps pipeline from throwing; the error reaches the reader through the decoder.
  return pipeline(body, d, () => undefined) as unknown as Readable;
}

/** Synchronous work on a body runs at most this long before the event loop gets a turn (health checks, scrapes). */
export const SLICE_MS = 5;

/**
 * Feeds a (decoded) body to `write`, failing with `too_large` past `limit`
 * bytes. When `signal` aborts, the stream is destroyed with its reason, so
 * the caller never waits on a source that went silent. Chunks that are
 * already buffered arrive as microtasks only: after each slice of SLICE_MS
 * of work the pump yields to the macrotask queue, so a big decode never
 * starves the HTTP server.
 */
export async function pumpBody(stream: Readable, limit: number, signal: AbortSignal, write: (chunk: Buffer) => void): Promise<void> {
  const onAbort = () => stream.destroy(signal.reason as Error);
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    let size = 0;
    let sliceStart = performance.now();
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        stream.destroy();
        throw new SourceError('too_large', `response body exceeds max_response_bytes (${limit} bytes)`);
      }
      write(chunk);
      if (performance.now() - sliceStart > SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** The first bytes of a body, printable, for error messages about garbage answers. */
export function preview(body: Buffer, max = 120): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we strip
  const controls = /[\x00-\x1f\x7f]+/g;
  const text = body.subarray(0, max).toString('utf8').replace(controls, ' ').trim();
  return JSON.stringify(body.length > max ? `${text}…` : text);
}
