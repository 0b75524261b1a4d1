import type { ExporterConfig } from '../config/types.js';
import type { SnapshotStore } from '../snapshot/store.js';
import type { Output, OutputDeps, OutputKind } from './output.js';
import { remoteWriteOutput } from './remote-write/index.js';

/** Every kind of output, in start order (stopped together). A new output is a folder under output/ and an entry here. */
export const OUTPUT_KINDS: readonly OutputKind[] = [remoteWriteOutput];

/** All outputs of the process, created once over the store; each is started and changed by `reload`. */
export class Outputs {
  readonly list: readonly Output[];

  constructor(store: SnapshotStore, deps: OutputDeps, kinds: readonly OutputKind[] = OUTPUT_KINDS) {
    this.list = kinds.map((k) => k.create(store, deps));
  }

  /** Applies a (re)loaded config to every output, in order. */
  async reload(config: ExporterConfig): Promise<void> {
    for (const o of this.list) await o.reload(config);
  }

  /** Stops every output (each flushes what it queued for up to its own deadline). */
  async stop(): Promise<void> {
    await Promise.all(this.list.map((o) => o.stop()));
  }
}
