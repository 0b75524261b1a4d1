import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';

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

/** The first bytes of a body, printable, for error messages about garbage answers. */
export function preview(body: Buffer, max = 120): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we strip
  const text = body.subarray(0, max).toString('utf8').replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
  return JSON.stringify(body.length > max ? `${text}…` : text);
}
