import { PassThrough } from 'node:stream';
import type { ExpositionFormat } from '../../src/exposition/format.js';
import { writeExposition } from '../../src/exposition/write.js';
import type { SnapshotStore } from '../../src/snapshot/store.js';

/** The exposition of a store's families (no self-metrics), as served in `format`. */
export async function renderStore(store: SnapshotStore, format: ExpositionFormat): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writeExposition(out, store.current(), '', format);
  return Buffer.concat(chunks).toString('utf8');
}
