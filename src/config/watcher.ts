import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface WatchOptions {
  /** Quiet time after the last event before `onChange` fires. */
  readonly debounceMs: number;
  /** Also fire every this often: watch events get lost in the wild. */
  readonly pollIntervalMs: number;
}

/**
 * Tells when a config file may have changed: an in-place write, an editor's
 * write-then-rename, a delete and recreate, or a Kubernetes ConfigMap update
 * (the file is a symlink to `..data/<file>` and `..data` is a symlink that is
 * swapped atomically). All of those show up as events on the file's
 * directory, so that is what is watched; bursts are debounced. The caller
 * decides whether the content really changed (by its hash).
 */
export class ConfigWatcher {
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private readonly dir: string;
  private readonly name: string;

  constructor(
    file: string,
    private readonly opts: WatchOptions,
    private readonly onChange: () => void,
  ) {
    this.dir = dirname(file);
    this.name = basename(file);
  }

  start(): void {
    this.rewatch();
    if (this.opts.pollIntervalMs > 0) {
      this.poll = setInterval(() => {
        if (!this.watcher) this.rewatch();
        this.onChange();
      }, this.opts.pollIntervalMs);
      this.poll.unref();
    }
  }

  private rewatch(): void {
    try {
      this.watcher = watch(this.dir, { persistent: false }, (_event, filename) => {
        // Our file, or (ConfigMap) the ..data links; null when the OS does not say.
        if (filename === null || filename === this.name || filename.startsWith('..')) this.bump();
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      this.watcher = undefined; // the directory may come back: the poll retries
    }
  }

  private bump(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.onChange(), this.opts.debounceMs);
    this.debounce.unref();
  }

  stop(): void {
    clearTimeout(this.debounce);
    clearInterval(this.poll);
    this.watcher?.close();
    this.watcher = undefined;
  }
}

/** What a reload answers; `message` is shown to whoever asked (the HTTP body): the error text on failure. */
export interface ReloadResult {
  readonly ok: boolean;
  readonly message: string;
}

/** One reading of a reloadable file, as its target hands it to the `FileReloader`. */
export type Reading<T> =
  /** Nothing to do now: answer this (e.g. a file briefly missing during a watch event). */
  | { readonly skip: ReloadResult }
  /** The file cannot be used. With `key`, the same failure seen again on a watch event is not reported again. */
  | { readonly error: string; readonly key?: string }
  /** `key` names the content (a hash): unchanged content is not applied again. `parse` validates it in full or throws. */
  | { readonly key: string; parse(): T };

/** A file the exporter runs from (the config file, the web config file) and what applying it means. */
export interface ReloadTarget<T> {
  /** The file to watch. */
  readonly file: string;
  /** The key (see `Reading`) of what runs now. */
  runningKey(): string;
  /** Reads the file; `force`: an explicit request (SIGHUP, HTTP) rather than a watch event. */
  read(force: boolean): Promise<Reading<T>>;
  /** The file holds what already runs. */
  unchanged(): ReloadResult;
  /** Puts a fully validated new state in place; gives the success message. */
  apply(next: T, trigger: string): Promise<string>;
  /** Records and logs a failed reload (`message`: file:line and what is wrong); the running state stays. */
  failed(trigger: string, message: string): void;
}

/**
 * Reloads one file: on its watch events (debounced), every `pollIntervalMs`
 * and on explicit requests. Skips content that is what runs (or, for watch
 * events, what was last tried), validates the whole new state before touching
 * anything, and only then applies it. One reload at a time; a failed one
 * leaves the running state in place.
 */
export class FileReloader<T> {
  private lastAttempt: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private watcher: ConfigWatcher | undefined;

  constructor(private readonly target: ReloadTarget<T>) {
    this.lastAttempt = target.runningKey();
  }

  /** Watches the file; a change is a reload with trigger `file`. */
  start(watch: WatchOptions): void {
    this.watcher = new ConfigWatcher(this.target.file, watch, () => void this.reload('file', false));
    this.watcher.start();
  }

  stop(): void {
    this.watcher?.stop();
  }

  /** `force`: an explicit request (SIGHUP, HTTP) rather than a watch event. */
  reload(trigger: string, force: boolean): Promise<ReloadResult> {
    const next = this.queue.then(() => this.run(trigger, force));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async run(trigger: string, force: boolean): Promise<ReloadResult> {
    const reading = await this.target.read(force);
    if ('skip' in reading) return reading.skip;
    if ('error' in reading) {
      // Watch events repeat: report one failure per distinct broken content.
      if (reading.key !== undefined) {
        if (!force && reading.key === this.lastAttempt) return { ok: false, message: reading.error };
        this.lastAttempt = reading.key;
      }
      return this.fail(trigger, reading.error);
    }
    if (!force && reading.key === this.lastAttempt) return { ok: true, message: 'unchanged' };
    this.lastAttempt = reading.key;
    if (reading.key === this.target.runningKey()) return this.target.unchanged();
    let next: T;
    try {
      next = reading.parse();
    } catch (e) {
      return this.fail(trigger, (e as Error).message);
    }
    return { ok: true, message: await this.target.apply(next, trigger) };
  }

  private fail(trigger: string, message: string): ReloadResult {
    this.target.failed(trigger, message);
    return { ok: false, message };
  }
}
