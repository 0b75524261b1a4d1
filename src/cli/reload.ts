import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseConfig } from '../registry/load.js';
import type { ExporterConfig } from '../config/types.js';
import type { Logger } from '../logging/logger.js';
import type { ApplySummary } from '../scheduler/scheduler.js';

export interface ReloadResult {
  readonly ok: boolean;
  /** Shown to whoever asked (HTTP body): the error text on failure. */
  readonly message: string;
}

export interface ReloadTarget {
  current(): ExporterConfig;
  /** The address being served, and whether --web.listen-address chose it (then the config's does not matter). */
  serving(): { readonly host: string; readonly port: number; readonly fromFlag: boolean } | undefined;
  apply(next: ExporterConfig): Promise<ApplySummary>;
  /** `message`: why the file failed to load (ok false). */
  loaded(ok: boolean, message?: string): void;
}

/**
 * Reloads the config file: reads it, skips it when its content is what we
 * run (or, for watch events, what we last tried), parses and validates the
 * whole new config before touching anything, and only then applies it. One
 * reload at a time; a failed one leaves the running config in place.
 */
export class Reloader {
  private lastAttempt: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly target: ReloadTarget,
    private readonly logger: Logger,
  ) {
    this.lastAttempt = target.current().hash;
  }

  /** `force`: an explicit request (SIGHUP, HTTP) rather than a watch event. */
  reload(trigger: string, force: boolean): Promise<ReloadResult> {
    const next = this.queue.then(() => this.run(trigger, force));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async run(trigger: string, force: boolean): Promise<ReloadResult> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if (!force) return { ok: true, message: 'config file not readable right now; keeping the running config' };
      return this.fail(trigger, `${this.file}: cannot read config file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const hash = createHash('sha256').update(text).digest('hex');
    const running = this.target.current();
    if (!force && hash === this.lastAttempt) return { ok: true, message: 'unchanged' };
    this.lastAttempt = hash;
    if (hash === running.hash) {
      this.target.loaded(true);
      return { ok: true, message: 'configuration unchanged' };
    }
    let next: ExporterConfig;
    try {
      next = parseConfig(text, this.file);
    } catch (e) {
      return this.fail(trigger, (e as Error).message);
    }
    const summary = await this.target.apply(next);
    this.target.loaded(true);
    const serving = this.target.serving();
    const restart = serving !== undefined && !serving.fromFlag && (next.listenHost !== serving.host || next.listenPort !== serving.port);
    this.logger.info({ trigger, ...summary }, 'configuration reloaded');
    if (restart) this.logger.warn({ trigger }, 'exporter_address/exporter_port changed: a restart is needed to listen on the new address');
    const note = restart ? '; exporter_address/exporter_port changed: restart to apply' : '';
    return { ok: true, message: `reloaded: ${summary.added.length} added, ${summary.changed.length} changed, ${summary.removed.length} removed${note}` };
  }

  private fail(trigger: string, message: string): ReloadResult {
    this.target.loaded(false, message);
    this.logger.error({ trigger, err: message }, 'configuration reload failed; keeping the running configuration');
    return { ok: false, message };
  }
}
