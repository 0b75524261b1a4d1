/**
 * Shared by the end-to-end tests of the one-shot commands (`check`,
 * `preview`): the built CLI run as a process, and a real VictoriaMetrics
 * loaded with the end-to-end dataset plus a folder for config files.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeTempDir } from './temp.js';
import { startVictoriaMetrics, type VictoriaMetrics } from './victoria-metrics.js';
import { KUBE_NODE_INFO, NODE_COUNT } from './dataset.js';
import { CLI } from './exporter.js';

export function runCli(args: string[], cwd?: string) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000, cwd });
}

/** The CLI run as a process without blocking the test's own servers; stdout and stderr together. */
export function runCliAsync(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return once(child, 'close').then(([code]) => ({ code: code as number | null, out }));
}

/** Call inside a `describe`: starts the loaded VictoriaMetrics before its tests and stops it after. */
export function loadedVictoriaMetrics(prefix: string): {
  file(name: string, text: string): Promise<string>;
  vmUrl(): string;
  dir(): string;
} {
  let vm: VictoriaMetrics | undefined;
  let dir = '';
  before(async () => {
    dir = await makeTempDir(prefix);
    vm = await startVictoriaMetrics();
    await vm.importPrometheus(KUBE_NODE_INFO);
    await vm.waitForSeries('kube_node_info', NODE_COUNT);
  });
  after(async () => {
    await vm?.stop();
  });
  return {
    async file(name, text) {
      const f = path.join(dir, name);
      await writeFile(f, text);
      return f;
    },
    vmUrl() {
      assert.ok(vm);
      return vm.url;
    },
    dir: () => dir,
  };
}
