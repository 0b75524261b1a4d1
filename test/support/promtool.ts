import { spawn } from 'node:child_process';
import { requireBinary } from './binaries.js';

export interface PromtoolResult {
  /** Exit code; -1 if promtool was killed by a signal. */
  code: number;
  /** stdout followed by stderr (promtool 2.42 prints lint problems on stderr). */
  output: string;
}

const TIMEOUT_MS = 60_000;

/** Run promtool with args (and optional stdin), capturing output. */
export function runPromtool(args: string[], stdin?: string): Promise<PromtoolResult> {
  const binary = requireBinary('promtool', 'prometheus');
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: TIMEOUT_MS });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => stdout.push(c));
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    child.once('error', (err) => reject(new Error(`promtool ${args.join(' ')}: ${err.message}`, { cause: err })));
    child.once('close', (code) => {
      resolve({
        code: code ?? -1,
        output: Buffer.concat(stdout).toString('utf8') + Buffer.concat(stderr).toString('utf8'),
      });
    });
    // promtool may exit before reading all of stdin (e.g. on a parse error).
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin ?? '');
  });
}

/**
 * `promtool check metrics` with body on stdin. promtool 2.42: code 0 + empty output
 * = clean; code 3 = lint problems (one per line); code 1 = exposition parse error.
 */
export function promtoolCheckMetrics(body: string): Promise<PromtoolResult> {
  return runPromtool(['check', 'metrics'], body);
}

/** `promtool check rules FILE` (code 0 = valid; prints "SUCCESS: N rules found"). */
export function promtoolCheckRules(file: string): Promise<PromtoolResult> {
  return runPromtool(['check', 'rules', file]);
}

/** `promtool test rules FILE` (code 0 = all unit tests passed). */
export function promtoolTestRules(file: string): Promise<PromtoolResult> {
  return runPromtool(['test', 'rules', file]);
}
