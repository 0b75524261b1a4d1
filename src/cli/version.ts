import { readFileSync } from 'node:fs';

export interface BuildInfo {
  readonly version: string;
  readonly revision: string;
  readonly branch: string;
  readonly buildUser: string;
  readonly buildDate: string;
}

const UNKNOWN: BuildInfo = { version: 'unknown', revision: 'unknown', branch: 'unknown', buildUser: 'unknown', buildDate: 'unknown' };

/** Build information written by `scripts/build-info.mjs` next to the compiled code. */
export function buildInfo(): BuildInfo {
  try {
    const raw = readFileSync(new URL('../../build-info.json', import.meta.url), 'utf8');
    return { ...UNKNOWN, ...(JSON.parse(raw) as Partial<BuildInfo>) };
  } catch {
    return UNKNOWN;
  }
}

/** `--version` output in the style of Prometheus' version package. */
export function versionText(info: BuildInfo = buildInfo()): string {
  return [
    `label-value-exporter, version ${info.version} (branch: ${info.branch}, revision: ${info.revision})`,
    `  build user:       ${info.buildUser}`,
    `  build date:       ${info.buildDate}`,
    `  node version:     ${process.version}`,
    `  platform:         ${process.platform}/${process.arch}`,
    '',
  ].join('\n');
}
