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
