/**
 * deploy/ and the Dockerfile, checked against the app itself: the kustomize
 * base is rendered with `kubectl kustomize`, its args are given to the built
 * CLI, its ConfigMap is loaded with the app's config loader, and the image's
 * runtime layout (`npm ci --omit=dev` + dist/) is rebuilt in a temp dir and run.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, cp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../../src/registry/load.js';
import { requireBinary } from '../support/binaries.js';
import { flagValue, kustomize, only, type K8sObject } from '../support/kubernetes.js';
import { withLogs } from '../support/logs.js';
import { ManagedProcess } from '../support/process.js';
import { startOnPort } from '../support/server-start.js';
import { makeTempDir } from '../support/temp.js';
import { waitForHttp } from '../support/wait.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const BASE = path.join(REPO, 'deploy/kubernetes');
const VM_OVERLAY = path.join(REPO, 'deploy/victoriametrics');
const VM_SCRAPE_ONLY = path.join(REPO, 'deploy/kubernetes/victoriametrics');
const RULES_DIR = path.join(REPO, 'deploy/kubernetes/prometheus-rules');
const RULES_FILE = path.join(RULES_DIR, 'prometheusrule.yaml');
const ALERTS = path.join(REPO, 'monitoring/alerts.yml');
const DOCKERFILE = path.join(REPO, 'Dockerfile');
const DOCKERIGNORE = path.join(REPO, '.dockerignore');

const PORT_NAME = 'http-metrics';
const PORT = 9101;

// ---- Kubernetes object shapes (only what we check) -------------------------

interface Probe {
  httpGet?: { path?: string; port?: string | number };
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type?: string };
}
interface Container {
  name: string;
  image?: string;
  args?: string[];
  command?: string[];
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
  volumeMounts?: Array<{ name: string; mountPath: string; subPath?: string; subPathExpr?: string; readOnly?: boolean }>;
}
interface Deployment extends K8sObject {
  spec: {
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        securityContext?: SecurityContext;
        containers: Container[];
        volumes?: Array<{ name: string; configMap?: { name: string; items?: Array<{ key: string; path: string }> } }>;
      };
    };
  };
}
interface ConfigMap extends K8sObject {
  data: Record<string, string>;
}
interface Service extends K8sObject {
  spec: { selector: Record<string, string>; ports: Array<{ name?: string; port: number; targetPort?: string | number }> };
}
interface ScrapeEndpoint {
  port?: string;
  path?: string;
  honorLabels?: boolean;
}
interface ScrapeObject extends K8sObject {
  spec: { selector: { matchLabels: Record<string, string> }; endpoints: ScrapeEndpoint[] };
}
interface PrometheusRule extends K8sObject {
  spec: { groups: unknown[] };
}

function isSubset(sub: Record<string, string>, sup: Record<string, string> | undefined): boolean {
  return Object.keys(sub).length > 0 && Object.entries(sub).every(([k, v]) => sup?.[k] === v);
}

/** args with `flag`'s value replaced (in whichever form it was given), or appended. */
function withFlag(args: readonly string[], flag: string, value: string): string[] {
  const out: string[] = [];
  let replaced = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === flag) {
      out.push(`${flag}=${value}`);
      i++;
      replaced = true;
    } else if (a.startsWith(`${flag}=`)) {
      out.push(`${flag}=${value}`);
      replaced = true;
    } else {
      out.push(a);
    }
  }
  if (!replaced) out.push(`${flag}=${value}`);
  return out;
}

/** Starts the built CLI (or `entry` in `cwd`) with args and a free 127.0.0.1 port; resolves when /-/healthy answers 200. */
async function startCli(
  args: readonly string[],
  opts: { entry?: string; cwd?: string } = {},
): Promise<{ proc: ManagedProcess; port: number }> {
  const entry = opts.entry ?? path.join(REPO, 'dist/src/cli/main.js');
  return startOnPort({
    launch: (port) =>
      ManagedProcess.start({
        name: 'label-value-exporter',
        command: process.execPath,
        args: [entry, ...withFlag(args, '--web.listen-address', `127.0.0.1:${port}`)],
        ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
      }),
    ready: (port, proc) => waitForHttp(`http://127.0.0.1:${port}/-/healthy`, 20_000, 200, { process: proc }),
  });
}

async function text(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text() };
}

// ---- the kustomize base ------------------------------------------------------

describe('kustomize base (kubectl kustomize deploy/kubernetes)', () => {
  let objects: K8sObject[] = [];
  let deployment: Deployment;
  let container: Container;
  let configMap: ConfigMap;
  let service: Service;

  before(() => {
    objects = kustomize(BASE);
    deployment = only<Deployment>(objects, 'Deployment');
    const containers = deployment.spec.template.spec.containers;
    assert.equal(containers.length, 1);
    container = containers[0] as Container;
    configMap = only<ConfigMap>(objects, 'ConfigMap');
    service = only<Service>(objects, 'Service');
  });

  test('renders a ConfigMap, Deployment, Service and ServiceMonitor in one namespace', () => {
    assert.deepEqual(objects.map((o) => o.kind).sort(), ['ConfigMap', 'Deployment', 'Service', 'ServiceMonitor']);
    const namespaces = new Set(objects.map((o) => o.metadata.namespace));
    assert.equal(namespaces.size, 1, `namespaces: ${[...namespaces].join(', ')}`);
  });

  test(`container port ${PORT} is named ${PORT_NAME}; probes use /-/healthy and /-/ready on it`, () => {
    assert.deepEqual(
      (container.ports ?? []).map((p) => [p.name, p.containerPort]),
      [[PORT_NAME, PORT]],
    );
    assert.deepEqual(container.livenessProbe?.httpGet, { path: '/-/healthy', port: PORT_NAME });
    assert.deepEqual(container.readinessProbe?.httpGet, { path: '/-/ready', port: PORT_NAME });
    const args = container.args ?? [];
    assert.equal(flagValue(args, '--web.listen-address'), `:${PORT}`, 'the app listens on the container port');
    assert.ok(container.resources?.requests?.memory && container.resources.limits?.memory, 'memory request and limit');
    assert.ok(container.resources.requests.cpu, 'cpu request');
  });

  test('security context: non-root, read-only root filesystem, no privilege escalation, no capabilities, RuntimeDefault seccomp', async () => {
    const pod = deployment.spec.template.spec.securityContext ?? {};
    const c = container.securityContext ?? {};
    assert.equal(c.runAsNonRoot ?? pod.runAsNonRoot, true, 'runAsNonRoot');
    assert.equal(c.readOnlyRootFilesystem, true, 'readOnlyRootFilesystem');
    assert.equal(c.allowPrivilegeEscalation, false, 'allowPrivilegeEscalation');
    assert.deepEqual(c.capabilities?.drop, ['ALL'], 'capabilities.drop');
    assert.equal(c.capabilities?.add, undefined, 'capabilities.add');
    assert.equal((c.seccompProfile ?? pod.seccompProfile)?.type, 'RuntimeDefault', 'seccompProfile');
    // The image's numeric USER is the one Kubernetes runs (and can verify as non-root).
    const user = dockerUser(parseDockerfile(await readFile(DOCKERFILE, 'utf8')));
    assert.equal(String(c.runAsUser ?? pod.runAsUser), user.split(':')[0], 'runAsUser matches the Dockerfile USER');
  });

  test('the config is a ConfigMap mounted as a directory (no subPath) where --config.file points', () => {
    const configFile = flagValue(container.args ?? [], '--config.file');
    assert.ok(configFile, 'the Deployment passes --config.file');
    assert.ok(path.posix.isAbsolute(configFile));
    const dir = path.posix.dirname(configFile);
    const mounts = (container.volumeMounts ?? []).filter((m) => m.mountPath === dir);
    assert.equal(mounts.length, 1, `one volume mounted at ${dir}`);
    const mount = mounts[0];
    assert.ok(mount);
    assert.equal(mount.subPath, undefined, 'subPath mounts never see ConfigMap updates: mount the directory');
    assert.equal(mount.subPathExpr, undefined);
    assert.equal(mount.readOnly, true);
    for (const m of container.volumeMounts ?? []) assert.equal(m.subPath, undefined, `${m.name}: no subPath`);
    const volume = (deployment.spec.template.spec.volumes ?? []).find((v) => v.name === mount.name);
    assert.ok(volume?.configMap, `volume ${mount.name} is a ConfigMap`);
    assert.equal(volume.configMap.name, configMap.metadata.name, 'the mounted volume is the generated ConfigMap');
    const key = path.posix.basename(configFile);
    const items = volume.configMap.items;
    assert.ok(items === undefined || items.some((i) => i.key === key && i.path === key), 'the ConfigMap key appears under its own name');
    assert.ok(key in configMap.data, `ConfigMap has ${key}`);
  });

  test("the ConfigMap is deploy/kubernetes/config.yml, keeps its name (no hash suffix) and loads with the app's loader", async () => {
    assert.equal(configMap.metadata.name, 'label-value-exporter-config', 'disableNameSuffixHash keeps one ConfigMap that changes in place');
    const key = path.posix.basename(flagValue(container.args ?? [], '--config.file') ?? '');
    const body = configMap.data[key] ?? '';
    assert.equal(body, await readFile(path.join(BASE, 'config.yml'), 'utf8'));
    const dir = await makeTempDir('deploy');
    const file = path.join(dir, key);
    await writeFile(file, body);
    const config = await loadConfig(file, {});
    assert.deepEqual(
      config.transformations.map((t) => t.name),
      ['kubelet_minor_version', 'kubelet_version_info'],
    );
    // What kube-state-metrics really exposes: kubelet_version (kube_node_info
    // has no `minor`), and an unknown version left out rather than served as 0.
    for (const t of config.transformations) {
      assert.equal(t.sourceMetric, 'kube_node_info');
      assert.equal(t.valueFromLabel, 'kubelet_version', t.name);
      assert.equal(t.defaultValue, null, `${t.name}: no default_value`);
    }
    const source = config.sources.get('default');
    assert.ok(source?.type === 'prometheus', 'the default source is a Prometheus-compatible query API');
    assert.equal(source.http.url, 'http://vmselect.monitoring:8481/select/0/prometheus');
  });

  test("the built CLI starts with the Deployment's args, though the source is unreachable here", async () => {
    const dir = await makeTempDir('deploy');
    const file = path.join(dir, 'config.yml');
    await copyFile(path.join(BASE, 'config.yml'), file);
    const args = withFlag(container.args ?? [], '--config.file', file);
    const { proc, port } = await startCli(args);
    try {
      await withLogs([proc], async () => {
        const healthy = await text(`http://127.0.0.1:${port}/-/healthy`);
        assert.equal(healthy.status, 200);
        const metrics = await text(`http://127.0.0.1:${port}/metrics`);
        assert.equal(metrics.status, 200);
        assert.match(metrics.body, /^label_value_exporter_build_info\{/m);
        const ready = await text(`http://127.0.0.1:${port}/-/ready`);
        assert.ok([200, 503].includes(ready.status), `/-/ready answered ${ready.status}`);
      });
    } finally {
      await proc.stop(10_000);
    }
  });

  test('the Service selects the pods and targets the named port', () => {
    assert.ok(isSubset(service.spec.selector, deployment.spec.template.metadata.labels), 'Service selector matches the pod labels');
    assert.ok(
      isSubset(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels),
      'Deployment selector matches its pods',
    );
    assert.deepEqual(
      service.spec.ports.map((p) => [p.name, p.port, p.targetPort]),
      [[PORT_NAME, PORT, PORT_NAME]],
    );
  });

  test('the ServiceMonitor selects the Service, port http-metrics, with honorLabels: true', () => {
    const sm = only<ScrapeObject>(objects, 'ServiceMonitor');
    assert.equal(sm.apiVersion, 'monitoring.coreos.com/v1');
    checkScrape(sm, service);
  });
});

function checkScrape(scrape: ScrapeObject, service: Service): void {
  assert.ok(isSubset(scrape.spec.selector.matchLabels, service.metadata.labels), `${scrape.kind} selector matches the Service's labels`);
  assert.equal(scrape.metadata.namespace, service.metadata.namespace, `${scrape.kind} in the Service's namespace`);
  assert.equal(scrape.spec.endpoints.length, 1);
  const ep = scrape.spec.endpoints[0] as ScrapeEndpoint;
  assert.equal(ep.port, PORT_NAME);
  assert.equal(ep.path ?? '/metrics', '/metrics');
  assert.equal(ep.honorLabels, true, "honorLabels: the derived series carry their source's instance/job labels");
}

// ---- VictoriaMetrics and the PrometheusRule -----------------------------------

describe('VictoriaMetrics Operator (deploy/victoriametrics, deploy/kubernetes/victoriametrics)', () => {
  test('the overlay is the base with a VMServiceScrape instead of the ServiceMonitor', () => {
    const base = kustomize(BASE);
    const vm = kustomize(VM_OVERLAY);
    assert.deepEqual(vm.map((o) => o.kind).sort(), ['ConfigMap', 'Deployment', 'Service', 'VMServiceScrape']);
    assert.deepEqual(only(vm, 'Deployment'), only(base, 'Deployment'));
    assert.deepEqual(only(vm, 'ConfigMap'), only(base, 'ConfigMap'));
    const scrape = only<ScrapeObject>(vm, 'VMServiceScrape');
    assert.equal(scrape.apiVersion, 'operator.victoriametrics.com/v1beta1');
    checkScrape(scrape, only<Service>(vm, 'Service'));
  });

  test('deploy/kubernetes/victoriametrics alone renders just the VMServiceScrape', () => {
    const objects = kustomize(VM_SCRAPE_ONLY);
    assert.deepEqual(
      objects.map((o) => o.kind),
      ['VMServiceScrape'],
    );
    checkScrape(objects[0] as ScrapeObject, only<Service>(kustomize(BASE), 'Service'));
  });
});

describe('PrometheusRule (deploy/kubernetes/prometheus-rules)', () => {
  test('holds exactly the rule groups of monitoring/alerts.yml (UPDATE_RULES=1 regenerates it)', async () => {
    const groups = (parse(await readFile(ALERTS, 'utf8')) as { groups: unknown[] }).groups;
    if (process.env['UPDATE_RULES'] === '1') await writeFile(RULES_FILE, prometheusRuleText(groups));
    const objects = kustomize(RULES_DIR);
    assert.deepEqual(
      objects.map((o) => o.kind),
      ['PrometheusRule'],
    );
    const rule = objects[0] as PrometheusRule;
    assert.equal(rule.apiVersion, 'monitoring.coreos.com/v1');
    assert.deepEqual(
      rule.spec.groups,
      groups,
      'deploy/kubernetes/prometheus-rules/prometheusrule.yaml is out of date: run the e2e tests with UPDATE_RULES=1',
    );
  });
});

function prometheusRuleText(groups: unknown[]): string {
  const header = [
    '# GENERATED from monitoring/alerts.yml by test/e2e/deploy.test.ts: do not edit.',
    '# Edit monitoring/alerts.yml, then regenerate with',
    '#   npm run build && UPDATE_RULES=1 node --test dist/test/e2e/deploy.test.js',
    '# (the test fails while this file and monitoring/alerts.yml differ).',
    '#',
    '# kube-prometheus-stack selects PrometheusRules by its `release` label by default:',
    '# add `release: <your helm release>` to metadata.labels (e.g. from an overlay), or set',
    '# prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues=false. The VictoriaMetrics',
    '# Operator converts PrometheusRules to VMRules by default.',
    '',
  ].join('\n');
  const doc = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'label-value-exporter',
      labels: { 'app.kubernetes.io/name': 'label-value-exporter', 'app.kubernetes.io/component': 'alerts' },
    },
    spec: { groups },
  };
  return header + stringify(doc, { lineWidth: 0 });
}

// ---- the Dockerfile ----------------------------------------------------------

interface Instruction {
  /** Upper-case instruction name. */
  op: string;
  rest: string;
  /** Index of the build stage (0 = first FROM). */
  stage: number;
}

function parseDockerfile(textBody: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = -1;
  let pending = '';
  for (const raw of textBody.split('\n')) {
    const line = raw.trimEnd();
    if (pending === '' && (line.trim() === '' || line.trim().startsWith('#'))) continue;
    if (pending !== '' && line.trim().startsWith('#')) continue; // comments inside continuations
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const m = /^(\w+)\s*(.*)$/s.exec(full);
    if (!m) continue;
    const op = (m[1] ?? '').toUpperCase();
    if (op === 'FROM') stage++;
    out.push({ op, rest: (m[2] ?? '').trim(), stage });
  }
  return out;
}

function lastStage(ins: Instruction[]): Instruction[] {
  const last = Math.max(...ins.map((i) => i.stage));
  return ins.filter((i) => i.stage === last);
}

function dockerUser(ins: Instruction[]): string {
  const users = lastStage(ins).filter((i) => i.op === 'USER');
  assert.ok(users.length > 0, 'the runtime stage sets USER');
  return (users[users.length - 1] as Instruction).rest;
}

function execForm(ins: Instruction[], op: string): string[] {
  const found = lastStage(ins).filter((i) => i.op === op);
  assert.ok(found.length > 0, `the runtime stage has ${op}`);
  const value = JSON.parse((found[found.length - 1] as Instruction).rest) as unknown;
  assert.ok(Array.isArray(value) && value.every((v) => typeof v === 'string'), `${op} in exec (JSON array) form`);
  return value as string[];
}

/** COPY instructions: flags (e.g. from=build) and source paths; the last word is the destination. */
function copies(ins: Instruction[]): Array<{ stage: number; from?: string; sources: string[]; dest: string }> {
  return ins
    .filter((i) => i.op === 'COPY')
    .map((i) => {
      const words = i.rest.split(/\s+/);
      const flags = words.filter((w) => w.startsWith('--'));
      const paths = words.filter((w) => !w.startsWith('--'));
      const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
      return { stage: i.stage, ...(from !== undefined ? { from } : {}), sources: paths.slice(0, -1), dest: paths[paths.length - 1] ?? '' };
    });
}

/** .dockerignore semantics (simplified): the last matching pattern wins; a path is excluded with its parent directory. */
function dockerIgnored(patterns: string[], file: string): boolean {
  const glob = (part: string): string =>
    part
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]');
  const toRegex = (p: string): RegExp => new RegExp(`^${p.split('**').map(glob).join('.*')}$`);
  const parts = file.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const p = (negate ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, '');
    const re = toRegex(p);
    if (negate ? re.test(file) : candidates.some((c) => re.test(c))) ignored = !negate;
  }
  return ignored;
}

describe('Dockerfile', () => {
  let ins: Instruction[] = [];

  before(async () => {
    ins = parseDockerfile(await readFile(DOCKERFILE, 'utf8'));
  });

  test('multi-stage on a Node LTS image; production dependencies only in the runtime stage', () => {
    const froms = ins.filter((i) => i.op === 'FROM');
    assert.ok(froms.length >= 2, 'at least two FROM (build and runtime stages)');
    const args = new Map(
      ins
        .filter((i) => i.op === 'ARG' && i.stage === -1)
        .map((i) => {
          const [k, v] = i.rest.split('=');
          return [k ?? '', (v ?? '').replace(/^"|"$/g, '')] as const;
        }),
    );
    for (const f of froms) {
      const image = (f.rest.split(/\s+/)[0] ?? '').replace(/^\$\{(\w+)\}$/, (_, name: string) => args.get(name) ?? '');
      assert.match(image, /^node:(20|22|24)[.\w-]*$/, `FROM ${f.rest}: a Node LTS image`);
    }
    const build = ins
      .filter((i) => i.stage === 0 && i.op === 'RUN')
      .map((i) => i.rest)
      .join('\n');
    assert.match(build, /npm ci\b/);
    assert.match(build, /npm run build\b/);
    const runtime = lastStage(ins)
      .filter((i) => i.op === 'RUN')
      .map((i) => i.rest)
      .join('\n');
    assert.match(runtime, /npm ci\b[^\n&]*--omit=dev/);
    assert.doesNotMatch(runtime, /npm run build/);
    assert.ok(
      copies(ins).some((c) => c.stage === froms.length - 1 && c.from !== undefined && c.sources.some((s) => s.includes('dist'))),
      'the runtime stage copies dist/ from the build stage',
    );
  });

  test('non-root numeric USER, EXPOSE 9101, ENTRYPOINT exists after the build, CMD matches the Deployment', async () => {
    const user = dockerUser(ins);
    assert.match(user, /^\d+(:\d+)?$/, 'numeric uid (Kubernetes can only verify runAsNonRoot for numeric users)');
    assert.notEqual(user.split(':')[0], '0', 'not root');
    const exposed = lastStage(ins)
      .filter((i) => i.op === 'EXPOSE')
      .flatMap((i) => i.rest.split(/\s+/));
    assert.ok(exposed.includes(String(PORT)) || exposed.includes(`${PORT}/tcp`), `EXPOSE ${PORT}`);
    const entry = execForm(ins, 'ENTRYPOINT');
    assert.equal(entry[0], 'node');
    const script = entry[1] ?? '';
    assert.ok(existsSync(path.join(REPO, script)), `${script} exists after npm run build`);
    assert.equal(script, 'dist/src/cli/main.js');
    const cmd = execForm(ins, 'CMD');
    const container = only<Deployment>(kustomize(BASE), 'Deployment').spec.template.spec.containers[0] as Container;
    assert.equal(
      flagValue(cmd, '--config.file'),
      flagValue(container.args ?? [], '--config.file'),
      'the image and the Deployment read the config from the same place',
    );
    assert.equal(container.command, undefined, 'the Deployment keeps the image ENTRYPOINT');
  });

  test('.dockerignore keeps everything the Dockerfile copies from the context, and keeps out node_modules, dist and .git', async () => {
    const patterns = (await readFile(DOCKERIGNORE, 'utf8'))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    for (const c of copies(ins).filter((x) => x.from === undefined)) {
      for (const src of c.sources) {
        assert.ok(existsSync(path.join(REPO, src)), `COPY ${src}: exists in the repository`);
        assert.equal(dockerIgnored(patterns, src.replace(/\/+$/, '')), false, `COPY ${src}: excluded by .dockerignore`);
      }
    }
    for (const p of ['node_modules', 'node_modules/x', 'dist', '.git', '.git/config', 'test-artifacts']) {
      assert.equal(dockerIgnored(patterns, p), true, `${p} should be excluded from the build context`);
    }
  });

  describe('the runtime layout (npm ci --omit=dev + dist/) runs', () => {
    let root = '';

    before(async () => {
      root = await makeTempDir('image');
      const runtime = lastStage(ins);
      const workdir =
        runtime
          .filter((i) => i.op === 'WORKDIR')
          .map((i) => i.rest)
          .pop() ?? '/';
      // COPY from the context (package*.json, examples) and from the build stage (dist/...: our built tree).
      for (const c of copies(runtime)) {
        for (const src of c.sources) {
          const rel = c.from === undefined ? src : path.posix.relative(workdir, path.posix.resolve(workdir, src));
          assert.ok(!rel.startsWith('..'), `COPY ${src}: outside ${workdir}`);
          const from = path.join(REPO, rel);
          // `COPY file dir/` puts the file into dir; `COPY dir dest` copies dir's contents to dest.
          const intoDir = c.dest.endsWith('/') && !(await stat(from)).isDirectory();
          const dest = path.join(
            root,
            path.posix.relative(workdir, path.posix.resolve(workdir, c.dest)),
            intoDir ? path.posix.basename(src) : '',
          );
          await cp(from, dest, { recursive: true });
        }
      }
      // The runtime stage's `npm ci --omit=dev ...`, from the local npm cache when possible.
      const npmRun =
        runtime
          .filter((i) => i.op === 'RUN')
          .map((i) => i.rest)
          .find((r) => /npm ci\b/.test(r)) ?? '';
      const npmArgs = (/npm (ci\b[^&;\n]*)/.exec(npmRun)?.[1] ?? '').trim().split(/\s+/);
      const npm = requireBinary('npm', 'npm');
      const r = spawnSync(npm, [...npmArgs, '--prefer-offline'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
      assert.equal(r.status, 0, `npm ${npmArgs.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
    });

    test('only production dependencies are installed', async () => {
      const pkg = JSON.parse(await readFile(path.join(REPO, 'package.json'), 'utf8')) as {
        dependencies: Record<string, string>;
        devDependencies: Record<string, string>;
      };
      const installed = new Set(await readdir(path.join(root, 'node_modules')));
      for (const dep of Object.keys(pkg.dependencies)) assert.ok(installed.has(dep.split('/')[0] ?? dep), `${dep} installed`);
      for (const dep of Object.keys(pkg.devDependencies))
        assert.ok(!existsSync(path.join(root, 'node_modules', dep)), `dev dependency ${dep} must not be installed`);
    });

    test('--version, and the demo config served without writing to the filesystem', async () => {
      const entry = execForm(ins, 'ENTRYPOINT').slice(1);
      const v = spawnSync(process.execPath, [...entry, '--version'], { cwd: root, encoding: 'utf8', timeout: 20_000 });
      assert.equal(v.status, 0, v.stderr);
      assert.match(v.stdout, /^label-value-exporter, version \S+ \(branch: \S+, revision: \S+\)/);

      const before = await snapshotTree(root);
      const { proc, port } = await startCli(['--config.file=examples/demo/config.yml'], { entry: entry[0] ?? '', cwd: root });
      try {
        await withLogs([proc], async () => {
          await waitForHttp(`http://127.0.0.1:${port}/-/ready`, 20_000, 200, { process: proc });
          const metrics = await text(`http://127.0.0.1:${port}/metrics`);
          assert.match(metrics.body, /^kubelet_minor_version\{[^}]*\} 28$/m);
        });
      } finally {
        await proc.stop(10_000);
      }
      assert.deepEqual(await snapshotTree(root), before, 'the app wrote to its own directory (a read-only root filesystem would break it)');
    });
  });
});

/** Every file under dir with its size and mtime, to detect writes. */
async function snapshotTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { recursive: true })) {
    const s = await stat(path.join(dir, entry));
    out.push(`${entry} ${s.isDirectory() ? 'dir' : s.size} ${s.mtimeMs}`);
  }
  return out.sort();
}
