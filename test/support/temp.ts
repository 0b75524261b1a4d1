import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { registerExitCleanup } from './cleanup.js';

const tempDirs = new Set<string>();
let hookInstalled = false;

function removeTempDirsSync(): void {
  if (process.env['KEEP_E2E_TMP'] === '1') return;
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // best effort at exit
    }
  }
  tempDirs.clear();
}

/** Remove a directory made by makeTempDir now (no-op with KEEP_E2E_TMP=1). */
export async function removeTempDir(dir: string): Promise<void> {
  if (process.env['KEEP_E2E_TMP'] === '1') return;
  tempDirs.delete(dir);
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * A fresh directory under os.tmpdir(). It is removed when the test process exits
 * (set KEEP_E2E_TMP=1 to keep it for debugging), so data survives stop()/restart().
 */
export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `lve-${prefix}-`));
  tempDirs.add(dir);
  if (!hookInstalled) {
    hookInstalled = true;
    registerExitCleanup('files', removeTempDirsSync);
  }
  return dir;
}
