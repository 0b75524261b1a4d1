/** Rendering the deploy/ manifests with `kubectl kustomize`, and reading what the tests check in them. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { requireBinary } from './binaries.js';

/** A rendered Kubernetes object: only what every test reads; tests narrow it to their own shapes. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // Only what the tests read; checked at run time by the assertions.
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

/** `kubectl kustomize dir`, parsed; fails the test on a kubectl or YAML error. */
export function kustomize(dir: string): K8sObject[] {
  const kubectl = requireBinary('kubectl', 'kubectl');
  const r = spawnSync(kubectl, ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `kubectl kustomize ${dir} failed:\n${r.stderr}`);
  const docs = parseAllDocuments(r.stdout);
  if (!Array.isArray(docs)) throw new Error('kubectl kustomize printed no documents');
  for (const d of docs) assert.deepEqual(d.errors, [], 'YAML errors in the rendered output');
  return docs.map((d) => d.toJS() as K8sObject).filter((o) => o !== null);
}

/** The one object of `kind` (fails the test unless there is exactly one). */
export function only<T extends K8sObject = K8sObject>(objects: readonly K8sObject[], kind: string): T {
  const found = objects.filter((o) => o.kind === kind);
  assert.equal(found.length, 1, `expected exactly one ${kind}, found ${found.length}`);
  return found[0] as T;
}

/** The value of a flag in `--flag=value` or `--flag value` form. */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === flag) return args[i + 1];
    if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
  }
  return undefined;
}
