/**
 * Synchronous last-resort cleanup when the test process exits or is killed by a
 * catchable signal: first kill child processes, then remove temp files.
 */
export type CleanupPhase = 'processes' | 'files';

const hooks: Record<CleanupPhase, Array<() => void>> = { processes: [], files: [] };
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let installed = false;

function runAll(): void {
  for (const phase of ['processes', 'files'] as const) {
    for (const hook of hooks[phase]) {
      try {
        hook();
      } catch {
        // best effort
      }
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  // Re-raise so the default behaviour (terminate) still happens.
  process.kill(process.pid, signal);
}

export function registerExitCleanup(phase: CleanupPhase, hook: () => void): void {
  hooks[phase].push(hook);
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}
