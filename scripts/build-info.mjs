// Writes dist/build-info.json at build time: version, revision, branch, build date and user,
// in the manner of Prometheus' version package. Read at run time by src/cli/version.ts.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { userInfo, hostname } from 'node:os';

function git(...args) {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const info = {
  version: process.env.LVE_VERSION || pkg.version,
  revision: process.env.LVE_REVISION || git('rev-parse', '--short=12', 'HEAD') || 'unknown',
  branch: process.env.LVE_BRANCH || git('rev-parse', '--abbrev-ref', 'HEAD') || 'unknown',
  buildUser: process.env.LVE_BUILD_USER || `${userInfo().username}@${hostname()}`,
  buildDate: process.env.LVE_BUILD_DATE || new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
};
mkdirSync(new URL('../dist/', import.meta.url), { recursive: true });
writeFileSync(new URL('../dist/build-info.json', import.meta.url), `${JSON.stringify(info, null, 2)}\n`);
