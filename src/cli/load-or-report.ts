import { loadConfig } from '../registry/load.js';
import type { ExporterConfig } from '../config/types.js';
import type { Logger } from '../logging/logger.js';

/** Loads the config for a command, or writes its problems (start-up's messages) and gives undefined. */
export async function loadOrReport(configFile: string, err: NodeJS.WritableStream): Promise<ExporterConfig | undefined> {
  try {
    return await loadConfig(configFile);
  } catch (e) {
    err.write(`${(e as Error).message}\n`);
    return undefined;
  }
}

/**
 * Start-up's load of a file (`load`: the config or the web config loader): on a problem, logs `what` naming the file and
 * writes the problems (file:line:column) to stderr; undefined then.
 */
export async function loadOrLog<T>(load: (file: string) => Promise<T>, file: string, logger: Logger, what: string): Promise<T | undefined> {
  try {
    return await load(file);
  } catch (e) {
    logger.error({ file }, what);
    process.stderr.write(`${(e as Error).message}\n`);
    return undefined;
  }
}
