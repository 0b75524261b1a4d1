import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { SourceError } from '../model/errors.js';

/** Undoes `Content-Encoding` as the body streams in. */
export function decoded(body: Readable, encoding: string | undefined): Readable {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return body.pipe(createGunzip());
    case 'deflate':
      return body.pipe(createInflate());
    case 'br':
      return body.pipe(createBrotliDecompress());
    default:
      return body;
  }
}

/** Reads a whole (decoded) body, failing with `too_large` past `limit` bytes. */
export async function readLimited(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        stream.destroy();
        throw new SourceError('too_large', `response body exceeds max_response_bytes (${limit} bytes)`);
      }
      chunks.push(chunk);
    }
  } catch (e) {
    if (e instanceof SourceError) throw e;
    throw new SourceError('bad_response', `reading response body failed: ${(e as Error).message}`, { cause: e });
  }
  return Buffer.concat(chunks, size);
}

/** The first bytes of a body, printable, for error messages about garbage answers. */
export function preview(body: Buffer, max = 120): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we strip
  const text = body.subarray(0, max).toString('utf8').replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
  return JSON.stringify(body.length > max ? `${text}…` : text);
}
