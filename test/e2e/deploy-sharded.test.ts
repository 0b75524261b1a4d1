/**
 * deploy/sharded, checked against the app itself: the overlay is rendered with
 * `kubectl kustomize`; its StatefulSet's args are given to the built CLI once
 * per pod ordinal (with `$(SHARD_INDEX)` expanded as the kubelet does), and the
 * shell wrapper documented for clusters older than 1.28 is run as written.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadConfig } from '../../src/registry/load.js';
import { flagValue, kustomize, only, type K8sObject } from '../support/kubernetes.js';
import { withLogs } from '../support/logs.js';
import { ManagedProcess } from '../support/process.js';
import { startOnPort } from '../support/server-start.js';
import { makeTempDir } from '../support/temp.js';
import { waitForHttp } from '../support/wait.js';
import { ownerOfTransformation } from '../../src/transform/shard.js';
import { parseExposition } from '../support/exporter.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const BASE = path.join(REPO, 'deploy/kubernetes');
const SHARDED = path.join(REPO, 'deploy/sharded');
const CLI = path.join(REPO, 'dist/src/cli/main.js');

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}
interface Container {
  name: string;
  args?: string[];
  env?: EnvVar[];
  [key: string]: unknown;
}
interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: { containers: Container[]; [key: string]: unknown };
}

/** The kubelet's `$(VAR)` expansion of container args. */
function expandArgs(args: readonly string[], env: Record<string, string>): string[] {
  return args.map((a) => a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string) => env[name] ?? m));
}

async function metricsOf(port: number): Promise<Map<string, number>> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200);
  return parseExposition(await res.text());
}

/** Starts `command args` with `--web.listen-address` on a free port appended. */
async function start(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  return startOnPort({
    launch: (port) =>
      ManagedProcess.start({ name: 'label-value-exporter', command, args: [...args, `--web.listen-address=127.0.0.1:${port}`], ...opts }),
    ready: (port, proc) => waitForHttp(`http://127.0.0.1:${port}/-/healthy`, 20_000, 200, { process: proc }),
  });
}

describe('sharded StatefulSet (kubectl kustomize deploy/sharded)', () => {
  let objects: K8sObject[] = [];
  let sts: K8sObject;
  let template: PodTemplate;
  let container: Container;
  let configFile: string;

  before(async () => {
    objects = kustomize(SHARDED);
    sts = only(objects, 'StatefulSet');
    template = sts.spec?.['template'] as PodTemplate;
    container = template.spec.containers[0] as Container;
    configFile = path.join(await makeTempDir('deploy-sharded'), 'config.yml');
    await copyFile(path.join(SHARDED, 'config.yml'), configFile);
  });

  test('renders a ConfigMap, a headless Service, a StatefulSet and a ServiceMonitor in one namespace (no Deployment)', () => {
    assert.deepEqual(objects.map((o) => o.kind).sort(), ['ConfigMap', 'Service', 'ServiceMonitor', 'StatefulSet']);
    assert.equal(new Set(objects.map((o) => o.metadata.namespace)).size, 1);
    const service = only(objects, 'Service');
    assert.equal(service.spec?.['clusterIP'], 'None', 'headless: one scrape target per pod');
    assert.equal(sts.spec?.['serviceName'], service.metadata.name);
    const selector = service.spec?.['selector'] as Record<string, string>;
    assert.ok(
      Object.entries(selector).every(([k, v]) => template.metadata.labels[k] === v),
      'the Service selects the pods',
    );
    const sm = only(objects, 'ServiceMonitor');
    const match = (sm.spec?.['selector'] as { matchLabels: Record<string, string> }).matchLabels;
    assert.ok(
      Object.entries(match).every(([k, v]) => service.metadata.labels?.[k] === v),
      'the ServiceMonitor selects the Service',
    );
  });

  test('replicas equal --shard.count, and --shard.index is the pod ordinal from the downward API', () => {
    const args = container.args ?? [];
    assert.equal(String(sts.spec?.['replicas']), flagValue(args, '--shard.count'));
    assert.equal(flagValue(args, '--shard.index'), '$(SHARD_INDEX)');
    const env = (container.env ?? []).find((e) => e.name === 'SHARD_INDEX');
    assert.equal(env?.valueFrom?.fieldRef?.fieldPath, "metadata.labels['apps.kubernetes.io/pod-index']");
  });

  test("the pod is the base Deployment's pod but for the shard args and env", () => {
    const base = only(kustomize(BASE), 'Deployment');
    const baseTemplate = base.spec?.['template'] as PodTemplate;
    const { args, env, ...rest } = container;
    const { args: baseArgs, env: _baseEnv, ...baseRest } = baseTemplate.spec.containers[0] as Container;
    assert.deepEqual(rest, baseRest);
    assert.deepEqual(
      (args ?? []).filter((a) => !a.startsWith('--shard.')),
      baseArgs,
    );
    assert.ok(env);
    const { containers: _c, ...podRest } = template.spec;
    const { containers: _bc, ...basePodRest } = baseTemplate.spec;
    assert.deepEqual(podRest, basePodRest);
  });

  test('the ConfigMap is deploy/sharded/config.yml and loads; every shard index runs a transformation', async () => {
    const cm = only(objects, 'ConfigMap');
    assert.equal(cm.metadata.name, 'label-value-exporter-config');
    assert.equal(cm.data?.['config.yml'], await readFile(path.join(SHARDED, 'config.yml'), 'utf8'));
    const config = await loadConfig(configFile, {});
    const count = Number(flagValue(container.args ?? [], '--shard.count'));
    const owners = new Set(config.transformations.filter((t) => t.shardBy !== 'series').map((t) => ownerOfTransformation(t.name, count)));
    assert.equal(owners.size, count, 'no idle replica');
    assert.ok(
      config.transformations.some((t) => t.shardBy === 'series'),
      'the example shows shard_by: series',
    );
    const kubelet = config.transformations.filter((t) => t.sourceMetric === 'kube_node_info' && t.name.startsWith('kubelet_'));
    assert.deepEqual(
      kubelet.map((t) => [t.name, t.valueFromLabel, t.defaultValue]),
      [
        ['kubelet_minor_version', 'kubelet_version', null],
        ['kubelet_version_info', 'kubelet_version', null],
      ],
      'kube_node_info has kubelet_version, not minor; unknown versions are left out, not 0',
    );
  });

  test("each pod ordinal, with the StatefulSet's args as the kubelet expands them, serves its shard", async () => {
    const count = Number(flagValue(container.args ?? [], '--shard.count'));
    const config = await loadConfig(configFile, {});
    const owned = new Map<string, number>();
    for (let ordinal = 0; ordinal < count; ordinal++) {
      const args = expandArgs(container.args ?? [], { SHARD_INDEX: String(ordinal) })
        .filter((a) => !a.startsWith('--web.listen-address='))
        .map((a) => (a.startsWith('--config.file=') ? `--config.file=${configFile}` : a));
      const { proc, port } = await start(process.execPath, [CLI, ...args]);
      try {
        await withLogs([proc], async () => {
          const m = await metricsOf(port);
          assert.equal(m.get(`label_value_exporter_shard_info{index="${ordinal}",count="${count}"}`), 1);
          for (const t of config.transformations) {
            const v = m.get(`label_value_exporter_transformation_owned{transformation="${t.name}"}`);
            assert.ok(v === 0 || v === 1, `${t.name} ownership on shard ${ordinal}: ${v}`);
            owned.set(t.name, (owned.get(t.name) ?? 0) + v);
          }
        });
      } finally {
        await proc.stop(10_000);
      }
    }
    for (const t of config.transformations) assert.equal(owned.get(t.name), t.shardBy === 'series' ? count : 1, t.name);
  });

  test('the shell wrapper documented for clusters older than 1.28 takes the ordinal from the pod name', async () => {
    const text = await readFile(path.join(SHARDED, 'statefulset.yaml'), 'utf8');
    const line = /^\s*#\s*command:\s*(\[.*\])\s*$/m.exec(text)?.[1];
    assert.ok(line, 'statefulset.yaml documents a command: [...] wrapper');
    const command = parse(line) as string[];
    assert.equal(command[0], '/bin/sh');
    // As the comment says: without the --shard.index arg (no SHARD_INDEX env there).
    const args = (container.args ?? [])
      .filter((a) => !a.startsWith('--shard.index=') && !a.startsWith('--web.listen-address='))
      .map((a) => (a.startsWith('--config.file=') ? `--config.file=${configFile}` : a));
    const env = {
      ...process.env,
      HOSTNAME: 'label-value-exporter-2',
      PATH: `${path.dirname(process.execPath)}:${process.env['PATH'] ?? ''}`,
    };
    // The image's WORKDIR is /app with dist/ under it: the repository has the same layout.
    const { proc, port } = await start(command[0], [...command.slice(1), ...args], { env, cwd: REPO });
    try {
      await withLogs([proc], async () => {
        const m = await metricsOf(port);
        assert.equal(m.get('label_value_exporter_shard_info{index="2",count="3"}'), 1);
      });
    } finally {
      await proc.stop(10_000);
    }
  });
});
