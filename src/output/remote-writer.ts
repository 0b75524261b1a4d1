/** Kept for cli/app.ts, which constructs the remote writer itself; new code uses outputs.ts (OUTPUT_KINDS, Outputs). */
export { RemoteWriter, SHUTDOWN_FLUSH_MS } from './remote-write/writer.js';
