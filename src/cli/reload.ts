import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseConfig } from '../registry/load.js';
import type { ExporterConfig } from '../config/types.js';
import type { Reading, ReloadResult, ReloadTarget } from '../config/watcher.js';
import type { Logger } from '../logging/logger.js';
import type { ApplySummary } from '../scheduler/scheduler.js';

export type { ReloadResult } from '../config/watcher.js';

/** What reloading the config file works on. */
export interface ConfigReloadOptions {
  readonly logger: Logger;
  current(): ExporterConfig;
  /** The address being served, and whether --web.listen-address chose it (then the config's does not matter). */
  serving(): { readonly host: string; readonly port: number; readonly fromFlag: boolean } | undefined;
  apply(next: ExporterConfig): Promise<ApplySummary>;
  /** `message`: why the file failed to load (ok false). */
  loaded(ok: boolean, message?: string): void;
}

/**
 * The config file as a `FileReloader` target: its key is the hash of its
 * text; the whole new config is parsed and validated before anything is
 * applied. A file that cannot be read during a watch event (being replaced)
 * is not a failure; on an explicit request it is.
 */
export function configReloadTarget(opts: ConfigReloadOptions): ReloadTarget<ExporterConfig> {
  const file = opts.current().file;
  const failed = (trigger: string, message: string): void => {
    opts.loaded(false, message);
    opts.logger.error({ trigger, err: message }, 'configuration reload failed; keeping the running configuration');
  };
  return {
    file,
    runningKey: () => opts.current().hash,
    async read(force: boolean): Promise<Reading<ExporterConfig>> {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        if (!force) return { skip: { ok: true, message: 'config file not readable right now; keeping the running config' } };
        return { error: `${file}: cannot read config file (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
      }
      return { key: createHash('sha256').update(text).digest('hex'), parse: () => parseConfig(text, file) };
    },
    unchanged(): ReloadResult {
      opts.loaded(true);
      return { ok: true, message: 'configuration unchanged' };
    },
    async apply(next: ExporterConfig, trigger: string): Promise<string> {
      const summary = await opts.apply(next);
      opts.loaded(true);
      const serving = opts.serving();
      const restart = serving !== undefined && !serving.fromFlag && (next.listenHost !== serving.host || next.listenPort !== serving.port);
      opts.logger.info({ trigger, ...summary }, 'configuration reloaded');
      if (restart)
        opts.logger.warn({ trigger }, 'exporter_address/exporter_port changed: a restart is needed to listen on the new address');
      const note = restart ? '; exporter_address/exporter_port changed: restart to apply' : '';
      return `reloaded: ${summary.added.length} added, ${summary.changed.length} changed, ${summary.removed.length} removed${note}`;
    },
    failed,
  };
}
