/**
 * Worker thread of `BcryptPool`: bcryptjs is pure JavaScript, and one cost-10
 * comparison holds a thread for ~100 ms; here it holds this thread, not the
 * server's event loop.
 */
import { parentPort } from 'node:worker_threads';
import bcrypt from 'bcryptjs';

export interface VerifyTask {
  readonly id: number;
  readonly password: string;
  readonly hash: string;
}

export interface VerifyDone {
  readonly id: number;
  readonly ok: boolean;
  /** Thread time of the comparison, to calibrate the padding of failures (see BasicAuth). */
  readonly ms: number;
}

parentPort?.on('message', (task: VerifyTask) => {
  const started = performance.now();
  let ok = false;
  try {
    ok = bcrypt.compareSync(task.password, task.hash);
  } catch {
    ok = false;
  }
  const done: VerifyDone = { id: task.id, ok, ms: performance.now() - started };
  parentPort?.postMessage(done);
});
