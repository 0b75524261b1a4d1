import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

const EXTRA_DIRS = ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/bin', '/sbin'];

function isExecutableFile(candidate: string): boolean {
  try {
    if (!statSync(candidate).isFile()) return false;
    accessSync(candidate, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of an executable found on PATH (or the usual system dirs), or undefined. */
export function findBinary(name: string): string | undefined {
  if (name.includes('/')) {
    const abs = path.resolve(name);
    return isExecutableFile(abs) ? abs : undefined;
  }
  const pathDirs = (process.env['PATH'] ?? '').split(path.delimiter).filter((d) => d !== '');
  const seen = new Set<string>();
  for (const dir of [...pathDirs, ...EXTRA_DIRS]) {
    const abs = path.resolve(dir, name);
    if (seen.has(abs)) continue;
    seen.add(abs);
    if (isExecutableFile(abs)) return abs;
  }
  return undefined;
}

/**
 * Absolute path of a required executable. Throws (so the test FAILS, never skips)
 * with an install hint when it is missing.
 */
export function requireBinary(name: string, debPackage: string): string {
  const found = findBinary(name);
  if (found === undefined) {
    throw new Error(`${name} not found: install it with \`sudo apt-get update && sudo apt-get install -y ${debPackage}\``);
  }
  return found;
}
