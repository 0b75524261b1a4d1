import { loadConfig } from '../registry/load.js';
import type { ExporterConfig } from '../config/types.js';

/** Loads the config for a command, or writes its problems (start-up's messages) and gives undefined. */
export async function loadOrReport(configFile: string, err: NodeJS.WritableStream): Promise<ExporterConfig | undefined> {
  try {
    return await loadConfig(configFile);
  } catch (e) {
    err.write(`${(e as Error).message}\n`);
    return undefined;
  }
}
