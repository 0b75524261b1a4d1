import { spawn, type ChildProcess } from 'node:child_process';
import { registerExitCleanup } from './cleanup.js';

export interface StartOptions {
  /** Human-readable name used in logs and error messages. */
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

const MAX_LOG_CHARS = 200 * 1024;
/** After 'exit', wait at most this long for stdout/stderr to drain ('close'). */
const CLOSE_GRACE_MS = 1000;

const running = new Set<ManagedProcess>();
let cleanupRegistered = false;

function killAllSync(): void {
  for (const proc of running) {
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}

/** True when a process with this PID exists (signal 0 probe). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** PIDs of all ManagedProcesses that are still running (for leak assertions). */
export function runningPids(): number[] {
  return [...running].map((p) => p.pid);
}

/**
 * A child process with captured output, stopped by PID. Every instance is SIGKILLed
 * when the test process exits, so a crashing test leaves nothing behind.
 */
export class ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly command: string;
  readonly args: readonly string[];
  /** Resolves once the process has exited (and its output drained). Never rejects. */
  readonly exited: Promise<ExitInfo>;

  #output = '';
  #exitInfo: ExitInfo | undefined;

  private constructor(name: string, child: ChildProcess, pid: number, command: string, args: string[]) {
    this.name = name;
    this.pid = pid;
    this.command = command;
    this.args = args;
    const onData = (chunk: Buffer): void => this.#append(chunk.toString('utf8'));
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exited = new Promise<ExitInfo>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        resolve(this.#exitInfo ?? { code: null, signal: null });
      };
      child.once('exit', (code, signal) => {
        this.#exitInfo = { code, signal };
        running.delete(this);
        timer = setTimeout(finish, CLOSE_GRACE_MS);
      });
      child.once('close', finish);
    });
  }

  static async start(opts: StartOptions): Promise<ManagedProcess> {
    const child = spawn(opts.command, opts.args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        reject(new Error(`${opts.name}: failed to start ${opts.command}: ${err.message}`, { cause: err }));
      };
      child.once('error', onError);
      child.once('spawn', () => {
        child.removeListener('error', onError);
        resolve();
      });
    });
    // Later 'error' events (e.g. failed kill) must not crash the test process.
    child.on('error', () => undefined);
    if (child.pid === undefined) throw new Error(`${opts.name}: spawned without a pid`);
    const proc = new ManagedProcess(opts.name, child, child.pid, opts.command, opts.args);
    running.add(proc);
    if (!cleanupRegistered) {
      cleanupRegistered = true;
      registerExitCleanup('processes', killAllSync);
    }
    return proc;
  }

  #append(text: string): void {
    this.#output += text;
    if (this.#output.length > MAX_LOG_CHARS * 1.5) {
      this.#output = this.#output.slice(-MAX_LOG_CHARS);
    }
  }

  /** Combined stdout+stderr captured so far (last ~200 KB). */
  logs(): string {
    return this.#output.length > MAX_LOG_CHARS ? this.#output.slice(-MAX_LOG_CHARS) : this.#output;
  }

  isRunning(): boolean {
    return this.#exitInfo === undefined;
  }

  /** Exit info if the process has already exited, otherwise undefined. */
  exitInfo(): ExitInfo | undefined {
    return this.#exitInfo;
  }

  /** Send a signal by PID; returns false if the process is already gone. */
  signal(sig: NodeJS.Signals): boolean {
    if (!this.isRunning()) return false;
    try {
      process.kill(this.pid, sig);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * SIGTERM by PID, SIGKILL after timeoutMs. Resolves with the exit code
   * (null when the process was ended by a signal). Safe to call repeatedly.
   */
  async stop(timeoutMs = 5000): Promise<number | null> {
    if (this.isRunning()) {
      this.signal('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const outcome = await Promise.race([this.exited, timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') this.signal('SIGKILL');
    }
    const info = await this.exited;
    return info.code;
  }

  describe(): string {
    return `${this.name} (pid ${this.pid}): ${this.command} ${this.args.join(' ')}`;
  }
}
