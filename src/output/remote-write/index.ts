import type { OutputKind } from '../output.js';
import { RemoteWriter } from './writer.js';

export { RemoteWriter, SHUTDOWN_FLUSH_MS } from './writer.js';

/** Remote write (config `remote_write:`): every successful run pushed to Prometheus remote-write receivers. */
export const remoteWriteOutput: OutputKind = {
  kind: 'remote_write',
  create: (store, deps) =>
    new RemoteWriter(store, { observer: deps.observers.remoteWrite, logger: deps.logger, userAgent: deps.userAgent }),
};
